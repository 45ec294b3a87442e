// Codecs and the thumbnail plan against input a careless or hostile user would give: each
// case here failed when it was written, and states what the library must do instead.
// What held up (malformed, truncated and lying PNG, QOI and JPEG, odd options, inputs that
// are not Uint8Arrays) is covered by the other codec tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Arena, ArenaError, Pool, planThumbnail, thumbnail } from '../dist/node.js';
import { grayPng } from './helpers/png-writer.js';
import { readFileSync } from 'node:fs';

function held(arena: Arena): [number, number] {
  const s = arena.stats();
  return [s.bytesInUse, s.imagesLive];
}

function codeOf(run: () => unknown): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    return error instanceof ArenaError ? error.code : `raw ${String(error)}`;
  }
}

describe('images whose rows cost more than their pixels (1 pixel wide, millions of rows)', () => {
  it('pool.decode of one that can never fit in the arena fails at once, without waiting for memory', async () => {
    // Guards against (seen before the fix): decode's ARENA_FULL counts pixels only (10 MB for 1×10,000,000 L), so the pool takes
    // it for memory that may come free and waits memoryTimeout, although the image needs ~160 MB.
    const arena = await Arena.create({ maxBytes: 64 << 20 });
    const pool = await Pool.create({ arena, workers: 3, memoryTimeout: 6000 });
    try {
      const bytes = grayPng(1, 10_000_000);
      const started = performance.now();
      const error = await pool.decode(bytes).then((image) => { image.release(); return undefined; }, (e: unknown) => e);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(ArenaError);
      expect(elapsed, `rejected after ${elapsed.toFixed(0)} ms`).toBeLessThan(3000);
      expect(held(arena)).toEqual([0, 0]);
    } finally {
      await pool.close();
      arena.close();
    }
  }, 20_000);

  it('planThumbnail does not promise what the arena cannot hold', async () => {
    // Guards against (seen before the fix): the plan of a 1×20,000,000 gray PNG (39 KB) says 24 MiB, well inside a 96 MiB arena;
    // thumbnail() then fails with ARENA_FULL (row alignment and the row table are not counted).
    const arena = await Arena.create({ maxBytes: 96 << 20, maxPixels: 64_000_000, shared: false });
    try {
      const bytes = grayPng(1, 20_000_000);
      const options = { width: 64, height: 64, fit: 'inside' } as const;
      const plan = planThumbnail(arena.probe(bytes), options);
      const budget = 0.9 * arena.stats().bytesMax;
      const planFits = plan.bytesNeeded + bytes.length <= budget;
      const outcome = codeOf(() => thumbnail(arena, bytes, options).release());
      // A plan within the budget (what the CLI and the edge resizer check) must mean the thumbnail is made.
      expect(planFits ? outcome : 'refused from the plan', `plan ${(plan.bytesNeeded / 2 ** 20).toFixed(1)} MiB`)
        .toMatch(/^(ok|refused from the plan)$/);
      expect(held(arena)).toEqual([0, 0]);
      arena.checkHeap();
    } finally {
      arena.close();
    }
  });
});

