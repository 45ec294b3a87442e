// Parts of the public contract (API.md) that the runtime examples wanted and found
// missing: Pool.decode / Pool.encode (decoding and encoding in a worker, the bytes copied
// into the arena once), and a probe that reads the header without allocating. The
// examples work around both (pool.run with their own tasks; a body limit far below the
// arena), and these tests fail until the library keeps the contract.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Arena, Pool, type Image } from '../dist/node.js';

const JPEG = new Uint8Array(readFileSync(new URL('./fixtures/thumbs/rocket.jpg', import.meta.url)));
const PNG = new Uint8Array(readFileSync(new URL('./fixtures/thumbs/camera_L_201x151.png', import.meta.url)));

describe('Pool.decode and Pool.encode (API.md: "decode in a worker", "encode")', () => {
  let arena: Arena;
  let pool: Pool;
  beforeAll(async () => {
    arena = await Arena.create({ maxBytes: 64 << 20 });
    pool = await Pool.create({ arena, workers: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    arena?.close();
  });

  it('decodes in a worker what arena.decode gives, and encodes what image.encode gives', async () => {
    const pooled = pool as unknown as {
      decode?: (bytes: Uint8Array, options?: object) => Promise<Image>;
      encode?: (image: Image, format: string, options?: object) => Promise<Uint8Array>;
    };
    expect(typeof pooled.decode, 'Pool.prototype.decode').toBe('function');
    expect(typeof pooled.encode, 'Pool.prototype.encode').toBe('function');
    for (const [bytes, options] of [[JPEG, { reduce: 2 }], [PNG, undefined]] as const) {
      const here = arena.decode(bytes, options);
      const there = await pooled.decode!(bytes, options);
      expect([there.mode, there.width, there.height]).toEqual([here.mode, here.width, here.height]);
      expect(Buffer.compare(there.toPixels(), here.toPixels())).toBe(0);
      expect(Buffer.compare(await pooled.encode!(there, 'jpeg', { quality: 70 }), here.encode('jpeg', { quality: 70 }))).toBe(0);
      [here, there].forEach((image) => image.release());
    }
    expect(arena.stats().imagesLive).toBe(0);
  });
});

describe('arena.probe (API.md: "the header only: no pixels decoded, nothing allocated")', () => {
  it('reads the header of a file larger than the arena', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    try {
      const file = new Uint8Array(6 << 20);
      file.set(PNG); // a valid PNG, then bytes after IEND that a reader never looks at
      const allocated = arena.stats().allocated;
      expect(arena.probe(file)).toMatchObject({ format: 'png', width: 201, height: 151, mode: 'L' });
      expect(arena.stats().allocated).toBe(allocated);
    } finally {
      arena.close();
    }
  });
});
