// The schedule explorer (test/explore): a short run of every scenario against the real
// core, and the proof that it finds the bugs of the explore-mutant core: the double
// hand-out of the slab code as it was before claim and decision became one CAS, and a
// block put back after a short pop without settling a lowered bound. `npm run explore`
// runs it for as long as you like.
import { describe, expect, it } from 'vitest';
import { explore } from './explore/explore.mjs';
import { scenarios } from './explore/scenarios.mjs';

// Budgets are counted in schedules, not seconds: a schedule is the same run on any machine,
// so a loaded machine takes longer but explores the same schedules.
describe('schedule explorer', () => {
  it.each(Object.keys(scenarios))('%s: every schedule leaves one owner per block and a clean heap', (scenario) => {
    const schedules = scenario.startsWith('growth') ? 800 : 4000;
    const result = explore({ scenario, seed: 2024, schedules, kills: 1 });
    expect(result.failure).toBeUndefined();
    expect(result.schedules).toBe(schedules);
  }, 120_000);

  it('finds the double hand-out when the slab fix is reverted, and replays it exactly', () => {
    const found = explore({ scenario: 'slab-cross-free', seed: 7, schedules: 40_000, kills: 0, variant: 'explore-mutant' });
    expect(found.failure).toBeDefined();
    console.log(`explore-mutant, seed 7: failed at schedule ${found.failure!.schedule} (${found.schedules} schedules, ${found.seconds.toFixed(1)} s): ${found.failure!.message}`);
    const replayed = explore({ scenario: 'slab-cross-free', seed: 7, replay: found.failure!.schedule, kills: 0, variant: 'explore-mutant' });
    expect(replayed.failure?.message).toBe(found.failure!.message);
    // The same schedule on the real core is clean.
    expect(explore({ scenario: 'slab-cross-free', seed: 7, replay: found.failure!.schedule, kills: 0 }).failure).toBeUndefined();
  }, 240_000);

  it('finds a lowered bound left unsettled when a block put back after a short pop does not settle', () => {
    const found = explore({ scenario: 'short-pop', seed: 11, schedules: 20_000, kills: 0, variant: 'explore-mutant' });
    expect(found.failure?.message).toMatch(/blocks cached over a bound of \d+ with every operation finished/);
    console.log(`explore-mutant short-pop, seed 11: failed at schedule ${found.failure!.schedule} (${found.seconds.toFixed(1)} s): ${found.failure!.message}`);
    expect(explore({ scenario: 'short-pop', seed: 11, replay: found.failure!.schedule, kills: 0 }).failure).toBeUndefined();
  }, 240_000);
});
