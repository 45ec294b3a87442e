// `npm run stress`: the long allocator stress. Many seeds, more workers than cores, the
// debug core (invariant asserts) and the release core, with and without memory pressure.
// Exits non-zero on the first problem.
import { availableParallelism } from 'node:os';
import { execFileSync } from 'node:child_process';
import { runStress } from '../helpers/stress.mjs';
import { terminateAtRandom } from '../helpers/termination.mjs';

const rounds = Number(process.env.STRESS_ROUNDS ?? 12);
const workers = availableParallelism() * 4;
let failures = 0;
for (let round = 0; round < rounds; round++) {
  const config = {
    workers, seed: 100 + round, operations: 40_000, debug: round % 2 === 0,
    maxSize: [8 << 20, 2040, 64 << 10, 1 << 20][round % 4],
    maxBytes: [192 << 20, 64 << 20, 48 << 20, 512 << 20][round % 4],
    blocksMax: [0, 8, 64, 256][(round >> 1) % 4],
    // Every third round: 1–2 KiB blocks freed by other workers beside zero-headed pages.
    ...(round % 3 === 2 ? { sizes: [1272, 1272, 1272, 2000, 3500, 4000], zeroHeads: true, giveShare: 0.4, maxBytes: 64 << 20 } : {}),
  };
  const { results, heap, stats, elapsed } = await runStress(config);
  const problems = results.flatMap((r) => [...r.errors, ...r.badStamps, ...r.conflicts]);
  const allocated = results.reduce((n, r) => n + r.allocated, 0);
  const full = results.reduce((n, r) => n + r.full, 0);
  const ok = problems.length === 0 && heap.liveBlocks === 0 && stats.blocksInUse === 0 && stats.blocksCached <= config.blocksMax;
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} round ${round}: ${workers} workers, ${config.debug ? 'debug' : 'release'} core, sizes ≤ ${config.maxSize} B, `
    + `${allocated} blocks, ${full} ARENA_FULL, ${elapsed.toFixed(0)} ms${problems.length ? `\n  ${problems.slice(0, 5).join('\n  ')}` : ''}`);
}
// Termination at random moments: workers stopped inside core calls, reclaimed, the heap checked.
const terminations = Number(process.env.STRESS_TERMINATIONS ?? 120);
for (const debug of [true, false]) {
  const started = performance.now();
  try {
    const { reclaimed } = await terminateAtRandom({ workers, rounds: Math.ceil(terminations / workers), seed: debug ? 71 : 72, debug });
    console.log(`ok   termination: ${reclaimed} workers terminated at random moments and reclaimed, ${debug ? 'debug' : 'release'} core, ${(performance.now() - started).toFixed(0)} ms`);
  } catch (error) {
    failures++;
    console.log(`FAIL termination (${debug ? 'debug' : 'release'} core): ${error.message}`);
  }
}
// The reclaim fence with real threads: a thread entering calls against reclaim(id, false).
const litmusSeconds = Number(process.env.STRESS_LITMUS_SECONDS ?? 30);
for (const name of ['fence-store-load', 'fence-harm']) {
  const script = new URL(`../litmus/${name}.mjs`, import.meta.url).pathname;
  try {
    const out = execFileSync(process.execPath, [script, String(litmusSeconds)], { encoding: 'utf8' }).trim().split('\n').pop();
    console.log(`ok   ${name}: ${litmusSeconds} s, ${out}`);
  } catch (error) {
    failures++;
    console.log(`FAIL ${name}: ${(error.stdout ?? error.message).trim().split('\n').pop()}`);
  }
}
console.log(failures === 0 ? `stress passed: ${rounds} rounds and the terminations` : `stress failed: ${failures} problems`);
process.exit(failures === 0 ? 0 : 1);
