// PNG encoding: every mode, level 0..9 and filter, on photographs and synthetic images,
// read back by our decoder to the same pixels, by Pillow (where installed) to the same
// pixels, and passed by pngcheck (where installed); the file's structure (IHDR, IDAT
// chunks of sensible size, IEND, CRCs); nothing left allocated.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Arena, type Image, type Mode } from '../dist/node.js';
import { hasPillow, hasPngcheck, pillowRead, pngcheckRead, sha256 } from './helpers/codecs.js';
import { crc32 } from './helpers/png-writer.js';
import { expectSameBytes } from './helpers/bytes.js';
import { noise } from './helpers/images.js';

const MODES: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
const FILTERS = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'] as const;
const BANDS: Record<Mode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

/** Photograph crops and synthetic patterns in every mode (alpha: a gradient with holes). */
function inputs(arena: Arena): Array<[string, Image]> {
  const photo = arena.decode(new Uint8Array(readFileSync(new URL('./fixtures/photos/coffee_300x200.png', import.meta.url))));
  const out: Array<[string, Image]> = [];
  for (const mode of MODES) {
    const base = photo.convert(mode);
    if (mode === 'LA' || mode === 'RGBA') {
      const pixels = base.toPixels();
      const bands = BANDS[mode];
      for (let i = 0; i < pixels.length / bands; i++) pixels[i * bands + bands - 1] = (i * 7) % 300 > 255 ? 0 : (i * 7) % 256;
      out.push([`photo ${mode}`, arena.fromPixels(mode, base.width, base.height, pixels)]);
      base.release();
    } else {
      out.push([`photo ${mode}`, base]);
    }
    const [w, h] = [97, 61];
    const synthetic = new Uint8Array(w * h * BANDS[mode]);
    const grain = noise(synthetic.length, 7);
    for (let i = 0; i < synthetic.length; i++) {
      const x = Math.floor(i / BANDS[mode]) % w;
      synthetic[i] = x < 30 ? 200 : x < 60 ? (i * 3) & 255 : grain[i]!; // flat, gradient, noise
    }
    out.push([`synthetic ${mode}`, arena.fromPixels(mode, w, h, synthetic)]);
  }
  photo.release();
  return out;
}

/** The chunks of a PNG, with their CRCs checked. */
function chunksOf(file: Uint8Array): Array<{ type: string; data: Uint8Array }> {
  expect(Array.from(file.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(file.buffer, file.byteOffset, file.length);
  const out: Array<{ type: string; data: Uint8Array }> = [];
  for (let at = 8; at < file.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(crc32(file.subarray(at + 4, at + 8 + length)));
    out.push({ type, data: file.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return out;
}

describe('PNG encoding', () => {
  it('round-trips every mode at every level and filter through our decoder', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20, debug: true });
    for (const [name, image] of inputs(arena)) {
      const pixels = image.toPixels();
      const sizes: number[] = [];
      for (let level = 0; level <= 9; level++) {
        for (const filter of FILTERS) {
          const png = image.encode('png', { level, filter });
          const back = arena.decode(png);
          expect([back.mode, back.width, back.height]).toEqual([image.mode, image.width, image.height]);
          expectSameBytes(back.toPixels(), pixels, `${name} level ${level} filter ${filter}`);
          back.release();
          if (filter === 'adaptive') sizes.push(png.length);
        }
      }
      // level 0 stores; every other level compresses these images
      for (let level = 1; level <= 9; level++) expect(sizes[level]!, `${name} level ${level}`).toBeLessThan(sizes[0]!);
      image.release();
    }
    expect(arena.stats().imagesLive).toBe(0);
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('writes IHDR, IDAT chunks of at most a few hundred KiB, and IEND, with a zlib stream holding the filtered rows', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20 });
    const w = 700, h = 500;
    const image = arena.fromPixels('RGB', w, h, noise(w * h * 3, 3));
    for (const level of [0, 1, 6, 9]) {
      const chunks = chunksOf(image.encode('png', { level, filter: 'none' }));
      expect(chunks[0]!.type).toBe('IHDR');
      expect(Array.from(chunks[0]!.data)).toEqual([0, 0, 2, 188, 0, 0, 1, 244, 8, 2, 0, 0, 0]);
      expect(chunks[chunks.length - 1]).toMatchObject({ type: 'IEND', data: new Uint8Array(0) });
      const data = chunks.slice(1, -1);
      expect(data.every((c) => c.type === 'IDAT')).toBe(true);
      expect(data.length).toBeGreaterThan(4);
      for (const c of data) expect(c.data.length).toBeLessThan(512 << 10);
      const raw = inflateSync(Buffer.concat(data.map((c) => c.data)));
      expect(raw.length).toBe((w * 3 + 1) * h);
      for (let y = 0; y < h; y++) expect(raw[y * (w * 3 + 1)]).toBe(0);
    }
    image.release();
    arena.close();
  });

  it('encodes images of one pixel, one row, one column, and images of many blocks', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, debug: true });
    for (const mode of MODES) {
      for (const [w, h] of [[1, 1], [1, 300], [3000, 1], [257, 129]] as const) {
        const pixels = noise(w * h * BANDS[mode], w + h);
        const image = arena.fromPixels(mode, w, h, pixels);
        for (const level of [0, 5, 9]) {
          const back = arena.decode(image.encode('png', { level }));
          expectSameBytes(back.toPixels(), pixels, `${mode} ${w}x${h} level ${level}`);
          back.release();
        }
        image.release();
      }
    }
    arena.checkHeap();
    arena.close();
  });

  it.skipIf(!hasPillow())('is read by Pillow to the same pixels', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20 });
    const files: Uint8Array[] = [];
    const expected: Array<{ mode: Mode; width: number; height: number; sha256: string }> = [];
    for (const [, image] of inputs(arena)) {
      for (const [level, filter] of [[0, 'none'], [1, 'sub'], [6, 'adaptive'], [9, 'paeth'], [4, 'average'], [2, 'up']] as const) {
        files.push(image.encode('png', { level, filter }));
        expected.push({ mode: image.mode, width: image.width, height: image.height, sha256: sha256(image.toPixels()) });
      }
      image.release();
    }
    expect(pillowRead(files)).toEqual(expected);
    arena.close();
  });

  it.skipIf(!hasPngcheck())('passes pngcheck', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20 });
    const files: Uint8Array[] = [];
    for (const [, image] of inputs(arena)) {
      for (const level of [0, 1, 6, 9]) files.push(image.encode('png', { level }));
      image.release();
    }
    const verdicts = pngcheckRead(files);
    expect(verdicts.filter((v) => v !== null)).toEqual([]);
    arena.close();
  });
});

if (!hasPillow()) console.warn('png-encode: /usr/bin/python3 with Pillow not found, the Pillow read-back case is skipped');
if (!hasPngcheck()) console.warn('png-encode: pngcheck not found, the pngcheck case is skipped');
