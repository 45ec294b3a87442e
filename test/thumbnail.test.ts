// The thumbnail pipeline against Pillow 9.4 (test/goldens/thumbnail.json): fit inside as
// im.thumbnail + ImageOps.exif_transpose (draft() scales 1, 2, 4 and 8, every EXIF
// orientation, boxes from 1×1 to larger than the picture, thin strips), cover as
// ImageOps.fit and fill as resize on the upright picture, six filters, JPEG and PNG in
// every mode. Then its planning arithmetic, its errors, and that it leaks nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Arena, ArenaError, thumbnail, planThumbnail } from '../dist/node.js';
import { thumbnailSize, draftScale, coverBox } from '../src/thumbnail.js';
import { FIXTURES, firstDifference, loadThumbnailGoldens, sha256, type ThumbnailGolden } from './helpers/thumbnails.js';

const goldens = loadThumbnailGoldens();
const BYTES_PER_PIXEL = { L: 1, LA: 2, RGB: 3, RGBA: 4 } as const;
let arena: Arena;
/** PNG decoding comes with the PNG codec; until it is in the core, the PNG cases wait. */
let pngDecodes = false;

const inputs = new Map<string, Uint8Array>();
function input(name: string): Uint8Array {
  let bytes = inputs.get(name);
  if (!bytes) inputs.set(name, bytes = readFileSync(new URL(name, FIXTURES)));
  return bytes;
}

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
  try {
    arena.probe(input('thumbs/camera_L_201x151.png'));
    pngDecodes = true;
  } catch {
    pngDecodes = false;
  }
});

