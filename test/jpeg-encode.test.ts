// The JPEG encoder against Pillow 9.4 (libjpeg-turbo 2.1.5), byte for byte: the SHA-256 of
// every file Pillow wrote in test/goldens/jpeg-encode.json (every quality × subsampling for
// the colour inputs, a spread of qualities for grayscale, optimize and progressive at
// several qualities), whole files for a few cases so that a failure names its first
// differing byte. Then what Pillow refuses, option checks, alpha dropped, memory left as it
// was, images of many blocks, and encoding in a worker thread.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Arena, type Image, type EncodeOptions } from '../dist/node.js';
import { loadJpegEncodeGoldens, pillowCall, type JpegGoldenCase, type JpegGoldenInput } from './goldens/load-jpeg-encode.js';
import { expectSameBytes } from './helpers/bytes.js';

const goldens = loadJpegEncodeGoldens();
let arena: Arena;
const images = new Map<string, Image>();

function imageOf(input: JpegGoldenInput, into = arena): Image {
  if (into !== arena) return into.fromPixels(input.mode, input.width, input.height, input.pixels);
  let image = images.get(input.name);
  if (!image) {
    image = arena.fromPixels(input.mode, input.width, input.height, input.pixels);
    images.set(input.name, image);
  }
  return image;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The cases of one input, grouped as the tests below run them. */
function casesOf(name: string, which: (c: JpegGoldenCase) => boolean) {
  return goldens.cases.filter((c) => c.input.name === name && which(c));
}

/** Encodes each case and lists those whose file is not Pillow's. */
function mismatches(cases: JpegGoldenCase[]): string[] {
  const wrong: string[] = [];
  for (const c of cases) {
    const file = imageOf(c.input).encode('jpeg', c.options as EncodeOptions);
    if (file.length !== c.length || sha256(file) !== c.sha256) {
      wrong.push(`${pillowCall(c.options)}: ${file.length} bytes, Pillow ${c.length}`);
    }
  }
  return wrong;
}

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
});
afterAll(() => {
  images.forEach((image) => image.release());
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

describe('jpeg encode like Pillow', () => {
  const sequential = (c: JpegGoldenCase) => !c.options.optimize && !c.options.progressive;
  for (const input of goldens.inputs.values()) {
    it(`${input.name} (${input.mode} ${input.width}×${input.height}): sequential, every quality and subsampling`, () => {
      const cases = casesOf(input.name, sequential);
      expect(cases.length).toBeGreaterThan(input.mode === 'RGB' ? 300 : 60);
      expect(mismatches(cases)).toEqual([]);
    });
    it(`${input.name}: optimize and progressive`, () => {
      const cases = casesOf(input.name, (c) => !sequential(c));
      expect(cases.length).toBeGreaterThanOrEqual(54);
      expect(mismatches(cases)).toEqual([]);
    });
  }

  it.each(goldens.cases.filter((c) => c.file).map((c) => [`${c.input.name} ${pillowCall(c.options)}`, c] as const))(
    'writes the bytes of %s', (_, c) => {
      expectSameBytes(imageOf(c.input).encode('jpeg', c.options as EncodeOptions), c.file!, pillowCall(c.options));
    });

  it('uses Pillow\'s defaults: quality 75, 4:2:0 for colour, no subsampling for grayscale', () => {
    for (const input of goldens.inputs.values()) {
      const [defaults] = casesOf(input.name, (c) => Object.keys(c.options).length === 0);
      expect(sha256(imageOf(input).encode('jpeg')), input.name).toBe(defaults!.sha256);
      expect(sha256(imageOf(input).encode('jpeg', {})), input.name).toBe(defaults!.sha256);
    }
  });
});

describe('jpeg encode: what Pillow refuses', () => {
  it('refuses empty images, as Pillow ("cannot write empty image as JPEG")', () => {
    expect(goldens.rejects.filter((r) => r.width === 0 || r.height === 0).map((r) => r.message))
      .toEqual(['cannot write empty image as JPEG', 'cannot write empty image as JPEG']);
    for (const [mode, width, height] of [['RGB', 0, 5], ['L', 3, 0], ['RGBA', 0, 0], ['LA', 1, 0]] as const) {
      const empty = arena.image(mode, width, height);
      expect(() => empty.encode('jpeg')).toThrow(expect.objectContaining({
        code: 'INVALID_ARGUMENT', message: `encode(jpeg): cannot write an empty image (${width}×${height}) as JPEG`,
      }));
      empty.release();
    }
  });

  it('refuses sides over 65500 pixels, libjpeg\'s limit', () => {
    expect(goldens.rejects.find((r) => r.width === 65501)?.error).toBe('OSError');
    const before = arena.stats();
    for (const [width, height] of [[65501, 1], [1, 65501]] as const) {
      const long = arena.image('L', width, height);
      expect(() => long.encode('jpeg', { quality: 50 })).toThrow(expect.objectContaining({
        code: 'LIMIT_EXCEEDED',
        message: `encode(jpeg): JPEG sides are limited to 65500 pixels (libjpeg's limit) but the image is ${width}×${height}`,
      }));
      long.release();
    }
    const side = arena.image('L', 65500, 1, { fill: 7 });
    expect(side.encode('jpeg').length).toBeGreaterThan(0);
    side.release();
    expect(arena.stats().bytesInUse).toBe(before.bytesInUse);
  });

  it('drops the alpha of LA and RGBA (which Pillow refuses), writing L and RGB', () => {
    expect(goldens.rejects.filter((r) => r.mode === 'RGBA' || r.mode === 'LA').map((r) => r.message))
      .toEqual(['cannot write mode RGBA as JPEG', 'cannot write mode LA as JPEG']);
    for (const name of ['coffee_17x9', 'chelsea_L_45x37']) {
      const input = goldens.inputs.get(name)!;
      const bands = input.mode === 'RGB' ? 3 : 1;
      const withAlpha = new Uint8Array(input.width * input.height * (bands + 1));
      for (let i = 0; i < input.width * input.height; i++) {
        withAlpha.set(input.pixels.subarray(i * bands, i * bands + bands), i * (bands + 1));
        withAlpha[i * (bands + 1) + bands] = (i * 37) & 255;
      }
      const image = arena.fromPixels(input.mode === 'RGB' ? 'RGBA' : 'LA', input.width, input.height, withAlpha);
      for (const c of casesOf(name, (c) => c.options.quality === 90 || Object.keys(c.options).length === 0)) {
        expect(sha256(image.encode('jpeg', c.options as EncodeOptions)), `${image.mode} ${pillowCall(c.options)}`).toBe(c.sha256);
      }
      image.release();
    }
  });
});

describe('jpeg encode options', () => {
  it('names the option and what it received', () => {
    const image = arena.image('RGB', 4, 4);
    const cases: Array<[unknown, string]> = [
      [{ quality: 0 }, 'Expected integer between 1 and 100 for options.quality but received 0 of type number'],
      [{ quality: 101 }, 'Expected integer between 1 and 100 for options.quality but received 101 of type number'],
      [{ quality: 74.5 }, 'Expected integer between 1 and 100 for options.quality but received 74.5 of type number'],
      [{ quality: '75' }, "Expected integer between 1 and 100 for options.quality but received '75' of type string"],
      [{ subsampling: '4:1:1' }, "Expected one of '4:4:4', '4:2:2', '4:2:0' for options.subsampling but received '4:1:1' of type string"],
      [{ subsampling: 2 }, "Expected one of '4:4:4', '4:2:2', '4:2:0' for options.subsampling but received 2 of type number"],
      [{ progressive: 1 }, 'Expected boolean for options.progressive but received 1 of type number'],
      [{ optimize: 'yes' }, "Expected boolean for options.optimize but received 'yes' of type string"],
    ];
    for (const [options, message] of cases) {
      expect(() => image.encode('jpeg', options as EncodeOptions)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message }));
    }
    expect(() => image.encode('jpeg', 75 as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    image.release();
    expect(() => image.encode('jpeg')).toThrow(expect.objectContaining({ code: 'INVALID_HANDLE' }));
  });
});

describe('jpeg encode memory', () => {
  it('leaves the arena as it was: the output block and every temporary freed', () => {
    const input = goldens.inputs.get('noise_128x96')!;
    const image = imageOf(input);
    const before = arena.stats();
    for (const options of [{}, { quality: 100, subsampling: '4:4:4' }, { optimize: true }, { progressive: true }] as EncodeOptions[]) {
      image.encode('jpeg', options);
      const after = arena.stats();
      expect([after.bytesInUse, after.blocksInUse, after.imagesLive], JSON.stringify(options))
        .toEqual([before.bytesInUse, before.blocksInUse, before.imagesLive]);
    }
    arena.checkHeap();
  });

  it('grows its output past its first guess (noise at quality 100 takes more than 3 bits a pixel)', () => {
    const [big] = casesOf('noise_128x96', (c) => c.options.quality === 100 && c.options.subsampling === '4:4:4' && !c.options.progressive);
    expect(big!.length).toBeGreaterThan(128 * 96 * 3 / 8 + 16384);
    expect(sha256(imageOf(big!.input).encode('jpeg', big!.options as EncodeOptions))).toBe(big!.sha256);
  });

  it('gives Pillow\'s bytes or ARENA_FULL when memory runs short, leaving nothing behind', async () => {
    const tight = await Arena.create({ maxBytes: 8 << 20, debug: true });
    const input = goldens.inputs.get('noise_128x96')!;
    const image = imageOf(input, tight);
    const cases = casesOf(input.name, (c) => c.options.quality === 100 && c.options.subsampling === '4:4:4');
    // Fill the arena, then give memory back a page at a time, trying every case each time.
    const filler = [];
    for (;;) {
      try { filler.push(tight.alloc(4096)); } catch { break; }
    }
    let failures = 0, allDone = false;
    while (!allDone && filler.length > 0) {
      tight.free(filler.pop()!);
      allDone = true;
      for (const c of cases) {
        const before = tight.stats();
        try {
          expect(sha256(image.encode('jpeg', c.options as EncodeOptions)), pillowCall(c.options)).toBe(c.sha256);
        } catch (error) {
          expect((error as { code?: string }).code, pillowCall(c.options)).toBe('ARENA_FULL');
          failures++;
          allDone = false;
        }
        expect(tight.stats().bytesInUse).toBe(before.bytesInUse);
      }
    }
    expect(allDone).toBe(true);
    expect(failures).toBeGreaterThan(20);
    filler.forEach((block) => tight.free(block));
    image.release();
    tight.checkHeap();
    tight.close();
  });

  it('gives the same bytes for an image made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1, debug: true });
    for (const name of ['coffee_91x67', 'noise_128x96', 'chelsea_L_45x37']) {
      const input = goldens.inputs.get(name)!;
      const image = imageOf(input, small);
      for (const c of casesOf(name, (c) => c.options.quality === 75 || c.options.quality === 20)) {
        expect(sha256(image.encode('jpeg', c.options as EncodeOptions)), `${name} ${pillowCall(c.options)}`).toBe(c.sha256);
      }
      image.release();
    }
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });

  it('encodes in a worker thread, in the same memory', async () => {
    const shared = await Arena.create({ maxBytes: 64 << 20 });
    const input = goldens.inputs.get('chelsea_64x48')!;
    const image = shared.fromPixels(input.mode, input.width, input.height, input.pixels);
    const cases = casesOf(input.name, (c) => c.options.quality === 50);
    const worker = new Worker(new URL('./workers/jpeg-encode-worker.mjs', import.meta.url), {
      workerData: { shared: shared.shared, handle: image.share(), options: cases.map((c) => c.options) },
    });
    const reply = await new Promise<{ files: Uint8Array[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(reply.files.map(sha256)).toEqual(cases.map((c) => c.sha256));
    image.release();
    expect(shared.stats().imagesLive).toBe(0);
    shared.checkHeap();
    shared.close();
  });
});
