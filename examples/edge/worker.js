// An image resizer for workerd (Cloudflare Workers), in the module worker format:
//
//   POST /?w=256&h=256[&fit=inside|cover|fill][&format=png|jpeg|qoi][&quality=80][&filter=lanczos]
//        body: a PNG, JPEG or QOI file  →  the thumbnail, with Pillow 9.4's pixels
//   GET  /       usage
//   GET  /stats  the arena's counters and a heap check
//
// One isolate, one thread, 128 MB: the arena is one plain memory of at most 96 MiB that all
// requests of the isolate share. A request holds the arena only between reading its body
// and sending its answer, without awaiting in between, so concurrent requests take turns
// and each finds the memory the previous ones released. Large JPEGs decode scaled (the
// thumbnail plan's `reduce`, Pillow's draft()), so a 5120×2880 photo needs a few MiB; a
// request whose plan cannot fit is refused from the file's header, before decoding.
//
// workerd forbids compiling WebAssembly at run time: the core is bound as a wasm module
// (config.capnp) and handed to the arena.
import { Arena, ArenaError, planThumbnail, thumbnail } from 'pixel-arena';
import core from 'pixel-arena/pixel-arena.plain.wasm';

const ARENA_BYTES = 96 * 1024 * 1024;
/** Bodies above this are refused (413) before they are read in full. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** Largest picture accepted, read from the header (Pillow's limit is larger; this arena is small). */
const MAX_PIXELS = 64_000_000;
/** What one request may hold in the arena at its peak: input, decoded image, intermediates. */
const REQUEST_BUDGET = Math.floor(ARENA_BYTES * 0.9);
const MAX_SIDE = 8192;

const CONTENT_TYPES = { png: 'image/png', jpeg: 'image/jpeg', qoi: 'image/qoi' };
const FITS = ['inside', 'cover', 'fill'];
const FILTERS = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];
const PARAMETERS = ['w', 'h', 'fit', 'format', 'quality', 'filter'];
const STATUS = { INVALID_ARGUMENT: 400, DECODE_FAILED: 400, LIMIT_EXCEEDED: 413, UNSUPPORTED: 415, ARENA_FULL: 503 };

const USAGE = `pixel-arena edge resizer

POST /?w=W&h=H[&fit=inside|cover|fill][&format=png|jpeg|qoi][&quality=1..100][&filter=F]
  body: a PNG, JPEG or QOI file (at most ${MAX_BODY_BYTES / 1024 / 1024} MiB, ${MAX_PIXELS / 1e6} megapixels)
  w, h     the box, 1..${MAX_SIDE} (both required)
  fit      inside (default): within the box, aspect kept, never enlarged (Pillow's thumbnail,
           then exif_transpose); cover: exactly the box, centre cropped; fill: stretched
  format   the output; default: the input's
  quality  JPEG quality, default 80
  filter   ${FILTERS.join(', ')} (default lanczos)
  answer   the image (content-type image/png, image/jpeg or image/qoi), or
           {"code", "message"}: 400 INVALID_ARGUMENT or DECODE_FAILED, 413 LIMIT_EXCEEDED,
           415 UNSUPPORTED
GET /stats  the arena's counters
`;

