// Share/adopt/release races between workers: handles adopted by one of two racing
// workers exactly once, images whose last reference is dropped in another thread, images
// made in workers and released on the main thread; afterwards no image and no reference
// is left.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { Arena } from '../dist/node.js';
import { seededRandom } from './helpers/random.mjs';

function expectedPixel(id: number): number[] {
  return [id & 255, (id >> 8) & 255, 7, 255];
}

describe('image handles across workers', () => {
  it('adopts every handle exactly once and frees every image', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20, blocksMax: 16, debug: true });
    const random = seededRandom(99);
    const count = 5;
    const workers = Array.from({ length: count }, (_, i) => new Worker(new URL('./workers/handles-worker.mjs', import.meta.url), {
      workerData: { shared: arena.shared, seed: 500 + i },
    }));
    const reports: Array<Record<string, unknown> & { errors: string[] }> = [];
    let made = 0, madeBad = 0, expectedMade = 0;
    const finished = new Promise<void>((resolve, reject) => {
      workers.forEach((worker) => {
        worker.on('error', reject);
        worker.on('message', (message) => {
          if (message.type === 'pass') {
            random.pick(workers).postMessage({ type: 'handle', id: message.id, hops: message.hops, handle: message.handle });
          } else if (message.type === 'made') {
            const image = arena.adopt(message.handle);
            const pixels = image.toPixels();
            const [r, g] = expectedPixel(message.id);
            if (pixels[0] !== r || pixels[1] !== g) madeBad++;
            image.release();
            made++;
          } else if (message.type === 'report') {
            reports.push(message.report);
            if (reports.length === count) resolve();
          }
        });
      });
    });
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));

    let raced = 0, sent = 0;
    for (let id = 0; id < 400; id++) {
      const image = arena.image('RGBA', 1 + (id % 23), 1 + (id % 31), { fill: expectedPixel(id) });
      const copies = random.int(1, 3);
      for (let c = 0; c < copies; c++) {
        const handle = image.share();
        const first = random.pick(workers);
        first.postMessage({ type: 'handle', id, hops: 2, handle });
        sent++;
        if (random.next() < 0.3) {
          // The same handle to a second worker: only one of the two may adopt it.
          const second = workers[(workers.indexOf(first) + 1) % count]!;
          second.postMessage({ type: 'handle', id, hops: 0, handle });
          raced++;
        }
      }
      image.release(); // the last reference is now in some worker's hands
      if (id % 50 === 0) {
        const worker = random.pick(workers);
        worker.postMessage({ type: 'make', firstId: 10_000 + id, count: 20 });
        expectedMade += 20;
      }
    }
    // Wait until the passing settles: all made images adopted here and passes done.
    const deadline = Date.now() + 30_000;
    while ((made < expectedMade || arena.stats().imagesLive > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    workers.forEach((w) => w.postMessage({ type: 'finish' }));
    await finished;
    await Promise.all(workers.map((w) => w.terminate()));

    const sum = (key: string) => reports.reduce((n, r) => n + (r[key] as number), 0);
    for (const r of reports) expect(r.errors).toEqual([]);
    expect(sum('badPixels')).toBe(0);
    expect(sum('lost')).toBe(raced);                      // every raced handle was refused once
    expect(sum('adopted')).toBe(sent + sum('passed'));    // and every other handle adopted once
    expect(made).toBe(expectedMade);
    expect(madeBad).toBe(0);
    const stats = arena.stats();
    expect(stats.imagesLive).toBe(0);
    const heap = arena.checkHeap();
    expect(heap.liveReferences).toBe(0);
    expect(heap.liveBlocks).toBe(0);
    arena.close();
  });
});
