// The schedule explorer: runs the scenarios of scenarios.mjs under many schedules, each
// chosen from a seed, and checks after each that nothing was handed to two owners, that
// every owner's stamp survived, and that the heap walker finds the arena consistent with
// every thread reclaimed. Two strategies, alternating: random switches, and PCT
// (probabilistic concurrency testing: random thread priorities with a few priority change
// points, which finds bugs of small depth with a known probability). Either may kill a
// thread at a schedule point; a live thread then reclaims it, as a pool does.
//
//   npm run explore -- [--minutes N | --schedules N] [--seed S] [--scenario NAME]
//                      [--kills N] [--core explore|explore-mutant]
//
// A failure prints the seed and schedule number, which replay it exactly (--replay).

import { Machine, Violation, loadModule, ARENA_ID } from './machine.mjs';
import { context, scenarios } from './scenarios.mjs';
import { buildDeep, buildPreempt, deepPointKinds } from './build-deep.mjs';

/** A small seeded PRNG (mulberry32). */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (random, n) => Math.floor(random() * n);

/** Schedule points a strategy lets a thread run at most before it decides (the machine caps countdowns at more). */
const MAX_RUN = 4000;

class RandomSwitches {
  constructor(random, kills) {
    this.random = random;
    this.kills = kills;
    this.switchRate = 0.05 + random() * 0.6;
    this.killRate = kills > 0 ? 0.002 + random() * 0.05 : 0;
    this.name = 'random';
  }
  /**
   * At each point: a kill with probability killRate (while kills remain), else a switch
   * with probability switchRate. The points up to the next of either are drawn at once
   * (geometric): the machine runs them without asking.
   */
  countdown() {
    const kill = this.kills > 0 ? this.killRate : 0;
    const event = 1 - (1 - kill) * (1 - this.switchRate);
    const points = 1 + Math.floor(Math.log(1 - this.random()) / Math.log(1 - event));
    // Past the machine's longest countdown the draw starts again there (no memory).
    this.due = points <= MAX_RUN ? (this.random() * event < kill ? 'kill' : 'switch') : undefined;
    return Math.min(points, MAX_RUN);
  }
  onPoint(thread, machine) {
    const due = this.due;
    this.due = undefined;
    if (due === 'kill') {
      if (this.kills > 0 && killAllowed(machine, thread)) { this.kills--; return 'kill'; }
      return 'continue';
    }
    return due === 'switch' ? 'switch' : 'continue';
  }
  pick(runnable) {
    return runnable[int(this.random, runnable.length)];
  }
  onKillPoint(thread, machine) {
    return deepKill(this, thread, machine);
  }
  onPreempt(thread, machine) {
    return preemptSwitch(this, thread, machine);
  }
}

/**
 * explore-preempt core: a few switches at plain loads and stores, at points drawn over
 * about as many such points as a run has; the thread switched away from gets the lowest
 * priority under PCT (so that the others run on before it resumes).
 */
function planPreemptions(strategy, random, expected) {
  strategy.preemptSeen = 0;
  const count = 1 + int(random, 6);
  strategy.preemptAt = new Set(Array.from({ length: count }, () => 1 + int(random, Math.max(1, expected))));
}

function preemptSwitch(strategy, thread, machine) {
  if (!strategy.preemptAt || !strategy.preemptAt.has(++strategy.preemptSeen)) return 'continue';
  if (strategy.priority) strategy.priority.set(thread.index, -1 - strategy.preemptSeen);
  return machine.threads.some((t) => t !== thread && t.runnable) ? 'switch' : 'continue';
}

/** Does the scenario let `thread` be killed now? (scenario.killFilter; default: anywhere) */
function killAllowed(machine, thread) {
  return machine.killFilter ? machine.killFilter(thread, machine) : true;
}

/**
 * explore-deep core: kill at the n-th function entry or loop header of the run, n drawn
 * from about as many such points as a run has (shared by both strategies).
 */
function planDeepKills(strategy, random, kills, expected) {
  strategy.deepSeen = 0;
  strategy.deepKillAt = new Set(kills > 0 ? Array.from({ length: kills }, () => 1 + int(random, Math.max(1, expected))) : []);
}

