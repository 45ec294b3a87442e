// Premultiplied alpha as Pillow's Convert.c computes it (rgbA2rgba, rgba2rgbA), checked on
// every (colour, alpha) pair against the integer formulas written out here.
import { describe, expect, it } from 'vitest';
import { Arena } from '../dist/node.js';
import { rawCore } from './helpers/core.js';

const muldiv255 = (c: number, a: number) => { const t = c * a + 128; return ((t >> 8) + t) >> 8; };
const unpremultiply = (c: number, a: number) => (a === 0 || a === 255 ? c : Math.min(255, Math.floor((255 * c) / a)));

describe('premultiplied alpha', () => {
  it('matches Pillow for every colour and alpha, in 4-pixel steps and one by one', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20 });
    const raw = await rawCore(arena);
    // 257 columns so that rows end with a pixel outside the 4-pixel steps.
    const width = 257;
    const pixels = new Uint8Array(width * 256 * 4);
    for (let a = 0; a < 256; a++) for (let x = 0; x < width; x++) {
      const c = x & 255;
      pixels.set([c, (c + 85) & 255, (c + 170) & 255, a], (a * width + x) * 4);
    }
    const source = arena.fromPixels('RGBA', width, 256, pixels);
    const premultiplied = arena.image('RGBA', width, 256);
    const restored = arena.image('RGBA', width, 256);
    raw.core.premultiplyImage!(raw.addressOf(premultiplied), raw.addressOf(source), 0, 256);
    raw.core.unpremultiplyImage!(raw.addressOf(restored), raw.addressOf(premultiplied), 0, 256);
    const p = premultiplied.toPixels(), r = restored.toPixels();
    let wrong = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const a = pixels[i + 3]!;
      for (let band = 0; band < 3; band++) {
        const expected = muldiv255(pixels[i + band]!, a);
        if (p[i + band] !== expected || r[i + band] !== unpremultiply(expected, a)) wrong++;
      }
      if (p[i + 3] !== a || r[i + 3] !== a) wrong++;
    }
    expect(wrong).toBe(0);
    [source, premultiplied, restored].forEach((image) => image.release());
    raw.close();
    expect(arena.stats().imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });
});
