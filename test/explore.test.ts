// The schedule explorer (test/explore): a short run of every scenario against the real
// core, and the proof that it finds the double hand-out of the slab code as it was before
// claim and decision became one CAS (the explore-mutant core). `npm run explore` runs it
// for as long as you like.
import { describe, expect, it } from 'vitest';
import { explore } from './explore/explore.mjs';
import { scenarios } from './explore/scenarios.mjs';

describe('schedule explorer', () => {
  it.each(Object.keys(scenarios))('%s: every schedule leaves one owner per block and a clean heap', (scenario) => {
    const result = explore({ scenario, seed: 2024, seconds: 4, kills: 1 });
    expect(result.failure).toBeUndefined();
    expect(result.schedules).toBeGreaterThan(scenario === 'growth' ? 200 : 1000);
  });

  it('finds the double hand-out when the slab fix is reverted (replay of a known schedule)', () => {
    const result = explore({ scenario: 'slab-cross-free', seed: 1, replay: 8561, kills: 0, variant: 'explore-mutant' });
    expect(result.failure?.message).toMatch(/heap check|two owners|written by someone else|core assertion/);
  });

  it('finds it by search, from a fresh seed, within 30 s', () => {
    const result = explore({ scenario: 'slab-cross-free', seed: 7, seconds: 30, kills: 0, variant: 'explore-mutant' });
    expect(result.failure).toBeDefined();
    console.log(`explore-mutant, seed 7: failed after ${result.schedules} schedules (${result.seconds.toFixed(1)} s): ${result.failure!.message}`);
  }, 60_000);
});