function deepKill(strategy, thread, machine) {
  if (!strategy.deepKillAt) return 'continue';
  if (strategy.deepKillAt.has(++strategy.deepSeen)) strategy.deepPending = (strategy.deepPending ?? 0) + 1;
  if (strategy.deepPending > 0 && killAllowed(machine, thread)) { strategy.deepPending--; return 'kill'; }
  return 'continue';
}

class PriorityChanges {
  constructor(random, threads, kills, { depth = 3, steps = 400 } = {}) {
    this.random = random;
    this.name = 'pct';
    const order = Array.from({ length: threads }, (_, i) => i).sort(() => random() - 0.5);
    this.priority = new Map(order.map((thread, rank) => [thread, depth + rank]));
    this.changes = new Map();
    for (let d = 1; d < depth; d++) this.changes.set(1 + int(random, steps), d);
    this.killAt = kills > 0 ? new Set(Array.from({ length: kills }, () => 1 + int(random, steps))) : new Set();
    this.steps = 0;
  }
  /** Points up to the next step where something happens: a kill, a priority change (or a pending kill: at once). */
  countdown() {
    if (this.pendingKills > 0) return 1;
    let next = this.steps + MAX_RUN;
    for (const step of this.changes.keys()) if (step > this.steps && step < next) next = step;
    for (const step of this.killAt) if (step > this.steps && step < next) next = step;
    return next - this.steps;
  }
  /** Points that passed with no decision at their end (an operation ended first). */
  skip(passed) {
    this.steps += passed;
  }
  onPoint(thread, machine, passed) {
    this.steps += passed;
    // A kill that falls where the scenario does not want one waits for the next place it does.
    if (this.killAt.has(this.steps)) this.pendingKills = (this.pendingKills ?? 0) + 1;
    if (this.pendingKills > 0 && killAllowed(machine, thread)) { this.pendingKills--; return 'kill'; }
    const lowered = this.changes.get(this.steps);
    if (lowered !== undefined) this.priority.set(thread.index, lowered);
    const top = this.pick(machine.threads.filter((t) => t.runnable));
    return top === thread ? 'continue' : 'switch';
  }
  onPause(thread) {
    this.priority.set(thread.index, 0);
  }
  onKillPoint(thread, machine) {
    return deepKill(this, thread, machine);
  }
  onPreempt(thread, machine) {
    return preemptSwitch(this, thread, machine);
  }
  pick(runnable) {
    let best = runnable[0];
    for (const t of runnable) if (this.priority.get(t.index) > this.priority.get(best.index)) best = t;
    return best;
  }
}

const VIOLATIONS = {
  1: 'a taken page that no run covers', 2: 'the page bitmap calls a free page taken',
  3: 'a page inside a run that is not an inner page', 4: 'a free page whose entry is not empty',
  5: 'a cache stack holds a block that is not cached', 6: 'cached blocks found differ from the count',
  7: 'slab granules and small-block headers disagree', 8: 'blocks in use differ from allocations minus frees',
  9: 'cached blocks plus credits differ from blocksMax', 10: 'pages held differ from the pages taken',
  11: 'a live reference names a dead image', 12: 'image reference counts or live images disagree',
  13: 'an operation left unfinished',
};

