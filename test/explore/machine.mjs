// A machine of virtual threads over one memory, in one JS thread: the heart of the schedule
// explorer (explore.mjs drives it, scenarios.mjs gives the threads something to do).
//
// Every virtual thread is an instance of the explore build of the core (scripts/build-
// explore.mjs): the real allocator, with a call to the imported `schedulePoint` before each
// atomic operation, made suspendable there by binaryen's asyncify. At each point the
// strategy decides: go on, switch to another thread (this one unwinds and is rewound later
// exactly where it stopped), or kill this thread (it unwinds and never runs again, as a
// worker terminated in the middle of a core call). Each instance keeps its asyncify stack in
// its own region of the memory between the attachment slots and the static data.
//
// Threads run programs: generators that yield operations (a core call and how to read its
// result). Between operations a program's own code runs without interruption, as a worker's
// JavaScript runs between its calls into the core. The machine keeps an ownership ledger of
// every block handed out, stamps each block, and checks both at every hand-out and free.

import { readFileSync } from 'node:fs';

/** The arena id the machine's arena is made with (image handles carry it to imageAdopt). */
export const ARENA_ID = 7;

export const WASM_PAGE = 65536;

// Offsets the machine needs (asserted against the module's exported globals at load).
const SLOTS_BASE = 2048;
const SLOT_RESULTS = 16;
const SLOT_RESULT_TAG = 32;
const RESULT_SIZE = 0;
const RESULT_ERROR = 1;
const RESULT_AUX = 2;
const ASYNC_STACK = 8192;
/** The most schedule points a thread passes between two calls out of the core. */
const MAX_COUNTDOWN = 4096;

