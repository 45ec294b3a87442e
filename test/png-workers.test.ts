// Decoding in workers: several worker_threads attached to one arena decode many PNGs at
// once (valid, corrupt and re-encoded ones); every image they hand back equals the one
// this thread decodes, and the arena's counters return to where they started.
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Arena, ArenaError, type ImageHandle } from '../dist/node.js';
import { expectSameBytes } from './helpers/bytes.js';

const SUITE = new URL('./fixtures/pngsuite/', import.meta.url);

type Result = { handle: ImageHandle } | { code: string };

function talk(worker: Worker) {
  return (message: unknown) => new Promise<{ type: string; results?: Result[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(message);
  });
}

describe('PNG decoding in workers', () => {
  it('decodes many files at once in four workers to the bytes of a one-thread decode', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
    const files: Uint8Array[] = readdirSync(SUITE).filter((n) => n.endsWith('.png')).map((n) => new Uint8Array(readFileSync(new URL(n, SUITE))));
    const photo = arena.decode(new Uint8Array(readFileSync(new URL('./fixtures/photos/chelsea.png', import.meta.url))));
    for (const level of [1, 6, 9]) files.push(photo.encode('png', { level }));
    photo.release();
    // what one thread makes of each file
    const expected = files.map((bytes) => {
      try {
        const image = arena.decode(bytes);
        const out = { mode: image.mode, width: image.width, pixels: image.toPixels() };
        image.release();
        return out;
      } catch (error) {
        return { code: (error as ArenaError).code };
      }
    });
    const start = arena.stats();
    const workers = Array.from({ length: 4 }, () => new Worker(new URL('./workers/png-worker.mjs', import.meta.url), {
      workerData: { shared: arena.shared },
    }));
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    for (let round = 0; round < 3; round++) {
      // each worker gets every file, in its own order, so that all decode at once
      const orders = workers.map((_, k) => files.map((_, i) => (i * (k + 1) * 7 + round) % files.length));
      const replies = await Promise.all(workers.map((w, k) => talk(w)({ type: 'decode', files: orders[k]!.map((i) => files[i]) })));
      replies.forEach((reply, k) => {
        reply.results!.forEach((result, j) => {
          const want = expected[orders[k]![j]!]!;
          if ('code' in result) {
            expect(want).toEqual({ code: result.code });
            return;
          }
          const image = arena.adopt(result.handle);
          expect('code' in want).toBe(false);
          const w = want as { mode: string; width: number; pixels: Uint8Array };
          expect([image.mode, image.width]).toEqual([w.mode, w.width]);
          expectSameBytes(image.toPixels(), w.pixels, `round ${round} worker ${k} file ${orders[k]![j]}`);
          image.release();
        });
      });
    }
    await Promise.all(workers.map((w) => talk(w)({ type: 'close' })));
    await Promise.all(workers.map((w) => w.terminate()));
    const end = arena.stats();
    expect([end.bytesInUse, end.blocksInUse, end.imagesLive]).toEqual([start.bytesInUse, start.blocksInUse, start.imagesLive]);
    expect(end.imagesLive).toBe(0);
    arena.checkHeap();
    arena.close();
  });
});