describe('the plan of a progressive JPEG counts the coefficients its decode holds', () => {
  // A plan within the budget (0.9 of the arena, what the CLI and the edge resizer check)
  // must mean the thumbnail is made, whatever the arena's size. Guards against (seen before
  // the fix): a 2200×2200 progressive CMYK JPEG (79 KB) planned at 28 MiB, 6 bytes a pixel
  // for "3 samples at most", fails with ARENA_FULL in a 34 or 36 MiB arena: its decode
  // holds 4 components of coefficients, 37 MiB.
  const cmyk = readFileSync(new URL('./fixtures/jpeg/plan/cmyk_progressive_2200.jpg', import.meta.url));
  const made = async (subsampling: '4:2:0' | '4:4:4' | undefined, mode: 'RGB' | 'L') => {
    const arena = await Arena.create({ maxBytes: 128 << 20, shared: false });
    try {
      const side = 2200;
      const pixels = new Uint8Array(side * side * (mode === 'RGB' ? 3 : 1));
      for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 12)) & 255;
      const image = arena.fromPixels(mode, side, side, pixels);
      try {
        return image.encode('jpeg', { progressive: true, quality: 30, ...(subsampling ? { subsampling } : {}) });
      } finally {
        image.release();
      }
    } finally {
      arena.close();
    }
  };

  it.each([
    ['CMYK (Pillow)', async () => cmyk],
    ['RGB 4:2:0', () => made('4:2:0', 'RGB')],
    ['RGB 4:4:4', () => made('4:4:4', 'RGB')],
    ['gray', () => made(undefined, 'L')],
  ])('%s: in every arena from 16 to 48 MiB, a plan that fits is a thumbnail made', async (_, file) => {
    const bytes = await file();
    const seen: string[] = [];
    for (let mib = 16; mib <= 48; mib += 2) {
      const arena = await Arena.create({ maxBytes: mib << 20, shared: false });
      try {
        const options = { width: 64, height: 64 } as const;
        const plan = planThumbnail(arena.probe(bytes), options);
        const planFits = plan.bytesNeeded + bytes.length <= 0.9 * arena.stats().bytesMax;
        const outcome = planFits ? codeOf(() => thumbnail(arena, bytes, options).release()) : 'refused';
        seen.push(`${mib} MiB: ${outcome}`);
        expect(held(arena)).toEqual([0, 0]);
      } finally {
        arena.close();
      }
    }
    expect(seen.filter((line) => !/: (ok|refused)$/.test(line)), seen.join(', ')).toEqual([]);
    // And the estimate is not so loose that it refuses what fits easily.
    expect(seen.at(-1)).toBe('48 MiB: ok');
  }, 60_000);
});

describe('messages and codes', () => {
  let arena: Arena;
  beforeAll(async () => {
    arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
  });
  afterAll(() => {
    expect(held(arena)).toEqual([0, 0]);
    arena.checkHeap();
    arena.close();
  });

  it('a picture over maxPixels is refused naming the pixel limit, not the arena\'s size', () => {
    // Guards against (seen before the fix): every format says "decode(png): the request is larger than the arena" for an 8×8
    // picture in a 64 MiB arena, when it is options.maxPixels (63) that refuses it.
    const image = arena.fromPixels('RGB', 8, 8, new Uint8Array(8 * 8 * 3));
    const files = { png: image.encode('png'), jpeg: image.encode('jpeg'), qoi: image.encode('qoi') };
    image.release();
    for (const [format, bytes] of Object.entries(files)) {
      let error: ArenaError | undefined;
      try {
        arena.decode(bytes, { maxPixels: 63 }).release();
      } catch (e) {
        error = e as ArenaError;
      }
      expect(error?.code, format).toBe('LIMIT_EXCEEDED');
      expect(error?.message, format).not.toMatch(/larger than the arena/);
      expect(error?.message, format).toMatch(/8×8|64 pixels/);
      expect(error?.message, format).toMatch(/maxPixels|63/);
    }
  });

  it('an empty image is refused alike by every encoder, as an argument error', () => {
    // Guards against (seen before the fix): JPEG says INVALID_ARGUMENT "cannot write an empty image (0×5) as JPEG"; PNG and QOI say
    // UNSUPPORTED "the data is valid but uses a feature this library does not handle".
    const empty = arena.image('RGB', 0, 5);
    try {
      const outcomes = Object.fromEntries((['png', 'qoi', 'jpeg'] as const).map((format) => {
        try {
          empty.encode(format);
          return [format, 'ok'];
        } catch (error) {
          return [format, `${(error as ArenaError).code} ${/0×5/.test((error as Error).message) ? 'names the size' : (error as Error).message}`];
        }
      }));
      expect(outcomes).toEqual({
        png: 'INVALID_ARGUMENT names the size',
        qoi: 'INVALID_ARGUMENT names the size',
        jpeg: 'INVALID_ARGUMENT names the size',
      });
    } finally {
      empty.release();
    }
  });
});
