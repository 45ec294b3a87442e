// The thumbs CLI's job order: what a file's first 64 KiB say (size, progressive) against
// Pillow's probe of the same files (test/goldens/jpeg-decode.json), and the order it makes.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { HEAVY_BYTES, headerHint, holdsWholeImage, jobOrder, workEstimate } from '../src/cli/work.js';
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

describe('job order', () => {
  it('takes a decode that holds the whole image for heavy', () => {
    expect(holdsWholeImage('jpeg', { width: 2560, height: 1600, progressive: true })).toBe(true);
    expect(holdsWholeImage('jpeg', { width: 6000, height: 4000, progressive: false })).toBe(false); // row by row into its draft
    expect(holdsWholeImage('jpeg', { width: 800, height: 600, progressive: true })).toBe(false); // 1.4 MB of coefficients
    expect(holdsWholeImage('png', { width: 2000, height: 2000, progressive: false })).toBe(true); // 16 MB of pixels
    expect(holdsWholeImage('png', { width: 2048, height: 1024, progressive: false })).toBe(true); // exactly HEAVY_BYTES
    expect(holdsWholeImage('png', { width: 2047, height: 1024, progressive: false })).toBe(false);
    expect(2048 * 1024 * 4).toBe(HEAVY_BYTES);
    expect(holdsWholeImage('qoi', { width: 1000, height: 1000, progressive: false })).toBe(false);
    expect(holdsWholeImage('jpeg', undefined)).toBe(false);
  });

  const job = (name: string, work: number, heavy: boolean) => ({ name, work, heavy });
  const names = (jobs: Array<{ name: string }>) => jobs.map((j) => j.name);

  it('with one worker, the longest first (ties in the given order)', () => {
    const jobs = [job('a', 3, true), job('b', 9, true), job('c', 5, false), job('d', 9, false)];
    expect(names(jobOrder(jobs, 1))).toEqual(['b', 'd', 'c', 'a']);
  });

  it('with two workers, a heavy job waits while the other worker runs one and a light job is left', () => {
    // t=0: H10 on one worker; H9 would be the second heavy: L8 instead. t=8: H10 still runs:
    // L7. t=10: nothing heavy runs: H9.
    const jobs = [job('H9', 9, true), job('L7', 7, false), job('H10', 10, true), job('L8', 8, false)];
    expect(names(jobOrder(jobs, 2))).toEqual(['H10', 'L8', 'L7', 'H9']);
    // With no light job left, heavy jobs run side by side.
    expect(names(jobOrder([job('H1', 5, true), job('H2', 4, true), job('H3', 3, true)], 2))).toEqual(['H1', 'H2', 'H3']);
  });

  it('orders a folder of 50,000 files in under two seconds', () => {
    // Taking jobs off the front of one list made this quadratic: 13 s for 50,000 on 8 workers.
    const jobs = Array.from({ length: 50_000 }, (_, i) => job(String(i), (i * 7919) % 1000, i % 2 === 0));
    for (const workers of [2, 8]) {
      const start = performance.now();
      const order = jobOrder(jobs, workers);
      expect(performance.now() - start).toBeLessThan(2000);
      expect(new Set(order).size).toBe(jobs.length);
    }
  });

  it('with four workers, two heavy jobs at once', () => {
    const jobs = [job('H1', 10, true), job('H2', 9, true), job('H3', 8, true), job('L1', 2, false), job('L2', 1, false)];
    // t=0: H1, H2, then H3 would be a third: L1, then L2. t=1 (L2 ends): two heavy still run,
    // and no light job is left: H3.
    expect(names(jobOrder(jobs, 4))).toEqual(['H1', 'H2', 'L1', 'L2', 'H3']);
  });
});
