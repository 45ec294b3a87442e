// One thread's alloc+free pair latency in a fresh isolate (its call sites see one arena
// only): an arena created with the given trackCalls; posts the median over sizes.
import { parentPort, workerData } from 'node:worker_threads';
import { Arena } from '../../dist/node.js';
import { pairLatency, SIZES } from '../allocator.mjs';
import { median } from '../lib/report.mjs';

const arena = await Arena.create({ maxBytes: 1 << 30, trackCalls: workerData.trackCalls });
parentPort.postMessage(median(SIZES.map((size) => pairLatency(arena, size))));
arena.close();
