// Parts of the public contract (API.md) that the runtime examples rely on: Pool.decode /
// Pool.encode (decoding and encoding in a worker, the bytes copied into the arena once),
// and a probe that reads the header without holding on to anything, whatever the file's size.
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
  it('reads the header of a file larger than the arena, taking no more than a small prefix for a moment', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    try {
      const file = new Uint8Array(6 << 20);
      file.set(PNG); // a valid PNG, then bytes after IEND that a reader never looks at
      const before = arena.stats();
      expect(arena.probe(file)).toMatchObject({ format: 'png', width: 201, height: 151, mode: 'L' });
      const after = arena.stats();
      expect([after.bytesInUse, after.blocksInUse, after.imagesLive]).toEqual([before.bytesInUse, before.blocksInUse, before.imagesLive]);
      expect(after.peakBytesInUse - before.peakBytesInUse).toBeLessThanOrEqual(128 << 10);
    } finally {
      arena.close();
    }
  });

  it('reads a JPEG header that lies past the first prefix (a large APP segment before the frame header)', async () => {
    const arena = await Arena.create({ maxBytes: 4 << 20 });
    try {
      // JPEG: SOI, then 3 APP15 segments of 65533 payload bytes, then the rest of the file.
      const pad = new Uint8Array(3 * (4 + 65533));
      for (let i = 0; i < 3; i++) pad.set([0xff, 0xef, 0xff, 0xff], i * (4 + 65533));
      const file = new Uint8Array(JPEG.length + pad.length);
      file.set(JPEG.subarray(0, 2));
      file.set(pad, 2);
      file.set(JPEG.subarray(2), 2 + pad.length);
      const plain = arena.probe(JPEG);
      expect(arena.probe(file)).toEqual(plain);
      const here = arena.decode(file);
      expect([here.width, here.height]).toEqual([plain.width, plain.height]);
      here.release();
    } finally {
      arena.close();
    }
  });
});
