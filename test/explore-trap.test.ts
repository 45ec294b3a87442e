// A call cut short by a trap (not a death: the thread lives on, and its next call finishes
// or undoes what the cut call left open) at the one place where a block goes back into a
// cache under a lowered bound: the put-back after a short pop. A directed schedule on the
// explorer's machine (test/explore), searched over the two switch points that matter.
//
//   1. blocksMax 4. The owner frees a 32-page block, then a 33-page one (one size class).
//   2. The owner's alloc of 33 pages sees the 33-page block on top, and is switched out.
//   3. The thief, whose cache is empty, steals that block.
//   4. The owner pops the 32-page block (too short) and is switched out holding it.
//   5. The steward lowers the bound to 0: it evicts everything it can find; the pool stays
//      in debt by the block the owner holds.
//   6. The owner puts the block back, and traps at the first schedule point of the settle.
//   7. The owner's next call must settle: then the caches hold at most blocksMax blocks.
import { describe, expect, it } from 'vitest';
import { Machine, loadModule } from './explore/machine.mjs';
import { context } from './explore/scenarios.mjs';

const SHORT = 32 * 4096;
const LONG = 33 * 4096;
const SLOTS_BASE = 2048;
const SLOT_FRAME_DEPTH = 12;
const SLOT_FRAMES = 384;
const FRAME_PHASE = 4;
const OP_ALLOCATE = 3;
const PAGE_REPUSHED = 24;
const CREDIT_POOL = 1024 + 128;

interface Outcome { trapped: boolean; cachedAfter?: number; blocksMaxAfter?: number; poolAfter?: bigint }

function attempt(machine: Machine, raceAt: number, holdAt: number): Outcome {
  const memory = () => machine.memory!.buffer;
  const pool = () => new BigInt64Array(memory(), CREDIT_POOL, 1)[0]!;
  const [owner, thief, steward] = machine.threads as [any, any, any];
  const u32 = () => new Uint32Array(memory());
  const ownerFrame = () => {
    const slot = SLOTS_BASE + owner.slot * machine.slotSize;
    const words = u32();
    if (words[(slot + SLOT_FRAME_DEPTH) >> 2] !== 1) return undefined;
    return { op: words[(slot + SLOT_FRAMES) >> 2], phase: words[(slot + SLOT_FRAMES + FRAME_PHASE) >> 2] };
  };
  let stage = 'setup';
  let points = 0;
  const outcome: Outcome = { trapped: false };
  const strategy = {
    name: 'directed',
    countdown: () => 1,
    onPoint(thread: unknown) {
      if (thread !== owner) return 'continue';
      points++;
      if (stage === 'race' && points === raceAt) { stage = 'steal'; return 'switch'; }
      if (stage === 'hold' && points === holdAt) { stage = 'lower'; return 'switch'; }
      if (stage === 'settle' && !outcome.trapped && pool() < 0n) {
        const frame = ownerFrame();
        if (frame?.op === OP_ALLOCATE && frame.phase === PAGE_REPUSHED) { outcome.trapped = true; return 'trap'; }
      }
      return 'continue';
    },
    pick(runnable: unknown[]) {
      const want = stage === 'steal' ? thief : stage === 'lower' ? steward : owner;
      return runnable.includes(want) ? want : runnable[0];
    },
    onPause() {},
  };
  machine.reset(strategy);
  const ctx = context(machine);
  function* ownerProgram(thread: any): Generator<any, void, any> {
    const short = yield ctx.alloc(SHORT);
    const long = yield ctx.alloc(LONG);
    yield ctx.free(thread, short);
    yield ctx.free(thread, long);
    stage = 'race';
    points = 0;
    const again = yield ctx.alloc(LONG);
    if (again) yield ctx.free(thread, again);
    if (!outcome.trapped) return;
    const small = yield ctx.alloc(100); // the next call: enter() recovers the cut one first
    const stats = machine.stats();
    outcome.cachedAfter = stats.blocksCached;
    outcome.blocksMaxAfter = stats.blocksMax;
    outcome.poolAfter = pool();
    if (small) yield ctx.free(thread, small);
  }
  function* thiefProgram(thread: any): Generator<any, void, any> {
    const block = yield ctx.alloc(LONG);
    if (block) yield ctx.free(thread, block);
    stage = 'hold';
    points = 0;
  }
  function* stewardProgram(): Generator<any, void, any> {
    yield ctx.setBlocksMax(0);
    stage = 'settle';
  }
  machine.run([ownerProgram(owner), thiefProgram(thief), stewardProgram()]);
  return outcome;
}

describe('a call cut short by a trap', () => {
  it('inside the settle after a short pop: the thread\'s next call settles the lowered bound', () => {
    const machine = new Machine(loadModule('explore'), { threads: 3, maxBytes: 4 << 20, blocksMax: 4 });
    let found: Outcome | undefined;
    for (let raceAt = 1; raceAt <= 8 && !found; raceAt++) {
      for (let holdAt = 1; holdAt <= 8 && !found; holdAt++) {
        const outcome = attempt(machine, raceAt, holdAt);
        if (outcome.trapped) found = outcome;
      }
    }
    // The schedule exists: some pair of switch points leads the owner into the settle in debt.
    expect(found).toBeDefined();
    expect(found!.blocksMaxAfter).toBe(0);
    expect(found!.cachedAfter).toBe(0);
    expect(found!.poolAfter).toBe(0n);
    expect(machine.heapCheck()).toBe(0);
  });
});
