// Allocator benchmark: alloc+free pair latency from JS, aggregate throughput at 1, 2 and
// 4 workers against the same allocator behind one global lock, and image churn against
// fresh ArrayBuffers.

import { Worker } from 'node:worker_threads';
import { Arena } from '../dist/node.js';
import { createLock, Locked } from './lib/locked.mjs';
import { median, formatNumber, printTable } from './lib/report.mjs';

export const SIZES = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

export function pairLatency(target, size, { batches = 150, perBatch = 2000 } = {}) {
  for (let i = 0; i < 2000; i++) target.free(target.alloc(size));
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perBatch; i++) target.free(target.alloc(size));
    samples.push(Number(process.hrtime.bigint() - start) / perBatch);
  }
  return median(samples);
}

function pairInWorker(trackCalls) {
  const worker = new Worker(new URL('./workers/pair-worker.mjs', import.meta.url), { workerData: { trackCalls } });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).finally(() => worker.terminate());
}

async function throughput(arena, workers, locked, durationMs = 1000) {
  const control = new SharedArrayBuffer(8);
  const flags = new Int32Array(control);
  const lock = createLock();
  const threads = Array.from({ length: workers }, (_, i) => new Worker(new URL('./workers/alloc-worker.mjs', import.meta.url), {
    workerData: { shared: arena.shared, lock, control, sizes: SIZES, locked, hold: 32, seed: 7 + i },
  }));
  await Promise.all(threads.map((t) => new Promise((resolve) => t.once('message', resolve))));
  const results = threads.map((t) => new Promise((resolve) => t.once('message', resolve)));
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  Atomics.store(flags, 1, 1);
  const pairs = (await Promise.all(results)).reduce((a, b) => a + b, 0);
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(threads.map((t) => t.terminate()));
  return pairs / elapsed;
}

function churn(runs, f) {
  for (let i = 0; i < 20; i++) f();
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 20; i++) f();
    samples.push(Number(process.hrtime.bigint() - start) / 20 / 1000);
  }
  return median(samples);
}

export async function runAllocatorBench() {
  const arena = await Arena.create({ maxBytes: 1 << 30 });
  const locked = new Locked(arena, createLock());

  // Every size lock-free first, then with the lock: measured in turns, the lock's wrapper
  // would make the loop's call sites polymorphic and slow both columns down unevenly.
  const free = SIZES.map((size) => pairLatency(arena, size));
  const withLock = SIZES.map((size) => pairLatency(locked, size));
  const latencyRows = SIZES.map((size, i) => [
    `${size} B`, formatNumber(free[i], 'ns'), formatNumber(withLock[i], 'ns'), formatNumber(withLock[i] / free[i], '×'),
  ]);
  const overall = median(free);
  printTable('alloc+free pair from JS, one thread (median over 150 batches of 2000 pairs)',
    ['size', 'lock-free', 'global lock', 'lock / lock-free'], latencyRows);
  console.log(`\nmedian over sizes: ${formatNumber(overall, 'ns')} per pair (goal ≤ 200 ns)`);

  // What tracking calls costs (the default of a shared arena in browsers, Deno and Bun):
  // each in a fresh worker, alternated, three of each.
  const tracked = { false: [], true: [] };
  for (let round = 0; round < 3; round++) {
    for (const trackCalls of [false, true]) tracked[trackCalls].push(await pairInWorker(trackCalls));
  }
  printTable('alloc+free pair, one thread, median over sizes, each in a fresh worker (three runs each, alternated)',
    ['arena', 'runs', 'median'],
    [
      ['trackCalls: false (Node\'s default)', tracked.false.map((t) => formatNumber(t, 'ns')).join(', '), formatNumber(median(tracked.false), 'ns')],
      ['trackCalls: true (browsers, Deno, Bun)', tracked.true.map((t) => formatNumber(t, 'ns')).join(', '), formatNumber(median(tracked.true), 'ns')],
    ]);

  const rates = {};
  for (const workers of [1, 2, 4]) {
    rates[workers] = {
      free: await throughput(arena, workers, false),
      locked: await throughput(arena, workers, true),
    };
  }
  printTable('aggregate throughput, alloc+free pairs of mixed sizes 64 B .. 1 MiB (1 s per row)',
    ['workers', 'lock-free', 'vs 1 worker', 'global lock', 'vs 1 worker', 'lock-free / lock'],
    [1, 2, 4].map((w) => [
      String(w),
      formatNumber(rates[w].free / 1e6, 'M pairs/s'), formatNumber(rates[w].free / rates[1].free, '×'),
      formatNumber(rates[w].locked / 1e6, 'M pairs/s'), formatNumber(rates[w].locked / rates[1].locked, '×'),
      formatNumber(rates[w].free / rates[w].locked, '×'),
    ]));

  const bytes = 4 << 20;
  const arenaFill = churn(40, () => arena.image('RGBA', 1024, 1024, { fill: [1, 2, 3, 4] }).release());
  const bufferFill = churn(40, () => new Uint8Array(new ArrayBuffer(bytes)).fill(7));
  const arenaZero = churn(40, () => arena.image('RGBA', 1024, 1024).release());
  const bufferZero = churn(40, () => new ArrayBuffer(bytes));
  printTable('image churn, 4 MiB (1024×1024 RGBA): create, write, release (median µs per image)',
    ['case', 'pixel-arena', 'new ArrayBuffer', 'ArrayBuffer / arena'],
    [
      ['filled with a colour', formatNumber(arenaFill, 'µs'), formatNumber(bufferFill, 'µs'), formatNumber(bufferFill / arenaFill, '×')],
      ['zero-filled', formatNumber(arenaZero, 'µs'), formatNumber(bufferZero, 'µs'), formatNumber(bufferZero / arenaZero, '×')],
    ]);
  arena.close();
  return { overall, rates, arenaFill, bufferFill, arenaZero, bufferZero };
}