afterAll(() => {
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

function check(golden: ThumbnailGolden): void {
  const bytes = input(golden.input);
  const options = { width: golden.width, height: golden.height, fit: golden.fit, filter: golden.filter };
  if (golden.draft !== undefined) expect(planThumbnail(arena.probe(bytes), options).reduce, 'draft scale').toBe(golden.draft);
  const image = thumbnail(arena, bytes, options);
  try {
    const { output } = golden;
    expect([image.mode, image.width, image.height]).toEqual([output.mode, output.width, output.height]);
    const pixels = image.toPixels();
    if (output.pixels) {
      const same = Buffer.compare(pixels, output.pixels) === 0;
      expect(same, firstDifference(pixels, output.pixels, output.width, BYTES_PER_PIXEL[output.mode])).toBe(true);
    } else {
      expect(sha256(pixels), 'SHA-256 of the pixels').toBe(output.sha256);
    }
  } finally {
    image.release();
  }
}

describe.each(['inside', 'cover', 'fill'] as const)('fit %s: Pillow\'s pixels', (fit) => {
  const jpeg = goldens.filter((g) => g.fit === fit && g.input.endsWith('.jpg'));
  const png = goldens.filter((g) => g.fit === fit && g.input.endsWith('.png'));
  it(`JPEG: ${jpeg.length} cases`, () => {
    for (const golden of jpeg) check(golden);
  });
  it(`PNG: ${png.length} cases`, (context) => {
    if (!pngDecodes) context.skip();
    for (const golden of png) check(golden);
  });
});

describe('what the goldens cover', () => {
  it('every draft scale, every orientation, every filter and mode', () => {
    const drafts = new Set(goldens.map((g) => g.draft).filter((d) => d !== undefined));
    expect([...drafts].sort()).toEqual([1, 2, 4, 8]);
    for (let o = 1; o <= 8; o++) expect(goldens.some((g) => g.input === `thumbs/coffee_orientation_${o}.jpg`)).toBe(true);
    expect(new Set(goldens.map((g) => g.filter)).size).toBe(6);
    expect(new Set(goldens.map((g) => g.output.mode))).toEqual(new Set(['L', 'LA', 'RGB', 'RGBA']));
  });
});

describe('planning', () => {
  it('the aspect-preserving size rounds as Pillow 9.4 (round_aspect)', () => {
    // Values worked by hand from Image.thumbnail's preserve_aspect_ratio.
    expect(thumbnailSize(640, 427, 256, 256)).toEqual([256, 171]);
    expect(thumbnailSize(427, 640, 256, 256)).toEqual([171, 256]);
    expect(thumbnailSize(451, 23, 64, 64)).toEqual([64, 3]);
    expect(thumbnailSize(19, 300, 20, 20)).toEqual([1, 20]);
    expect(thumbnailSize(1000, 1, 10, 10)).toEqual([10, 1]);
    expect(thumbnailSize(640, 427, 640, 427)).toBeUndefined();
    expect(thumbnailSize(640, 427, 5000, 100)).toEqual([150, 100]);
  });

  it('draft() picks the largest of 8, 4, 2, 1 under the smaller quotient', () => {
    expect(draftScale(6028, 3391, 512, 288)).toBe(8);
    expect(draftScale(640, 427, 512, 342)).toBe(1);
    expect(draftScale(640, 427, 200, 134)).toBe(2);
    expect(draftScale(640, 427, 128, 86)).toBe(4);
    expect(draftScale(640, 427, 100, 66)).toBe(4);
    expect(draftScale(640, 427, 64, 42)).toBe(8);
  });

  it('cover crops the centre of the output aspect, as ImageOps.fit', () => {
    expect(coverBox(640, 427, 100, 100)).toEqual([106.5, 0, 533.5, 427]);
    expect(coverBox(300, 600, 100, 50)).toEqual([0, 225, 300, 375]);
    expect(coverBox(200, 100, 50, 25)).toEqual([0, 0, 200, 100]);
  });

  it('the plan turns the size for orientations 5..8 and decodes JPEG drafted', () => {
    const info = arena.probe(input('thumbs/coffee_orientation_6.jpg'));
    expect([info.width, info.height, info.orientation]).toEqual([240, 360, 6]);
    const plan = planThumbnail(info, { width: 64, height: 64 });
    expect(plan).toMatchObject({ reduce: 2, transpose: 'rotate270', width: 64, height: 43, orientFirst: false });
    expect(planThumbnail(info, { width: 64, height: 64, fit: 'cover' })).toMatchObject({ reduce: 1, orientFirst: true, width: 64, height: 64 });
  });
});

describe('errors', () => {
  it('bad options name the option', () => {
    const bytes = input('thumbs/rocket.jpg');
    const cases: Array<[unknown, string]> = [
      [undefined, 'Expected integer between 1 and 1073741823 for options.width but received undefined'],
      [{ width: 0, height: 10 }, 'Expected integer between 1 and 1073741823 for options.width but received 0 of type number'],
      [{ width: 10, height: 2.5 }, 'Expected integer between 1 and 1073741823 for options.height but received 2.5 of type number'],
      [{ width: 10, height: 10, fit: 'contain' }, "Expected one of 'inside', 'cover', 'fill' for options.fit but received 'contain' of type string"],
      [{ width: 10, height: 10, filter: 'cubic' }, "Expected one of 'nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos' for options.filter but received 'cubic' of type string"],
    ];
    for (const [options, message] of cases) {
      expect(() => thumbnail(arena, bytes, options as never)).toThrow(message);
      try { thumbnail(arena, bytes, options as never); } catch (error) { expect((error as ArenaError).code).toBe('INVALID_ARGUMENT'); }
    }
  });

  it('empty, truncated and corrupt files are DECODE_FAILED and leave nothing behind', () => {
    const before = arena.stats();
    const photo = input('thumbs/rocket.jpg');
    const corrupt = photo.slice();
    corrupt.fill(0x55, 2000, 6000);
    for (const bytes of [new Uint8Array(0), photo.subarray(0, 100), photo.subarray(0, photo.length >> 1), new Uint8Array([1, 2, 3, 4, 5]), corrupt]) {
      for (const fit of ['inside', 'cover', 'fill'] as const) {
        let code: string | undefined;
        try {
          thumbnail(arena, bytes, { width: 64, height: 64, fit }).release();
        } catch (error) {
          code = (error as ArenaError).code;
        }
        expect(code).toBe('DECODE_FAILED');
      }
    }
    const after = arena.stats();
    expect(after.imagesLive).toBe(before.imagesLive);
    expect(after.bytesInUse).toBe(before.bytesInUse);
    arena.checkHeap();
  });

  it('the pixel limit holds whatever the draft', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, maxPixels: 100_000 });
    try {
      let code: string | undefined;
      try {
        thumbnail(small, input('thumbs/rocket.jpg'), { width: 32, height: 32 }).release();
      } catch (error) {
        code = (error as ArenaError).code;
      }
      expect(code).toBe('LIMIT_EXCEEDED');
      expect(small.stats().imagesLive).toBe(0);
    } finally {
      small.close();
    }
  });
});