let arenaReady;
/** The isolate's arena, made on the first request and shared by all. */
function sharedArena() {
  arenaReady ??= Arena.create({ module: core, maxBytes: ARENA_BYTES, maxPixels: MAX_PIXELS }).catch((error) => {
    arenaReady = undefined;
    throw error;
  });
  return arenaReady;
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    try {
      if (url.pathname === '/' && request.method === 'POST') return await resize(request, url.searchParams);
      if (url.pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
        return new Response(USAGE, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
      }
      if (url.pathname === '/stats' && request.method === 'GET') {
        const arena = await sharedArena();
        return Response.json({ ...arena.stats(), heap: arena.checkHeap() });
      }
      if (url.pathname === '/' || url.pathname === '/stats') {
        return failure(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}`, { allow: url.pathname === '/' ? 'GET, HEAD, POST' : 'GET' });
      }
      return failure(404, 'NOT_FOUND', `nothing at ${url.pathname}: POST / with an image, or GET / for usage`);
    } catch (error) {
      if (error instanceof ArenaError && error.code in STATUS) return failure(STATUS[error.code], error.code, error.message);
      // Not the input's fault: a bug, and the one case that answers 500.
      return failure(500, 'INTERNAL', String(error?.message ?? error));
    }
  },
};

async function resize(request, query) {
  const options = readQuery(query);
  const bytes = await readBody(request);
  const foreign = foreignFormat(bytes);
  if (foreign) throw new ArenaError('UNSUPPORTED', `the body is a ${foreign} file: this resizer reads PNG, JPEG and QOI`);
  const arena = await sharedArena();
  // From here to the answer nothing awaits: the arena is this request's alone.
  const info = arena.probe(bytes);
  const plan = planThumbnail(info, options);
  if (plan.bytesNeeded + bytes.length > REQUEST_BUDGET) {
    throw new ArenaError('LIMIT_EXCEEDED',
      `a ${info.width}×${info.height} ${info.format.toUpperCase()} resized to ${plan.width}×${plan.height} needs about ${mib(plan.bytesNeeded + bytes.length)} of memory, more than the ${mib(REQUEST_BUDGET)} a request may take`);
  }
  const format = options.format ?? info.format;
  let image = thumbnail(arena, bytes, options);
  let encoded;
  try {
    // JPEG has no alpha: dropped as Pillow's convert('RGB') / convert('L') drops it.
    if (format === 'jpeg' && (image.mode === 'RGBA' || image.mode === 'LA')) {
      const opaque = image.convert(image.mode === 'RGBA' ? 'RGB' : 'L');
      image.release();
      image = opaque;
    }
    encoded = image.encode(format, format === 'jpeg' ? { quality: options.quality } : undefined);
  } finally {
    image.release();
  }
  return new Response(encoded, {
    headers: {
      'content-type': CONTENT_TYPES[format],
      'x-image-width': String(plan.width),
      'x-image-height': String(plan.height),
    },
  });
}

/** The query's options, each checked; unknown or repeated parameters are refused. */
function readQuery(query) {
  for (const name of new Set(query.keys())) {
    if (!PARAMETERS.includes(name)) throw invalid('query parameter', `one of ${PARAMETERS.join(', ')}`, name);
    if (query.getAll(name).length > 1) throw invalid(name, 'one value', query.getAll(name).join(','));
  }
  const integer = (name, min, max, fallback) => {
    const text = query.get(name);
    if (text === null && fallback !== undefined) return fallback;
    const value = text !== null && /^[0-9]{1,9}$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw invalid(name, `integer between ${min} and ${max}`, text);
    return value;
  };
  const choice = (name, allowed, fallback) => {
    const text = query.get(name);
    if (text === null) return fallback;
    if (!allowed.includes(text)) throw invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, text);
    return text;
  };
  return {
    width: integer('w', 1, MAX_SIDE),
    height: integer('h', 1, MAX_SIDE),
    fit: choice('fit', FITS, 'inside'),
    format: choice('format', Object.keys(CONTENT_TYPES), undefined),
    quality: integer('quality', 1, 100, 80),
    filter: choice('filter', FILTERS, 'lanczos'),
  };
}

/** The library's message form: `Expected <what> for <parameter> but received <value>`. */
function invalid(name, expected, text) {
  const received = text === null ? 'nothing' : `'${String(text).slice(0, 40)}' of type string`;
  return new ArenaError('INVALID_ARGUMENT', `Expected ${expected} for ${name} but received ${received}`);
}

/** The body, refused (413) as soon as it is known to be too large. */
async function readBody(request) {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) throw bodyTooLarge(Number(declared));
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_BODY_BYTES) {
      await reader.cancel();
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** 413: `declared` is the body's length when its header says it. */
function bodyTooLarge(declared) {
  const size = declared === undefined ? `more than ${MAX_BODY_BYTES}` : String(declared);
  return new ArenaError('LIMIT_EXCEEDED', `the body has ${size} bytes, more than the ${MAX_BODY_BYTES} accepted`);
}

/** Image formats this resizer recognises but does not read (415 rather than 400). */
function foreignFormat(bytes) {
  const ascii = (from, to) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'GIF';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  if (ascii(0, 2) === 'BM' && bytes.length >= 26) return 'BMP';
  if (ascii(4, 8) === 'ftyp' && ['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'].includes(ascii(8, 12))) return 'AVIF or HEIF';
  if ((bytes[0] === 0xff && bytes[1] === 0x0a) || ascii(4, 8) === 'JXL ') return 'JPEG XL';
  return undefined;
}

function failure(status, code, message, headers = {}) {
  return Response.json({ code, message }, { status, headers });
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