/** Reads an AssemblyScript string (UTF-16, length in bytes at ptr - 4) from memory. */
function readString(memory, ptr) {
  if (!ptr) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** Thrown out of the core to kill a thread at a kill point (explore-deep core): it never resumes. */
class KillSignal extends Error {}

export class Violation extends Error {
  constructor(message) {
    super(message);
    this.name = 'Violation';
  }
}

export function loadModule(variant = 'explore') {
  return new WebAssembly.Module(readFileSync(new URL(`../../build/pixel-arena.${variant}.wasm`, import.meta.url)));
}

/**
 * Who holds each 64-byte granule of the memory: a Map's interface (granule index -> owner)
 * over a typed array of owner numbers, since blocks of a megabyte claim thousands of
 * granules at once.
 */
class Ledger {
  constructor() {
    this.cells = new Int32Array(1 << 16);
    this.owners = [undefined]; // owner number -> owner (a label or an object)
    this.numbers = new Map();  // owner -> its number
    this.size = 0;
  }

  #number(owner) {
    if (owner === this.lastOwner) return this.lastNumber;
    let n = this.numbers.get(owner);
    if (n === undefined) {
      n = this.owners.length;
      this.owners.push(owner);
      this.numbers.set(owner, n);
    }
    this.lastOwner = owner;
    this.lastNumber = n;
    return n;
  }

  get(g) {
    return g < this.cells.length ? this.owners[this.cells[g]] : undefined;
  }

  set(g, owner) {
    if (g >= this.cells.length) {
      let length = this.cells.length;
      while (length <= g) length *= 2;
      const cells = new Int32Array(length);
      cells.set(this.cells);
      this.cells = cells;
    }
    if (this.cells[g] === 0) this.size++;
    this.cells[g] = this.#number(owner);
  }

  delete(g) {
    if (g < this.cells.length && this.cells[g] !== 0) {
      this.cells[g] = 0;
      this.size--;
    }
  }

  *entries() {
    for (let g = 0; g < this.cells.length && this.size > 0; g++) if (this.cells[g] !== 0) yield [g, this.owners[this.cells[g]]];
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  *values() {
    for (const [, owner] of this.entries()) yield owner;
  }
}

/** A thread's view of the core, and what it is doing. */
class VirtualThread {
  constructor(machine, index) {
    this.machine = machine;
    this.index = index;
    this.stack = 0;
    this.instance = undefined;
    this.exports = undefined;
    this.reset();
  }

  reset() {
    this.id = -1;
    this.slot = -1;
    this.state = 'ready'; // ready | done | dead
    this.suspended = false;
    this.cutShort = false;   // its last call was cut short by a trap (frames left open)
    this.rewinding = false;
    this.unwinding = undefined;
    this.program = undefined;
    this.pending = undefined;
    this.reclaimed = false;
    this.blocks = new Map(); // ptr -> block, the raw blocks this thread owns
    this.images = [];        // { record, tag, image }
    this.freeing = undefined;
    this.tried = undefined;
    this.fenced = false;
    this.opPoints = 0;
    this.countdown = 0;      // schedule points it was to pass before the next decision
    this.killedDuring = undefined;
    this.killedAt = undefined;
    this.pastIds = [];       // attachments this thread left before attaching again
    this.tokens = [];        // tokens it attached again with (a pool finds a worker's slot by them)
    this.scratch = new Map(); // ptr -> block, scratch blocks the core holds for this thread
    this.lastValue = undefined;
  }

  get runnable() {
    return this.state === 'ready';
  }

  result(index) {
    return new Uint32Array(this.machine.memory.buffer, SLOTS_BASE + this.slot * this.machine.slotSize + SLOT_RESULTS, 4)[index];
  }

  resultTag() {
    return new Float64Array(this.machine.memory.buffer, SLOTS_BASE + this.slot * this.machine.slotSize + SLOT_RESULT_TAG, 1)[0];
  }
}

export class Machine {
  /**
   * @param module the explore core
   * @param options.threads virtual threads; options.maxBytes arena size; options.growth:
   *   start with the memory small, so that it grows during the run; options.trackCalls:
   *   the arena tracks its threads' calls (needed to reclaim a running thread)
   */
  constructor(module, { threads = 3, maxBytes = 2 << 20, growth = false, blocksMax = 8, blockSize = 65536, boundWhenIdle = false, trackCalls = false, killKinds } = {}) {
    this.module = module;
    // explore-deep core: id -> 'entry' | 'loop' | 'return' of each kill point (build-deep.mjs)
    this.killKinds = killKinds;
    this.killPoints = 0;
    this.options = { threads, maxBytes, growth, blocksMax, blockSize, boundWhenIdle, trackCalls };
    this.current = null;
    this.strategy = null;
    this.points = 0;
    this.progressLimit = 100_000;
    this.runLimit = 5_000_000;
    this.trace = [];
    this.tracing = false;
    this.threads = Array.from({ length: threads }, (_, i) => new VirtualThread(this, i));
    this.#build();
  }

  #imports(thread) {
    const machine = this;
    const preempt = () => {
      if (thread === null || machine.current !== thread) return;
      const e = thread.exports;
      if (thread.rewinding) {
        thread.rewinding = false;
        e.asyncify_stop_rewind();
        return;
      }
      if (++machine.preemptPoints > 200_000_000) throw new Violation('a run went past 200,000,000 preemption points');
      if (machine.strategy.onPreempt?.(thread, machine) !== 'switch') return;
      if (machine.tracing) machine.trace.push(`${thread.index}:p`);
      const header = new Int32Array(machine.memory.buffer, thread.stack, 2);
      header[0] = thread.stack + 8;
      header[1] = thread.stack + ASYNC_STACK;
      e.asyncify_start_unwind(thread.stack);
      thread.unwinding = 'switch';
    };
    return {
      env: {
        memory: this.memory,
        abort(message, file, line, column) {
          throw new Violation(`core assertion failed: ${readString(machine.memory, message)} at ${readString(machine.memory, file)}:${line}:${column}`);
        },
        // Called at the schedule point where the countdown this thread was given runs out
        // (the points before it were 'continue'); answers with the next countdown.
        schedulePoint() {
          if (thread === null || machine.current !== thread) return 0;
          const e = thread.exports;
          if (thread.rewinding) {
            // Resumed: the countdown was set before the rewind (#step); the core stores
            // this answer over it, so it must be the same.
            thread.rewinding = false;
            e.asyncify_stop_rewind();
            return thread.countdown;
          }
          const passed = thread.countdown;
          thread.countdown = 0;
          machine.count(thread, passed);
          const decision = machine.strategy.onPoint(thread, machine, passed);
          if (machine.tracing) machine.trace.push(`${thread.index}:${decision[0]}`);
          if (decision === 'continue') return (thread.countdown = machine.nextCountdown(thread));
          const header = new Int32Array(machine.memory.buffer, thread.stack, 2);
          header[0] = thread.stack + 8;
          header[1] = thread.stack + ASYNC_STACK;
          e.asyncify_start_unwind(thread.stack);
          thread.unwinding = decision;
          return 0;
        },
        // explore-preempt core: before every plain load and store, a place where the
        // strategy may switch threads (never kill: engines do not stop threads there).
        load_ptr(id, bytes, offset, ptr) { preempt(); return ptr; },
        store_ptr(id, bytes, offset, ptr) { preempt(); return ptr; },
        load_val_i32: (id, v) => v, load_val_i64: (id, v) => v, load_val_f32: (id, v) => v, load_val_f64: (id, v) => v,
        store_val_i32: (id, v) => v, store_val_i64: (id, v) => v, store_val_f32: (id, v) => v, store_val_f64: (id, v) => v,
        memory_grow_pre: (id, delta) => delta, memory_grow_post: (id, result) => result,
        // explore-deep core: a function entry or loop header (or a return, ignored), where
        // an engine may stop a terminated thread. Only kills happen here.
        log_execution(id) {
          if (thread === null || machine.current !== thread || thread.rewinding || !machine.killKinds) return;
          if (machine.killKinds[id] === 'return' && !process.env.PA_KILL_AT_RETURNS) return;
          machine.killPoints++;
          if (machine.strategy.onKillPoint?.(thread, machine) === 'kill') {
            thread.killedAt = `${machine.killKinds[id]} point ${id}`;
            throw new KillSignal();
          }
        },
      },
    };
  }

  /** A fresh memory with an arena in it, the controller attached, and an instance per thread. */
  #build() {
    const { maxBytes, growth, blocksMax, blockSize, trackCalls } = this.options;
    const maxPages = maxBytes / WASM_PAGE;
    this.memory = new WebAssembly.Memory({ initial: growth ? 10 : maxPages, maximum: maxPages });
    this.controller = new WebAssembly.Instance(this.module, this.#imports(null)).exports;
    this.memoryBase = this.controller.MEMORY_BASE.value;
    this.slotSize = this.controller.SLOT_SIZE.value;
    if (this.controller.SLOTS_BASE.value !== SLOTS_BASE || this.controller.SLOT_RESULTS.value !== SLOT_RESULTS
      || this.controller.SLOT_RESULT_TAG.value !== SLOT_RESULT_TAG) throw new Error('the explore core has another slot layout');
    const free = this.controller.FIXED_END.value;
    if (free + this.threads.length * ASYNC_STACK > this.memoryBase) throw new Error('too many virtual threads for the free region');
    this.threads.forEach((thread, i) => {
      thread.stack = free + i * ASYNC_STACK;
      thread.instance = new WebAssembly.Instance(this.module, this.#imports(thread));
      thread.exports = thread.instance.exports;
    });
    if (this.initialMemory) {
      // A memory that grows is made anew for each run: the arena in it as arenaInit left it.
      new Uint8Array(this.memory.buffer).set(this.initialMemory);
    } else {
      const status = this.controller.arenaInit(maxPages, blockSize, blocksMax, 16, ARENA_ID, trackCalls ? 1 : 0);
      if (status !== 0) throw new Error(`arenaInit failed: ${status}`);
      if (growth) this.initialMemory = new Uint8Array(this.memory.buffer).slice();
    }
    this.controllerId = this.controller.attach(0);
    if (this.controllerId < 0) throw new Error('controller attach failed');
    this.snapshot = growth ? null : new Uint8Array(this.memory.buffer).slice();
  }

  /** Back to the state after creation: memory restored (or rebuilt), threads attached anew. */
  reset(strategy) {
    if (this.snapshot) new Uint8Array(this.memory.buffer).set(this.snapshot);
    else this.#build();
    this.strategy = strategy;
    this.points = 0;
    this.killPoints = 0;
    this.preemptPoints = 0;
    this.trace = [];
    this.ledger = new Ledger(); // granule index -> owner label, over every live block
    this.reclaimedIds = new Set(); // attachment ids some thread reclaimed (their handles die with them)
    this.events = 0;
    for (const thread of this.threads) {
      thread.reset();
      this.current = null;
      thread.id = thread.exports.attach(0);
      if (thread.id < 0) throw new Error(`attach failed: ${thread.id}`);
      thread.slot = thread.id % 256;
    }
  }

  // ── running ────────────────────────────────────────────────────────────────────

  /**
   * Counts `passed` schedule points of `thread` against the limits: a program that never
   * ends, or an operation that never finishes (a lock-free operation finishes whatever the
   * others do; one that keeps going this long waits for another thread in all but name).
   */
  count(thread, passed) {
    if ((this.points += passed) > this.runLimit) throw new Violation(`a run went past ${this.runLimit} schedule points: a program never ends`);
    if ((thread.opPoints += passed) > this.progressLimit) {
      throw new Violation(`thread ${thread.index} made no progress in ${this.progressLimit} schedule points of ${thread.pending?.fn}: it waits for another thread`);
    }
  }

  /**
   * How many schedule points `thread` passes before its strategy decides again (at most
   * MAX_COUNTDOWN, so that the limits are checked): the core counts them down itself and
   * calls `schedulePoint` only at the last, so that the points where nothing is decided
   * cost no call out of the core.
   */
  nextCountdown(thread) {
    return Math.max(1, Math.min(MAX_COUNTDOWN, this.strategy.countdown(thread, this)));
  }

  /** Runs `thread`'s pending operation until it finishes, is suspended or is killed. */
  #step(thread) {
    const op = thread.pending;
    const e = thread.exports;
    thread.countdown = this.nextCountdown(thread);
    e.setPointCountdown(thread.countdown);
    if (thread.suspended) {
      thread.suspended = false;
      thread.rewinding = true;
      e.asyncify_start_rewind(thread.stack);
    }
    this.current = thread;
    let value;
    try {
      value = e[op.fn](...op.args);
    } catch (error) {
      if (!(error instanceof KillSignal)) throw error;
      this.#killed(thread, op);
      return { finished: false };
    } finally {
      this.current = null;
      // Points passed since the last decision, with none at their end.
      const passed = thread.countdown - e.setPointCountdown(0);
      thread.countdown = 0;
      if (passed > 0) {
        this.strategy.skip?.(passed);
        this.count(thread, passed);
      }
    }
    if (thread.unwinding !== undefined) {
      e.asyncify_stop_unwind();
      const decision = thread.unwinding;
      thread.unwinding = undefined;
      if (decision === 'kill') {
        this.#killed(thread, op);
      } else if (decision === 'trap') {
        // A trap: the call ends here, its frames stay as written, the thread lives on and
        // its next call finishes or undoes what this one left open.
        return { finished: true, trapped: true };
      } else {
        thread.suspended = true;
      }
      return { finished: false };
    }
    return { finished: true, value };
  }

  /**
   * Was attachment `id` reclaimed, or is a reclaim of it under way (a thread suspended
   * inside reclaim(id))? Either way the handles it shared may be gone.
   */
  reclaimedOrReclaiming(id) {
    return this.reclaimedIds.has(id)
      || this.threads.some((t) => t.suspended && t.pending?.fn === 'reclaim' && t.pending.args[0] === id);
  }

  #killed(thread, op) {
    thread.state = 'dead';
    thread.killedDuring = op;
    // A reclaim cut short is finished by whoever reclaims this thread (rolled forward from
    // its frame): the attachment it named may be gone, and the handles it shared with it.
    if (op.fn === 'reclaim') this.reclaimedIds.add(op.args[0]);
    this.onKill?.(thread);
  }

  /** Runs every thread's program to its end under the strategy. */
  run(programs) {
    this.threads.forEach((thread, i) => { thread.program = programs[i]; });
    for (;;) {
      const runnable = this.threads.filter((t) => t.runnable);
      if (runnable.length === 0) break;
      const thread = this.strategy.pick(runnable, this);
      if (thread.pending === undefined) {
        const next = thread.program.next(thread.lastValue);
        thread.lastValue = undefined;
        if (next.done) { thread.state = 'done'; continue; }
        thread.pending = next.value;
      }
      if (thread.pending.fn === 'pause') {
        thread.pending = undefined;
        this.strategy.onPause?.(thread);
        continue;
      }
      const { finished, value, trapped } = this.#step(thread);
      if (finished) {
        const op = thread.pending;
        thread.pending = undefined;
        thread.opPoints = 0;
        // A call cut short leaves its frames open until this thread's next call ends.
        thread.cutShort = trapped === true;
        if (trapped) {
          if (!op.trapped) throw new Error(`a trap in ${op.fn}, which has no trapped() outcome`);
          thread.lastValue = op.trapped(thread);
        } else {
          thread.lastValue = op.done ? op.done(value, thread) : value;
        }
        if (this.options.boundWhenIdle) this.#checkBoundIfIdle();
      }
    }
  }

  /**
   * Once every operation has finished (no thread inside a call or cut short by a trap,
   * every killed thread reclaimed), the caches hold at most blocksMax blocks: a lowered
   * bound that met blocks out of every cache was settled by whoever put them back.
   */
  #checkBoundIfIdle() {
    if (!this.threads.every((t) => !t.suspended && !t.cutShort && (t.state !== 'dead' || t.reclaimed))) return;
    const { blocksCached, blocksMax } = this.stats();
    if (blocksCached > blocksMax) throw new Violation(`${blocksCached} blocks cached over a bound of ${blocksMax} with every operation finished`);
  }

  // ── the ledger ─────────────────────────────────────────────────────────────────

  /** Records a hand-out of [ptr, ptr+size) to `owner`; a granule already owned is a double hand-out. */
  claim(ptr, size, owner) {
    const ledger = this.ledger;
    for (let g = Math.floor(ptr / 64), end = Math.ceil((ptr + size) / 64); g < end; g++) {
      const before = ledger.get(g);
      if (before !== undefined && !this.#releasedByReclaim(before)) {
        throw new Violation(`block ${ptr}+${size} handed to ${owner} while ${before.label ?? before} holds granule ${g * 64}: two owners`);
      }
      ledger.set(g, owner);
    }
  }

  /**
   * A scratch block of a thread that died is the core's until a reclaim frees it (which
   * may happen inside another thread's reclaim): found free now, its granules are let go.
   */
  #releasedByReclaim(holder) {
    const block = holder.scratchOf;
    if (!block || this.threads[holder.thread].state !== 'dead') return false;
    if (this.controller.blockLive(block.ptr, block.tag) !== 0) return false;
    this.unclaim(block.ptr, block.size);
    return true;
  }

  unclaim(ptr, size) {
    for (let g = Math.floor(ptr / 64), end = Math.ceil((ptr + size) / 64); g < end; g++) this.ledger.delete(g);
  }

  bytes(ptr, length) {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }

  /** Writes the owner's stamp at the start of a block and zeros after it (what a user's zero-filled row looks like). */
  stamp(block) {
    const view = new DataView(this.memory.buffer, block.ptr, Math.min(block.size, 64));
    for (let i = 0; i < view.byteLength; i++) view.setUint8(i, 0);
    view.setFloat64(0, block.tag, true);
  }

  /** Is the stamp intact, and the zeros after it? */
  stampIntact(block) {
    const view = new DataView(this.memory.buffer, block.ptr, Math.min(block.size, 64));
    if (view.getFloat64(0, true) !== block.tag) return false;
    for (let i = 8; i < view.byteLength; i++) if (view.getUint8(i) !== 0) return false;
    return true;
  }

  /** Each thread's state, the operation it is in and its open frames (op:phase), for failure reports. */
  describe() {
    const OPS = ['', 'take', 'give', 'allocate', 'releasePage', 'releaseSmall', 'evict', 'acquireSlab', 'abandonSlab',
      'retireSlabs', 'setBlocksMax', 'flushSlot', 'growRecords', 'createImage', 'dropReference', 'shareImage', 'reclaim',
      'detach'];
    return this.threads.map((t) => {
      const base = SLOTS_BASE + t.slot * this.slotSize;
      const depth = new Uint32Array(this.memory.buffer, base + 12, 1)[0];
      const frames = [];
      for (let i = 0; i < depth && i < 8; i++) {
        const f = new Uint32Array(this.memory.buffer, base + 384 + i * 96, 2);
        frames.push(`${OPS[f[0]] ?? f[0]}:${f[1]}`);
      }
      return `thread ${t.index} (slot ${t.slot}) ${t.state}${t.pending ? ` in ${t.pending.fn}` : ''} [${frames.join(' > ')}]`;
    }).join('; ');
  }

  // ── final checks, by the controller (no schedule points: nothing else runs) ──────

  controllerResult(index) {
    const slot = this.controllerId % 256;
    return new Uint32Array(this.memory.buffer, SLOTS_BASE + slot * this.slotSize + SLOT_RESULTS, 4)[index];
  }

  slotState(thread) {
    const word = new Uint32Array(this.memory.buffer, SLOTS_BASE + thread.slot * this.slotSize, 1)[0];
    return ['free', 'live', 'detached', 'fenced', 'reclaiming'][word & 0xff];
  }

  /** Reclaims a dead thread from the controller. */
  reclaimFromController(thread) {
    const dropped = this.controller.reclaim(thread.id, 1);
    if (dropped < 0 && dropped !== -3) throw new Violation(`reclaim of thread ${thread.index} failed: ${dropped}`);
    thread.reclaimed = true;
  }

  /** The heap walker's verdict (0: clean) and the stats. */
  heapCheck() {
    return this.controller.heapCheck();
  }

  stats() {
    this.controller.statsCollect();
    const slot = this.controllerId % 256;
    const s = new Float64Array(this.memory.buffer, SLOTS_BASE + slot * this.slotSize + 256, 16);
    return { bytesInUse: s[1], blocksInUse: s[3], blocksCached: s[4], imagesLive: s[5], attachments: s[12], blocksMax: s[11] };
  }
}

export const RESULTS = { SIZE: RESULT_SIZE, ERROR: RESULT_ERROR, AUX: RESULT_AUX };

/** Per slot: cache pushes and pops counted, and blocks found on its stacks (debugging aid). */
export function cacheCensus(machine) {
  const out = [];
  const mem = machine.memory.buffer;
  const pageMap = new Uint32Array(mem, 1024 + 44, 1)[0];
  for (let slot = 0; slot < 8; slot++) {
    const base = 2048 + slot * machine.slotSize;
    const counters = new BigUint64Array(mem, base + 128, 16);
    let onStacks = 0;
    for (let c = 0; c < 272; c++) {
      let node = Number(new BigUint64Array(mem, base + 1408 + c * 8, 1)[0] & 0xffffffffn);
      while (node !== 0 && onStacks < 1000) { onStacks++; node = Number(new BigUint64Array(mem, pageMap + (node - 1) * 16 + 8, 1)[0] >> 32n); }
    }
    out.push({ slot, pushed: Number(counters[6]), popped: Number(counters[7]), onStacks, credits: new Uint32Array(mem, base + 64, 1)[0] });
  }
  return out;
}