/** After a run: everyone reclaimed, leftovers freed, then the arena must be spotless. */
function settle(machine, ctx) {
  for (const thread of machine.threads) {
    if ((thread.state === 'dead' || thread.fenced) && !thread.reclaimed) machine.reclaimFromController(thread);
  }
  const c = machine.controller;
  const free = (block) => {
    const status = c.release(block.ptr, block.tag);
    if (status !== 0) throw new Violation(`leftover block ${block.ptr} (tag ${block.tag}) of a dead thread gave ${status}`);
    machine.unclaim(block.ptr, block.size);
  };
  for (const thread of machine.threads) {
    if (thread.state !== 'dead' && !thread.fenced) continue;
    for (const block of thread.blocks.values()) free(block);
    // Scratch blocks are the core's: reclaim freed them.
    for (const block of thread.scratch.values()) {
      if (c.blockLive(block.ptr, block.tag) !== 0) throw new Violation(`scratch block ${block.ptr} (tag ${block.tag}) of a reclaimed thread is still live`);
      for (const [g, owner] of machine.ledger) if (owner.scratchOf === block) machine.ledger.delete(g);
    }
    thread.scratch.clear();
    // A free cut short by the kill: finished by reclaim, or never begun.
    if (thread.freeing) {
      const status = c.release(thread.freeing.ptr, thread.freeing.tag);
      if (status !== 0 && status !== 2) throw new Violation(`the block a dead thread was freeing gave ${status}`);
    }
  }
  // Mail nobody took: blocks are freed, handles adopted and released (a dead sender's are gone).
  for (const box of ctx.mailboxes) {
    for (const item of box.splice(0)) {
      if (item.ptr !== undefined) { free(item); continue; }
      const image = c.imageAdopt(item.record, item.tag, 0 /* L */, item.width, item.height, ARENA_ID);
      if (image === 0) {
        const sender = machine.threads[item.from];
        if (sender.state !== 'dead' && !sender.fenced && !machine.reclaimedOrReclaiming(item.fromId)) {
          throw new Violation('a live thread\'s handle could not be adopted');
        }
        continue;
      }
      if (c.imageRelease(item.record, item.tag) !== 0) throw new Violation('releasing an adopted leftover failed');
    }
  }
  // A thread that detached while a handle it shared was still on its way keeps its slot
  // until reclaimed (a pool reclaims every worker that leaves): here that handle's
  // receiver died before adopting it.
  for (const thread of machine.threads) {
    if (thread.state === 'done' && machine.slotState(thread) === 'detached') machine.reclaimFromController(thread);
  }
  // Attachments a thread left before attaching again (scenario attach-churn): one still
  // DETACHED because a record names it is reclaimed as a pool would; the others are gone.
  for (const thread of machine.threads) {
    // A thread killed inside attach may hold a slot it could not name: found by its token.
    for (const token of thread.tokens ?? []) {
      const id = c.attachmentOfToken(token);
      if (id >= 0 && !(thread.state === 'done' && id === thread.id)) {
        const dropped = c.reclaim(id, 1);
        if (dropped < 0 && dropped !== -3) throw new Violation(`reclaim of the attachment of token ${token} gave ${dropped}`);
      }
    }
    for (const id of thread.pastIds ?? []) {
      const dropped = c.reclaim(id, 1);
      if (dropped < 0 && dropped !== -3) throw new Violation(`reclaim of past attachment ${id} gave ${dropped}`);
    }
  }
  if (machine.ledger.size !== 0) {
    const owners = [...new Set([...machine.ledger.values()].map((o) => o.label ?? o))].join(', ');
    throw new Violation(`${machine.ledger.size} granules still claimed after every block was freed (${owners})`);
  }
  const status = machine.heapCheck();
  if (status !== 0) throw new Violation(`heap check: ${VIOLATIONS[status] ?? status}`);
  const stats = machine.stats();
  if (stats.blocksInUse !== 0 || stats.imagesLive !== 0 || stats.bytesInUse !== 0) {
    throw new Violation(`leak: ${JSON.stringify(stats)}`);
  }
  if (stats.attachments !== 1) throw new Violation(`${stats.attachments - 1} slots still taken after every thread left`);
  noPageLost(machine);
}

/**
 * No byte lost: once every cache is flushed and every empty slab retired, the only pages
 * still taken are record chunks (never given back). A slab that no stack, no thread and
 * no block holds any more (lost while listed, or left active by a thread that died) passes
 * the heap walker, but not this.
 */
function noPageLost(machine) {
  const c = machine.controller;
  if (c.cacheClear(0) < 0) throw new Violation('clearCache refused at the end');
  const status = c.heapCheck();
  if (status !== 0) throw new Violation(`heap check after clearCache: ${VIOLATIONS[status] ?? status}`);
  const walk = new Float64Array(machine.memory.buffer, 2048 + (machine.controllerId % 256) * machine.slotSize + 256, 16);
  const [cached, slabs, chunks, held] = [walk[2], walk[4], walk[5], walk[10]];
  if (cached !== 0 || slabs !== 0 || held !== chunks) {
    throw new Violation(`pages lost: ${held} pages held after clearCache(0), ${chunks} of them record chunks, ${slabs} slab pages, ${cached} cached blocks`);
  }
  recordCensus(machine);
}

