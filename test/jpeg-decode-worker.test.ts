// The JPEG decoder on other threads: workers attached to one shared arena decode corpus
// files (baseline, progressive, arithmetic, reduced, refused) and hand the images back as handles;
// the main thread finds Pillow's pixels in them, and nothing is left once all are released.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Arena } from '../dist/node.js';
import { loadJpegGoldens, jpegPath, expectDecode, type JpegDecodeGolden } from './helpers/jpeg.js';

const goldens = new Map(loadJpegGoldens().map((g) => [g.name, g]));
const JOBS: Array<[string, 1 | 2 | 4 | 8]> = [
  ['corpus/sample_2x2.jpg', 1], ['corpus/progressive_420.jpg', 1], ['corpus/smooth_partial.jpg', 2],
  ['corpus/ycck_420_odd.jpg', 1], ['corpus/restart_1row_420.jpg', 4], ['corpus/gray_odd.jpg', 8],
  ['photos/coldripple_2560x1600.jpg', 2], ['corpus/arithmetic_progressive_restart.jpg', 1], ['corpus/precision_12.jpg', 1],
];

describe('decode in worker threads', () => {
  it('decodes into the shared arena from two workers at once', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
    const workers = [0, 1].map(() => new Worker(new URL('./workers/jpeg-decode-worker.mjs', import.meta.url), {
      workerData: { shared: arena.shared },
    }));
    const results: Array<{ path: string; reduce: number; handle?: never; code?: string }> = [];
    await Promise.all(workers.map((worker, w) => new Promise<void>((resolve, reject) => {
      const mine = JOBS.filter((_, i) => i % 2 === w);
      worker.on('error', reject);
      worker.on('message', (message) => {
        if (message.ready) {
          for (const [name, reduce] of mine) worker.postMessage({ path: jpegPath(name), reduce });
          return;
        }
        results.push(message);
        if (results.filter((r) => mine.some(([n]) => jpegPath(n) === r.path)).length === mine.length) resolve();
      });
    })));
    for (const worker of workers) worker.postMessage({});
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.on('exit', resolve))));

    expect(results.length).toBe(JOBS.length);
    for (const [name, reduce] of JOBS) {
      const result = results.find((r) => r.path === jpegPath(name) && r.reduce === reduce)!;
      if (name.includes('precision_12')) {
        expect(result.code).toBe('UNSUPPORTED');
        continue;
      }
      const image = arena.adopt(result.handle!);
      expectDecode(`${name} reduce ${reduce} in a worker`, image, goldens.get(name)!.decode[reduce] as JpegDecodeGolden);
      image.release();
    }
    expect(arena.stats().imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });
});
