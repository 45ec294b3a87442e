// The thumbs CLI's job order: what a file's first 64 KiB say (size, progressive) against
// Pillow's probe of the same files (test/goldens/jpeg-decode.json), and the order it makes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { headerHint, workEstimate } from '../src/cli/work.js';
import { loadJpegGoldens, jpegPath, type JpegProbeGolden } from './helpers/jpeg.js';

const HEAD = 64 * 1024;
const jpegs = loadJpegGoldens().filter((g) => !('error' in g.probe) && jpegPath(g.name) !== undefined);

describe('header hints', () => {
  it.each(jpegs.map((g) => [g.name, g.probe as JpegProbeGolden] as const))('%s: size and progressive as Pillow reads them', (name, probe) => {
    const head = readFileSync(jpegPath(name)!).subarray(0, HEAD);
    expect(headerHint(head, 'jpeg')).toEqual({ width: probe.width, height: probe.height, progressive: probe.progressive });
  });

  const suite = JSON.parse(readFileSync(new URL('./goldens/pngsuite.json', import.meta.url), 'utf8')) as {
    files: Record<string, { width: number; height: number; interlaced: boolean }>;
  };
  it.each(Object.entries(suite.files))('PngSuite %s: size and interlacing as Pillow reads them', (name, golden) => {
    const head = readFileSync(new URL(`./fixtures/pngsuite/${name}`, import.meta.url)).subarray(0, HEAD);
    expect(headerHint(head, 'png')).toEqual({ width: golden.width, height: golden.height, progressive: golden.interlaced });
  });

  it('reads QOI headers, and gives up on what it cannot read', () => {
    const png = readFileSync(new URL('./fixtures/pngsuite/basi0g01.png', import.meta.url));
    const qoi = new Uint8Array([0x71, 0x6f, 0x69, 0x66, 0, 0, 1, 0, 0, 0, 0, 200, 4, 0]);
    expect(headerHint(qoi, 'qoi')).toEqual({ width: 256, height: 200, progressive: false });
    const jpeg = readFileSync(jpegPath(jpegs[0]!.name)!);
    expect(headerHint(jpeg.subarray(0, 10), 'jpeg')).toBeUndefined(); // cut before the frame header
    expect(headerHint(new Uint8Array([0xFF, 0xD8, 0x00, 0x00, 0x00, 0x00]), 'jpeg')).toBeUndefined();
    expect(headerHint(png.subarray(0, 20), 'png')).toBeUndefined();
  });

  it('puts a small progressive JPEG before a larger baseline one', () => {
    const progressive = workEstimate(750_000, 'jpeg', { width: 2560, height: 1600, progressive: true });
    const baseline = workEstimate(2_000_000, 'jpeg', { width: 4000, height: 3000, progressive: false });
    expect(progressive).toBeGreaterThan(baseline);
    expect(workEstimate(2_000_000, 'jpeg', undefined)).toBe(baseline);
  });
});