/**
 * Every reference record is free once everything is released, and each free record is on
 * exactly one slot's free list: a record on two lists (or a live one on a list) would be
 * handed out twice; one on no list is lost.
 */
function recordCensus(machine) {
  const mem = machine.memory.buffer;
  const u32 = new Uint32Array(mem);
  const records = new Set();
  let chunkCount = 0;
  for (let chunk = u32[(1024 + 448) >> 2]; chunk !== 0; chunk = u32[chunk >> 2]) {
    if (++chunkCount > 10_000) throw new Violation('the record chunk list loops');
    for (let i = 1; i < 256; i++) {
      const record = chunk + i * 16;
      if ((u32[record >> 2] & 0xff) !== 0 || u32[(record + 4) >> 2] !== 0) throw new Violation(`record ${record} is still taken at the end`);
      records.add(record);
    }
  }
  const listed = new Set();
  for (let slot = 0; slot < 128; slot++) {
    for (let record = u32[(2048 + slot * machine.slotSize + 52) >> 2]; record !== 0; record = u32[(record + 12) >> 2]) {
      if (!records.has(record)) throw new Violation(`slot ${slot}'s free list holds ${record}, not a record of any chunk`);
      if (listed.has(record)) throw new Violation(`record ${record} is on a free list twice`);
      listed.add(record);
    }
  }
  if (listed.size !== records.size) throw new Violation(`${records.size - listed.size} free records on no free list`);
}

/**
 * Explores one scenario. Returns { schedules, points, seconds, failure? } where failure
 * holds { schedule, message, trace } for the first schedule that broke a rule.
 * @param {{ scenario: string, seed?: number, schedules?: number, seconds?: number, kills?: number,
 *   variant?: string, replay?: number, start?: number }} options
 * @returns {{ schedules: number, points: number, seconds: number,
 *   failure?: { scenario: string, seed: number, schedule: number, strategy: string, message: string,
 *     killed: string[], threads: string, trace?: string } }}
 */
