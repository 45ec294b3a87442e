// The web entry of the package in other runtimes, really started: Deno and Bun from their
// npm packages, and Debian's Chromium through playwright-core with a cross-origin isolated
// page. Each runs test/runtimes/smoke.mjs (arena, kernels, a pool of module Workers with
// tasks) and test/runtimes/codecs.mjs (PNG and JPEG decoded, resized by a pool of two
// workers, encoded; decodes and encodes inside the workers), and must give exactly what
// the Node entry gives.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Arena } from '../dist/node.js';
import { serveRepository } from './helpers/server.js';

const run = promisify(execFile);
const smoke = fileURLToPath(new URL('./runtimes/smoke.mjs', import.meta.url));
const codecs = fileURLToPath(new URL('./runtimes/codecs.mjs', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

let expected: Record<string, unknown>;
let expectedCodecs: Record<string, unknown>;

/** The files of codecs.mjs (below test/fixtures) and the size each is resized to. */
const CODEC_FILES: Array<[name: string, width: number, height: number]> = [
  ['thumbs/rocket.jpg', 160, 107],
  ['thumbs/camera_gray_progressive.jpg', 150, 113],
  ['photos/chelsea.png', 150, 100],
  ['thumbs/coffee_RGBA_240x180.png', 100, 75],
  ['thumbs/camera_LA_201x151.png', 67, 50],
];
const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  // The same computations through the Node entry (whose kernels the golden tests check).
  const arena = await Arena.create({ maxBytes: 64 << 20 });
  const image = arena.fromPixels('RGB', 4, 2, new Uint8Array(24).map((_, i) => i * 10));
  const small = image.resize(2, 1, { filter: 'bilinear' });
  const grey = image.convert('L');
  expected = {
    shared: true, tracksCalls: true, untrackedPool: 'INVALID_ARGUMENT', untrackedLeftAttached: 1,
    resized: Array.from(small.toPixels()), size: 3, sum: 42, means: [105, 115, 125],
    grey: Array.from(grey.toPixels()), parallelResized: Array.from(small.toPixels()), failed: 'boom',
    abortCodes: ['ABORTED'], reclaimedReferences: true, imagesLive: 0, attachments: 1, liveBlocks: 0,
  };
  [image, small, grey].forEach((i) => i.release());
  arena.close();

  // codecs.mjs in one thread: the pool's kernels give the one-thread method's bytes.
  const codecArena = await Arena.create({ maxBytes: 128 << 20 });
  const files: Record<string, unknown> = {};
  for (const [name, width, height] of CODEC_FILES) {
    const bytes = new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
    const decoded = codecArena.decode(bytes);
    const resized = decoded.resize(width, height, { filter: 'lanczos' });
    const opaque = resized.mode === 'RGBA' ? resized.convert('RGB') : resized.mode === 'LA' ? resized.convert('L') : resized;
    const reduced = codecArena.decode(bytes, name.endsWith('.jpg') ? { reduce: 2 } : undefined);
    files[name] = {
      mode: decoded.mode,
      size: [decoded.width, decoded.height],
      decoded: hash(decoded.toPixels()),
      resized: hash(resized.toPixels()),
      png: hash(resized.encode('png')),
      jpeg: hash(opaque.encode('jpeg', { quality: 85 })),
      workerDecoded: [reduced.width, reduced.height, hash(reduced.toPixels())],
      workerJpeg: hash(opaque.encode('jpeg', { quality: 60, subsampling: '4:4:4' })),
    };
    if (opaque !== resized) opaque.release();
    [decoded, resized, reduced].forEach((i) => i.release());
  }
  codecArena.close();
  expectedCodecs = { files, shared: true, workers: 2, imagesLive: 0, liveBlocks: 0 };
});

function lastJsonLine(output: string): Record<string, unknown> {
  const line = output.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result in output:\n${output}`);
  return JSON.parse(line);
}

describe('other runtimes', () => {
  // Deno is installed by .ci/run (npm install --no-save deno), not by npm ci.
  it.runIf(existsSync(bin('deno')))('Deno runs the web entry, its workers and tasks', async () => {
    const { stdout } = await run(bin('deno'), ['run', '--allow-read', smoke], { timeout: 60_000 });
    expect(lastJsonLine(stdout)).toEqual(expected);
  });

  it('Bun runs the web entry, its workers and tasks', async () => {
    const { stdout } = await run(bin('bun'), [smoke], { timeout: 60_000 });
    expect(lastJsonLine(stdout)).toEqual(expected);
  });

  it.runIf(existsSync(bin('deno')))('Deno decodes, resizes through two workers and encodes PNG and JPEG as Node does', async () => {
    const { stdout } = await run(bin('deno'), ['run', '--allow-read', codecs], { timeout: 60_000 });
    expect(lastJsonLine(stdout)).toEqual(expectedCodecs);
  });

  it('Bun decodes, resizes through two workers and encodes PNG and JPEG as Node does', async () => {
    const { stdout } = await run(bin('bun'), [codecs], { timeout: 60_000 });
    expect(lastJsonLine(stdout)).toEqual(expectedCodecs);
  });

  it.runIf(existsSync('/usr/bin/chromium'))('Chromium runs it in a cross-origin isolated page', async () => {
    const { isolated, result } = await runPage('/test/runtimes/browser.html', true);
    expect(isolated).toBe(true);
    expect(result).toEqual(expected);
  });

  it.runIf(existsSync('/usr/bin/chromium'))('Chromium decodes, resizes through two workers and encodes PNG and JPEG as Node does', async () => {
    const { isolated, result } = await runPage('/test/runtimes/codecs.html', true);
    expect(isolated).toBe(true);
    expect(result).toEqual(expectedCodecs);
  });
});

describe('a page that is not cross-origin isolated', () => {
  it.runIf(existsSync('/usr/bin/chromium'))('falls back to a one-thread arena and refuses a pool', async () => {
    const { isolated, result } = await runPage('/test/runtimes/plain.html', false);
    expect(isolated).toBe(false);
    expect(result).toEqual({ shared: false, resized: expected.resized, tracksCalls: false, pool: 'UNSUPPORTED', imagesLive: 0 });
  });
});

/** Opens a page of the repository in Debian's Chromium; returns the JSON line it logs. */
async function runPage(path: string, isolated: boolean): Promise<{ isolated: boolean; result: Record<string, unknown> }> {
  const server = await serveRepository(isolated);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await browser.newPage();
    const result = new Promise<Record<string, unknown>>((resolve) => {
      page.on('console', (message) => {
        if (message.text().startsWith('{')) resolve(JSON.parse(message.text()));
      });
    });
    await page.goto(`${server.url}${path}`);
    return { isolated: await page.evaluate(() => globalThis.crossOriginIsolated), result: await result };
  } finally {
    await browser.close();
    await server.close();
  }
}
