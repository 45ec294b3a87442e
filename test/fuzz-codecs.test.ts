// A short run of the codec fuzzer (test/helpers/fuzz-codecs.mjs; long runs: `npm run
// fuzz`): mutated PNG, QOI, JPEG (once it has seeds) and zlib inputs give an image or
// DECODE_FAILED / UNSUPPORTED / LIMIT_EXCEEDED, never a trap, within a time bound, with
// the arena's counters unchanged. FUZZ_SEED picks another seed than the fixed one.
import { describe, expect, it } from 'vitest';
import { Arena } from '../dist/node.js';
import { fuzz } from './helpers/fuzz-codecs.mjs';

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const BUDGET: Record<string, number> = { png: 5, qoi: 2.5, jpeg: 3, inflate: 2.5 };

describe('codec fuzzing', () => {
  it.each(Object.keys(BUDGET))('%s: only ArenaErrors, bounded time, nothing leaked', async (format) => {
    const arena = await Arena.create({ maxBytes: 512 << 20, debug: true });
    const result = await fuzz({ arena, format, seed: SEED, seconds: BUDGET[format]!, maxMs: 3000 });
    if (result.skipped) {
      console.warn(`fuzz ${format}: skipped (${result.skipped})`);
      arena.close();
      return;
    }
    expect(result.failures, JSON.stringify(result.failures.slice(0, 3))).toEqual([]);
    expect(result.executions).toBeGreaterThan(500);
    // the mutations reach past the first checks: some inputs still decode
    expect(result.outcomes.OK ?? 0).toBeGreaterThan(0);
    expect(result.outcomes.DECODE_FAILED ?? 0).toBeGreaterThan(0);
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });
});