export function explore({ scenario: name, seed = 1, schedules = Infinity, seconds = Infinity, kills = 1, variant = "explore", replay, start = 0 } = {}) {
  const scenario = scenarios[name];
  if (!scenario) throw new Error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`);
  const deep = variant === 'explore-deep';
  const preempting = variant === 'explore-preempt';
  if (deep) buildDeep();
  if (preempting) buildPreempt();
  const machine = new Machine(loadModule(variant), {
    threads: scenario.threads, maxBytes: scenario.maxBytes ?? (2 << 20), growth: scenario.growth ?? false,
    blocksMax: scenario.blocksMax ?? 8, blockSize: scenario.blockSize ?? 65536, boundWhenIdle: scenario.boundWhenIdle ?? false,
    trackCalls: scenario.trackCalls ?? false,
    killKinds: deep ? deepPointKinds() : undefined,
  });
  // explore-deep: how many kill points a run has (one calibration run without kills), so
  // that deep kills spread over all of it; the same for every schedule, so replays match.
  let expectedKillPoints = 0;
  let expectedPreemptPoints = 0;
  if (deep || preempting) {
    machine.reset(new RandomSwitches(seeded(0), 0));
    machine.killFilter = undefined;
    const ctx = context(machine);
    machine.run(scenario.programs(ctx, machine.threads, machine));
    expectedKillPoints = machine.killPoints;
    expectedPreemptPoints = machine.preemptPoints;
  }
  const started = performance.now();
  let points = 0;
  let run = 0;
  const killed = { atPoints: 0, atEntries: 0, atLoops: 0, inReclaim: 0 };
  const first = replay ?? start;
  const last = replay !== undefined ? replay + 1 : schedules;
  for (run = first; run < last; run++) {
    if ((performance.now() - started) / 1000 > seconds) break;
    const random = seeded(seed * 1_000_003 + run);
    const strategy = run % 2 === 0
      ? new RandomSwitches(random, kills)
      : new PriorityChanges(random, scenario.threads, kills, { depth: 2 + int(random, 3), steps: 50 + int(random, 600) });
    // explore-deep: two schedules in three kill at function entries and loop headers
    // (engines' termination points) instead of at schedule points.
    if (deep && int(random, 3) !== 0) {
      if (strategy.kills !== undefined) strategy.kills = 0;
      if (strategy.killAt) strategy.killAt = new Set();
      planDeepKills(strategy, random, kills, expectedKillPoints);
    }
    if (preempting) planPreemptions(strategy, random, expectedPreemptPoints);
    machine.tracing = replay !== undefined;
    machine.reset(strategy);
    const ctx = context(machine);
    machine.killFilter = scenario.killFilter ? (thread) => scenario.killFilter(thread, machine, ctx) : undefined;
    try {
      machine.run(scenario.programs(ctx, machine.threads, machine));
      settle(machine, ctx);
    } catch (error) {
      points += machine.points;
      return {
        schedules: run - first + 1, points, seconds: (performance.now() - started) / 1000,
        failure: {
          scenario: name, seed, schedule: run, strategy: strategy.name,
          message: error instanceof Violation ? error.message : String(error?.stack ?? error),
          killed: machine.threads.filter((t) => t.state === 'dead').map((t) => `thread ${t.index} in ${t.killedDuring?.fn}${t.killedAt ? ` at ${t.killedAt}` : ''}`),
          threads: machine.describe(),
          trace: machine.tracing ? machine.trace.join(' ') : undefined,
        },
      };
    }
    points += machine.points;
    for (const t of machine.threads) {
      if (t.state !== 'dead') continue;
      if (t.killedDuring?.fn === 'reclaim') killed.inReclaim++;
      if (t.killedAt?.startsWith('entry')) killed.atEntries++;
      else if (t.killedAt?.startsWith('loop')) killed.atLoops++;
      else killed.atPoints++;
    }
  }
  return { schedules: run - first, points, seconds: (performance.now() - started) / 1000, killed };
}

// ── command line ────────────────────────────────────────────────────────────────

function option(args, name, fallback) {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const minutes = Number(option(args, 'minutes', '0.25'));
  const schedules = option(args, 'schedules') ? Number(option(args, 'schedules')) : Infinity;
  const seed = Number(option(args, 'seed', String(Date.now() % 1_000_000)));
  const kills = Number(option(args, 'kills', '1'));
  const variant = option(args, 'core', 'explore');
  const replay = option(args, 'replay') === undefined ? undefined : Number(option(args, 'replay'));
  const only = option(args, 'scenario');
  const names = only ? [only] : Object.keys(scenarios);
  const perScenario = (minutes * 60) / names.length;
  console.log(`schedule explorer: core ${variant}, seed ${seed}, ${kills} kill(s) per schedule at most, ${names.length} scenario(s)`);
  let failed = false;
  let round = 0;
  const deadline = performance.now() + minutes * 60_000;
  do {
    for (const name of names) {
      const result = explore({
        scenario: name, seed: seed + round * 7919, schedules, seconds: Math.min(perScenario, 60), kills, variant, replay,
      });
      const rate = result.schedules / Math.max(result.seconds, 1e-9);
      const k = result.killed;
      const killNote = k ? `  kills: ${k.atPoints} at points${k.atEntries + k.atLoops ? `, ${k.atEntries} at entries, ${k.atLoops} at loops` : ''}${k.inReclaim ? ` (${k.inReclaim} inside a reclaim)` : ''}` : '';
      console.log(`${name.padEnd(16)} ${String(result.schedules).padStart(8)} schedules ${String(result.points).padStart(10)} points ${rate.toFixed(0).padStart(6)} schedules/s${killNote}${result.failure ? '  FAILED' : ''}`);
      if (result.failure) {
        failed = true;
        const f = result.failure;
        console.log(`  ${f.message}\n  strategy ${f.strategy}; killed: ${f.killed.join(', ') || 'none'}\n  ${f.threads}`);
        console.log(`  replay: npm run explore -- --scenario ${f.scenario} --seed ${f.seed} --replay ${f.schedule} --kills ${kills} --core ${variant}`);
        if (f.trace) console.log(`  trace: ${f.trace}`);
      }
    }
    round++;
  } while (!failed && replay === undefined && schedules === Infinity && performance.now() < deadline);
  process.exitCode = failed ? 1 : 0;
}
