// The image editor's page script. Pictures live in one arena; in a cross-origin isolated
// page a pool of workers attached to the same memory does the work (the images cross as
// handles, never copied), otherwise the page's own thread does it with plain memory. The
// canvas shows a copy: ImageData cannot wrap shared memory.
//
// ?workers=N sets the pool's size (default: one per core, at most 4).
import { Arena, Pool } from '/dist/web.js';

const $ = (id) => document.getElementById(id);
const HISTORY_LIMIT = 20;
const TYPES = { png: 'image/png', jpeg: 'image/jpeg' };

const isolated = globalThis.crossOriginIsolated === true;
const arena = await Arena.create({ maxBytes: 512 * 1024 * 1024 });
const requested = Number(new URLSearchParams(location.search).get('workers'));
const workers = Number.isInteger(requested) && requested > 0 ? requested : Math.min(4, navigator.hardwareConcurrency || 2);
const pool = isolated ? await Pool.create({ arena, workers, tasks: new URL('./tasks.js', import.meta.url) }) : undefined;

/** Each operation on the pool when there is one, in this thread otherwise: the same bytes either way. */
const run = pool ? {
  decode: (bytes) => pool.run('decode', { bytes }),
  resize: (image, width, height, filter) => pool.resize(image, width, height, { filter }),
  crop: (image, box) => pool.run('crop', { image, box }),
  transpose: (image, method) => pool.run('transpose', { image, method }),
  blur: (image, radius) => pool.gaussianBlur(image, radius),
  grayscale: (image) => pool.convert(image, 'L'),
  encode: (image, format, options) => pool.run('encode', { image, format, options }),
} : {
  decode: async (bytes) => arena.decode(bytes, { autoOrient: true }),
  resize: async (image, width, height, filter) => image.resize(width, height, { filter }),
  crop: async (image, box) => image.crop(box),
  transpose: async (image, method) => image.transpose(method),
  blur: async (image, radius) => image.gaussianBlur(radius),
  grayscale: async (image) => image.convert('L'),
  encode: async (image, format, options) => image.encode(format, options),
};

$('threads').textContent = pool
  ? `Cross-origin isolated: ${pool.size} workers share the arena's memory with this page.`
  : 'Not cross-origin isolated: no shared memory here, so everything runs in this one thread (serve the page with COOP same-origin and COEP require-corp for workers).';
$('threads').classList.toggle('one-thread', !pool);

/** The pictures, oldest first; the last is on show. Each entry owns its Image. */
const history = [];
let fileName = 'picture';
let busy = false;
const current = () => history[history.length - 1];

function setState(state) {
  document.body.dataset.state = state;
  busy = state === 'busy';
  const hasImage = history.length > 0;
  for (const set of document.querySelectorAll('[data-needs-image]')) set.disabled = busy || !hasImage;
  $('file').disabled = busy;
  $('undo').disabled = busy || history.length < 2;
  $('history').textContent = hasImage ? `${history.length} step${history.length === 1 ? '' : 's'}` : '';
  $('quality-label').hidden = $('save-format').value !== 'jpeg';
}

function say(text, error = false) {
  $('message').textContent = text;
  $('message').classList.toggle('error', error);
}

/** Runs one step; the UI waits for it, and errors go to the message line. */
async function step(label, work) {
  if (busy) return;
  setState('busy');
  say(`${label}…`);
  const started = performance.now();
  try {
    const note = await work();
    say(`${label}: ${note ?? 'done'} in ${Math.round(performance.now() - started)} ms${pool ? ` on ${pool.size} workers` : ' in one thread'}.`);
  } catch (error) {
    say(`${label} failed: ${error.code ? `${error.code}: ` : ''}${error.message}`, true);
  } finally {
    setState('idle');
    showStats();
  }
}

function push(image) {
  history.push(image);
  if (history.length > HISTORY_LIMIT) history.shift().release();
  show(image);
  return `${image.width}×${image.height} ${image.mode}`;
}

/** Copies the picture out of the arena onto the canvas, as RGBA. */
function show(image) {
  let pixels;
  if (image.mode === 'RGBA') {
    pixels = image.toPixels();
  } else {
    const rgba = image.convert('RGBA');
    pixels = rgba.toPixels();
    rgba.release();
  }
  const canvas = $('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.hidden = false;
  $('hint').hidden = true;
  const data = new Uint8ClampedArray(pixels.buffer instanceof ArrayBuffer ? pixels.buffer : pixels.slice().buffer, pixels.byteOffset, pixels.length);
  canvas.getContext('2d').putImageData(new ImageData(data, image.width, image.height), 0, 0);
  $('resize-width').value = Math.max(1, Math.round(image.width / 2));
  $('resize-height').value = Math.max(1, Math.round(image.height / 2));
  $('crop-x').value = 0;
  $('crop-y').value = 0;
  $('crop-width').value = image.width;
  $('crop-height').value = image.height;
}

async function open(file) {
  await step(`Opening ${file.name}`, async () => {
    const image = await run.decode(new Uint8Array(await file.arrayBuffer()));
    history.splice(0).forEach((old) => old.release());
    fileName = file.name.replace(/\.[^.]*$/, '') || 'picture';
    return push(image);
  });
}

const number = (id) => Number($(id).value);

$('file').addEventListener('change', () => {
  const file = $('file').files[0];
  if (file) open(file);
});

const drop = $('drop');
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file) open(file);
});

// Keeping the aspect: a new width sets the height, and the other way round.
$('resize-width').addEventListener('input', () => {
  const image = current();
  if (image && $('resize-keep').checked) $('resize-height').value = Math.max(1, Math.round(number('resize-width') * image.height / image.width));
});
$('resize-height').addEventListener('input', () => {
  const image = current();
  if (image && $('resize-keep').checked) $('resize-width').value = Math.max(1, Math.round(number('resize-height') * image.width / image.height));
});

$('resize').addEventListener('click', () => step('Resize', async () =>
  push(await run.resize(current(), number('resize-width'), number('resize-height'), $('resize-filter').value))));

$('crop').addEventListener('click', () => step('Crop', async () => {
  const [x, y] = [number('crop-x'), number('crop-y')];
  return push(await run.crop(current(), [x, y, x + number('crop-width'), y + number('crop-height')]));
}));

for (const button of document.querySelectorAll('[data-transpose]')) {
  button.addEventListener('click', () => step(button.textContent, async () => push(await run.transpose(current(), button.dataset.transpose))));
}

$('blur').addEventListener('click', () => step('Blur', async () => push(await run.blur(current(), number('blur-radius')))));
$('grayscale').addEventListener('click', () => step('Grayscale', async () => push(await run.grayscale(current()))));

$('undo').addEventListener('click', () => step('Undo', async () => {
  history.pop().release();
  show(current());
  return `back to ${current().width}×${current().height} ${current().mode}`;
}));

$('save-format').addEventListener('change', () => setState(document.body.dataset.state));
$('save-quality').addEventListener('input', () => { $('quality-value').value = $('save-quality').value; });

$('save').addEventListener('click', () => step('Save', async () => {
  const format = $('save-format').value;
  let image = current();
  let opaque;
  // JPEG has no alpha: it is dropped, as Pillow's convert('RGB') drops it.
  if (format === 'jpeg' && (image.mode === 'RGBA' || image.mode === 'LA')) image = opaque = image.convert(image.mode === 'RGBA' ? 'RGB' : 'L');
  let bytes;
  try {
    bytes = await run.encode(image, format, format === 'jpeg' ? { quality: number('save-quality') } : undefined);
  } finally {
    opaque?.release();
  }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([bytes], { type: TYPES[format] }));
  link.download = `${fileName}-edited.${format === 'jpeg' ? 'jpg' : 'png'}`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  return `${link.download}, ${bytes.length} bytes`;
}));

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
function showStats() {
  const s = arena.stats();
  const image = current();
  $('stat-image').textContent = image ? `${image.width}×${image.height} ${image.mode}` : '–';
  $('stat-in-use').textContent = mib(s.bytesInUse);
  $('stat-cached').textContent = `${mib(Math.max(0, s.bytesHeld - s.bytesInUse))} (${s.blocksCached} blocks)`;
  $('stat-peak').textContent = mib(s.peakBytesInUse);
  $('stat-committed').textContent = `${mib(s.bytesCommitted)} of ${mib(s.bytesMax)}`;
  $('stat-images').textContent = String(s.imagesLive);
  $('stat-workers').textContent = pool ? `${pool.size} (${s.attachments} threads attached)` : 'none: one thread';
}
setInterval(showStats, 250);
showStats();
setState('idle');
say('Ready: open or drop a JPEG or PNG.');
