// What the virtual threads of the schedule explorer do: each scenario is a few short
// programs aimed at one family of CAS windows. Programs are generators that yield core
// operations (ops() below) and exchange blocks and image handles through mailboxes, as
// workers do through postMessage.

import { Violation, RESULTS, ARENA_ID } from './machine.mjs';

const ARENA_FULL = 1;
const DOUBLE_FREE = 2;
const INVALID_HANDLE = 3;
const FENCED = 11;
const BUSY = 12;
const LIMIT = 7;
const SCRATCH_ENTRIES = 16;
const MODE_L = 0;
const FILL_VALUE = 2;
const IMAGE_ROWS = 40;

/** The operations a program can yield, over one machine. */
export function ops(machine) {
  const allocFailedOk = (thread) => {
    const error = thread.result(RESULTS.ERROR);
    if (error === FENCED && thread.fenced) return null;
    if (error !== ARENA_FULL) throw new Violation(`thread ${thread.index}: allocate failed with status ${error}`);
    return null;
  };
  /** A call refused because another thread reclaims this one (only once that began). */
  const refused = (status, thread) => {
    if (status !== FENCED) return false;
    if (!thread.fenced) throw new Violation(`thread ${thread.index} was refused but nobody reclaims it`);
    return true;
  };
  const firstPixel = (image) => {
    const rows = new Uint32Array(machine.memory.buffer, image + IMAGE_ROWS, 1)[0];
    const row0 = new Uint32Array(machine.memory.buffer, rows, 1)[0];
    return new Uint8Array(machine.memory.buffer, row0, 1)[0];
  };
  return {
    alloc(size) {
      return {
        fn: 'allocate', args: [size],
        done(ptr, thread) {
          if (ptr === 0) return allocFailedOk(thread);
          const block = { ptr, size: thread.result(RESULTS.SIZE), tag: thread.resultTag() };
          if (block.size < size) throw new Violation(`allocate(${size}) gave ${block.size} bytes`);
          if (ptr + block.size > machine.memory.buffer.byteLength) {
            throw new Violation(`allocate(${size}) gave ${ptr}+${block.size}, past the committed memory (${machine.memory.buffer.byteLength} bytes)`);
          }
          machine.claim(ptr, block.size, `thread ${thread.index} (tag ${block.tag})`);
          machine.stamp(block);
          thread.blocks.set(ptr, block);
          return block;
        },
        // Cut short by a trap (a strategy's 'trap'): nothing was handed out, and the
        // thread's next call undoes what this one had taken.
        trapped: () => null,
      };
    },
    /** Frees a block this thread owns now (allocated here, or received). */
    free(thread, block) {
      if (!machine.stampIntact(block)) throw new Violation(`block ${block.ptr}+${block.size} (tag ${block.tag}) was written by someone else`);
      machine.unclaim(block.ptr, block.size);
      thread.blocks.delete(block.ptr);
      thread.freeing = block;
      return {
        fn: 'release', args: [block.ptr, block.tag],
        done(status, t) {
          t.freeing = undefined;
          if (refused(status, t)) {
            // Still live, and still this thread's (the reclaim leaves raw blocks to their owner).
            machine.claim(block.ptr, block.size, `thread ${t.index} (tag ${block.tag})`);
            t.blocks.set(block.ptr, block);
            return;
          }
          if (status !== 0) throw new Violation(`free of live block ${block.ptr} (tag ${block.tag}) gave status ${status}`);
        },
      };
    },
    /** Frees a block twice on purpose: must be refused, and touch nothing. */
    freeStale(block) {
      return {
        fn: 'release', args: [block.ptr, block.tag],
        done(status) {
          if (status !== DOUBLE_FREE && status !== 4) throw new Violation(`stale free of ${block.ptr} (tag ${block.tag}) gave status ${status}`);
        },
      };
    },
    createImage(width, height, fill) {
      return {
        fn: 'imageCreate', args: [MODE_L, width, height, FILL_VALUE, fill],
        done(image, thread) {
          if (image === 0) return allocFailedOk(thread);
          const ref = { record: thread.result(RESULTS.AUX), tag: thread.resultTag(), image, fill, width, height };
          thread.images.push(ref);
          return ref;
        },
      };
    },
    share(ref) {
      return {
        fn: 'imageShare', args: [ref.record, ref.tag],
        done(sent, thread) {
          if (sent === 0) return allocFailedOk(thread);
          return {
            record: sent, tag: thread.resultTag(), image: ref.image, fill: ref.fill, from: thread.index,
            fromId: thread.id, width: ref.width, height: ref.height,
          };
        },
      };
    },
    adopt(handle) {
      return {
        fn: 'imageAdopt', args: [handle.record, handle.tag, MODE_L, handle.width, handle.height, ARENA_ID],
        done(image, thread) {
          if (image === 0 && refused(thread.result(RESULTS.ERROR), thread)) {
            mailboxOf(thread).push(handle); // not adopted: it stays someone's to take
            return null;
          }
          if (image === 0) {
            // Refused only when its sender died and was reclaimed, taking the handle with it.
            const sender = machine.threads[handle.from];
            if (sender.state !== 'dead' && !sender.fenced && !machine.reclaimedOrReclaiming(handle.fromId)) {
              throw new Violation(`adopt of a live handle from thread ${handle.from} refused`);
            }
            return null;
          }
          if (image !== handle.image) throw new Violation('adopt gave another image');
          if (firstPixel(image) !== handle.fill) throw new Violation(`adopted image ${image} has pixel ${firstPixel(image)}, not ${handle.fill}`);
          const ref = { record: handle.record, tag: handle.tag, image, fill: handle.fill, width: handle.width, height: handle.height };
          thread.images.push(ref);
          return ref;
        },
      };
    },
    releaseImage(thread, ref) {
      thread.images.splice(thread.images.indexOf(ref), 1);
      if (firstPixel(ref.image) !== ref.fill) throw new Violation(`image ${ref.image} lost its pixels while held`);
      return {
        fn: 'imageRelease', args: [ref.record, ref.tag],
        done(status, t) {
          if (refused(status, t)) return; // the reclaim drops it
          if (status !== 0) throw new Violation(`release of a held image reference gave status ${status}`);
        },
      };
    },
    setBlocksMax(n) {
      return { fn: 'blocksMaxSet', args: [n], done(status, t) { if (status !== 0 && !refused(status, t)) throw new Violation(`blocksMaxSet gave ${status}`); } };
    },
    clearCache(keep) {
      return { fn: 'cacheClear', args: [keep], done(evicted, t) { if (evicted < 0 && !refused(-evicted, t)) throw new Violation(`cacheClear gave ${evicted}`); } };
    },
    /** Reclaims a thread that was killed. */
    reclaim(dead) {
      return {
        fn: 'reclaim', args: [dead.id, 1],
        done(result, t) {
          if (result >= 0) machine.reclaimedIds.add(dead.id);
          if (result >= 0 || result === -INVALID_HANDLE) { dead.reclaimed = true; return; }
          if (refused(-result, t)) return;
          throw new Violation(`reclaim gave ${result}`);
        },
      };
    },
    /**
     * Reclaims a thread that is still running, as a browser pool does after terminate():
     * its calls are refused from the fence on; BUSY while it is inside a call. Returns
     * true once done.
     */
    reclaimRunning(victim) {
      victim.fenced = true;
      return {
        fn: 'reclaim', args: [victim.id, 0],
        done(result, t) {
          if (result === -BUSY) return false;
          if (result >= 0) machine.reclaimedIds.add(victim.id);
          if (result >= 0 || result === -INVALID_HANDLE) { victim.reclaimed = true; return true; }
          if (refused(-result, t)) return true;
          throw new Violation(`reclaim of a running thread gave ${result}`);
        },
      };
    },
    detach() {
      return { fn: 'detach', args: [] };
    },
    /** A scratch block: the core's temporary for this thread, freed by reclaim if the thread dies. */
    scratch(size) {
      return {
        fn: 'scratchAllocate', args: [size],
        done(ptr, thread) {
          if (ptr === 0) {
            const error = thread.result(RESULTS.ERROR);
            if (error === LIMIT && thread.scratch.size >= SCRATCH_ENTRIES) return null;
            return allocFailedOk(thread);
          }
          const block = { ptr, size: thread.result(RESULTS.SIZE), tag: thread.resultTag() };
          if (block.size < size) throw new Violation(`scratchAllocate(${size}) gave ${block.size} bytes`);
          machine.claim(ptr, block.size, { label: `thread ${thread.index} scratch (tag ${block.tag})`, thread: thread.index, scratchOf: block });
          machine.stamp(block);
          thread.scratch.set(ptr, block);
          return block;
        },
      };
    },
    scratchFree(thread, block) {
      if (!machine.stampIntact(block)) throw new Violation(`scratch block ${block.ptr} (tag ${block.tag}) was written by someone else`);
      machine.unclaim(block.ptr, block.size);
      thread.scratch.delete(block.ptr);
      return {
        fn: 'scratchRelease', args: [block.ptr],
        done(_, t) {
          // Refused once fenced: then the reclaim frees it (it is still recorded in the slot).
          if (t.fenced) return;
          if (machine.controller.blockLive(block.ptr, block.tag) !== 0) throw new Violation(`scratchRelease left ${block.ptr} live`);
        },
      };
    },
    /** Attaches this thread again after it detached (its old id goes to pastIds). */
    reattach(thread) {
      const token = machine.controller.nextToken();
      thread.tokens.push(token);
      return {
        fn: 'attach', args: [token],
        done(id, thread) {
          if (id < 0) throw new Violation(`attach again gave ${id}`);
          thread.pastIds.push(thread.id);
          thread.id = id;
          thread.slot = id % 256;
          return id;
        },
      };
    },
    /**
     * Reclaims an attachment its thread left (detached). Allowed: refused (another
     * attachment has the slot now, or it is free), or done when the slot is still DETACHED
     * because records name it. It must never touch a later attachment of the slot, which
     * would show as a refused call of a thread nobody fenced.
     */
    reclaimPast(id) {
      return {
        fn: 'reclaim', args: [id, 1],
        done(result, t) {
          if (result === -INVALID_HANDLE) return;
          if (result >= 0) { machine.reclaimedIds.add(id); return; }
          if (refused(-result, t)) return;
          throw new Violation(`reclaim of past attachment ${id} gave ${result}`);
        },
      };
    },
    /** Adopts a handle known to be stale (adopted already, or its sender fully reclaimed): must be refused. */
    adoptStale(handle, why) {
      return {
        fn: 'imageAdopt', args: [handle.record, handle.tag, MODE_L, handle.width, handle.height, ARENA_ID],
        done(image, thread) {
          if (image !== 0) throw new Violation(`stale handle (record ${handle.record}, tag ${handle.tag}, ${why}) adopted by thread ${thread.index}: image ${image}`);
          const error = thread.result(RESULTS.ERROR);
          if (error !== INVALID_HANDLE && !(error === FENCED && thread.fenced)) throw new Violation(`stale adopt gave ${error}`);
        },
      };
    },
    /** Takes back a handle this thread shared and will not send. */
    unshare(handle) {
      return {
        fn: 'imageUnshare', args: [handle.record, handle.tag],
        done(status, t) {
          if (refused(status, t)) return;
          if (status !== 0) throw new Violation(`unshare of an unsent handle gave ${status}`);
        },
      };
    },
    /** Lets the other threads run before this one goes on (no core call). */
    pause() {
      return { fn: 'pause', args: [] };
    },
  };
}

let mailboxOf = () => { throw new Error('no context'); };

/** Everything a program needs: the ops, mailboxes between threads, and the dead to reclaim. */
export function context(machine) {
  const mailboxes = machine.threads.map(() => []);
  mailboxOf = (thread) => mailboxes[thread.index];
  const dead = [];
  machine.onKill = (thread) => dead.push(thread);
  return {
    ...ops(machine),
    send(to, item) { mailboxes[to].push(item); },
    receive(thread) { return mailboxes[thread.index].shift(); },
    /** Hands this thread's leftovers (blocks, image references) to... nobody: it frees them. */
    *finish(thread) {
      for (const block of [...thread.blocks.values()]) yield this.free(thread, block);
      for (const block of [...thread.scratch.values()]) yield this.scratchFree(thread, block);
      for (const ref of [...thread.images]) yield this.releaseImage(thread, ref);
      // Mail that can still be taken: blocks sent here are freed, handles adopted and released.
      const box = mailboxes[thread.index];
      for (let n = box.length; n > 0 && box.length > 0; n--) {
        const item = box.shift();
        if (item.ptr !== undefined) {
          thread.blocks.set(item.ptr, item);
          yield this.free(thread, item);
        } else {
          const ref = yield this.adopt(item);
          if (ref) yield this.releaseImage(thread, ref);
        }
      }
      yield this.detach();
    },
    /**
     * Reclaims every thread that was killed and that this thread has not tried yet: every
     * live thread tries, so reclaims of one thread race each other.
     */
    *reclaimDead(thread) {
      for (const victim of dead) {
        if (victim.reclaimed || thread.tried?.has(victim)) continue;
        (thread.tried ??= new Set()).add(victim);
        yield this.reclaim(victim);
      }
    },
    dead,
    mailboxes,
  };
}

// ── scenarios ─────────────────────────────────────────────────────────────────────

/** Adopts and frees what arrived (what arrives meanwhile waits for the next call). */
function* drain(ctx, thread) {
  const box = ctx.mailboxes[thread.index];
  // One at a time, so that what a killed thread had not reached stays in its mailbox.
  for (let n = box.length; n > 0 && box.length > 0; n--) {
    const item = box.shift();
    if (item.ptr !== undefined) {
      thread.blocks.set(item.ptr, item);
      yield ctx.free(thread, item);
    } else {
      const ref = yield ctx.adopt(item);
      if (ref) yield ctx.releaseImage(thread, ref);
    }
  }
}

function sendBlock(ctx, thread, to, block) {
  thread.blocks.delete(block.ptr);
  ctx.send(to, block);
}

export const scenarios = {
  /**
   * Small blocks of 1–2 KiB (two or three to a slab) freed by other threads, beside page
   * blocks whose first words are zero: slabs retire and their pages come back as page
   * blocks while another free of the same slab is in flight.
   */
  'slab-cross-free': {
    threads: 4,
    programs(ctx, [a, b, c, d]) {
      const smalls = [a, b, c];
      // 1,272 bytes and its header make 20 granules: three blocks to a slab, each freed by
      // one of the two other small workers in turn, so that two threads free the last
      // blocks of an abandoned slab at once.
      function* smallWorker(thread, rounds) {
        const others = smalls.filter((t) => t !== thread);
        for (let i = 0; i < rounds; i++) {
          const block = yield ctx.alloc(1272);
          if (block) sendBlock(ctx, thread, others[i % 2].index, block);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      // Single pages whose first words are zero, as any zero-filled row: a retired slab's
      // page comes back as one of these.
      function* pageWorker(thread) {
        const held = [];
        for (let i = 0; i < 6; i++) {
          const block = yield ctx.alloc(4096);
          if (block) held.push(block);
          if (held.length > 2) yield ctx.free(thread, held.shift());
          yield* ctx.reclaimDead(thread);
        }
        for (const block of held) yield ctx.free(thread, block);
        yield* ctx.finish(thread);
      }
      return [smallWorker(a, 7), smallWorker(b, 7), smallWorker(c, 7), pageWorker(d)];
    },
  },

  /** Page blocks freed into caches and taken from them by other threads, under a small bound that changes. */
  'cache-steal': {
    threads: 3,
    blocksMax: 2,
    boundWhenIdle: true,
    programs(ctx, [a, b, c]) {
      function* worker(thread, other, sizes) {
        for (const size of sizes) {
          const block = yield ctx.alloc(size);
          if (block) sendBlock(ctx, thread, other.index, block);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* steward(thread) {
        for (const n of [0, 3, 1]) {
          yield ctx.setBlocksMax(n);
          const block = yield ctx.alloc(8192);
          if (block) yield ctx.free(thread, block);
          yield ctx.clearCache(1);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [worker(a, b, [8192, 12288, 8192, 16384]), worker(b, a, [12288, 8192, 12288, 8192]), steward(c)];
    },
  },

  /**
   * A pop that gets a block too short for it: 32 and 33 pages share a size class, so an
   * owner that saw a 33-page block on top of its stack and pops after a thief stole it gets
   * the 32-page block below, and must put it back. The bound is lowered to 0 while the
   * owner holds that block, so the block put back is one the bound no longer allows: the
   * owner must settle the debt itself. Barriers (best effort: a thread waits a few turns at
   * most) keep the owner's next push away, so the bound check finds a debt left unsettled.
   */
  'short-pop': {
    threads: 3,
    blocksMax: 4,
    maxBytes: 4 << 20,
    boundWhenIdle: true,
    programs(ctx, [a, b, c], machine) {
      const SHORT = 32 * 4096, LONG = 33 * 4096, ROUNDS = 4;
      const arrived = [0, 0, 0];
      function* barrier(thread, n) {
        arrived[thread.index] = n;
        // PCT never runs a pausing thread again before the others: give up after a few turns.
        for (let turn = 0; turn < 40 && machine.threads.some((t) => t !== thread && t.state === 'ready' && arrived[t.index] < n); turn++) {
          yield ctx.pause();
        }
      }
      // Each round: what comes before barrier 1, the race between barriers 1 and 2, what
      // follows after barrier 2, then reclaims and barrier 3.
      function* rounds(thread, { before, race, after }) {
        for (let round = 0; round < ROUNDS; round++) {
          if (before) yield* before();
          yield* barrier(thread, 3 * round + 1);
          const held = yield* race();
          yield* barrier(thread, 3 * round + 2);
          yield* after(held);
          yield* ctx.reclaimDead(thread);
          yield* barrier(thread, 3 * round + 3);
        }
        yield* ctx.finish(thread);
      }
      const allocLong = function* () { return yield ctx.alloc(LONG); };
      const owner = (thread) => rounds(thread, {
        *before() {
          const short = yield ctx.alloc(SHORT);
          const long = yield ctx.alloc(LONG);
          if (short) yield ctx.free(thread, short);
          if (long) yield ctx.free(thread, long);
        },
        race: allocLong,
        *after(again) { if (again) yield ctx.free(thread, again); },
      });
      const thief = (thread) => rounds(thread, {
        race: allocLong,
        *after(block) { if (block) yield ctx.free(thread, block); },
      });
      const steward = (thread) => rounds(thread, {
        *race() { yield ctx.setBlocksMax(0); },
        *after() {
          yield ctx.clearCache(0);
          yield ctx.setBlocksMax(4);
        },
      });
      return [owner(a), thief(b), steward(c)];
    },
  },

  /**
   * Producers and a consumer: the producers take blocks out of the caches (earning their
   * credits) and send them on; the consumer frees them into its cache, and must take the
   * credits back from the producers' slots when the pool runs dry. The bound moves meanwhile.
   */
  'credit-flow': {
    threads: 4,
    blocksMax: 3,
    boundWhenIdle: true,
    programs(ctx, [a, b, c, d]) {
      function* producer(thread, consumer, sizes) {
        for (const size of sizes) {
          const block = yield ctx.alloc(size);
          if (block) sendBlock(ctx, thread, consumer.index, block);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* consumer(thread) {
        for (let round = 0; round < 6; round++) {
          yield* drain(ctx, thread);
          yield ctx.pause();
        }
        yield* drain(ctx, thread);
        yield* ctx.reclaimDead(thread);
        yield* ctx.finish(thread);
      }
      function* steward(thread) {
        for (const n of [1, 4, 0, 3]) {
          yield ctx.setBlocksMax(n);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [
        producer(a, c, [8192, 8192, 12288, 8192, 8192, 12288]),
        producer(b, c, [8192, 12288, 8192, 8192, 12288, 8192]),
        consumer(c),
        steward(d),
      ];
    },
  },

  /** Images made of several blocks, shared, adopted and released on both sides; stale frees on the way. */
  images: {
    threads: 3,
    blockSize: 4096,
    programs(ctx, [a, b, c]) {
      function* maker(thread, to, fill) {
        for (let i = 0; i < 2; i++) {
          const ref = yield ctx.createImage(3000 + i * 1000, 3, fill + i);
          if (ref) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(to, handle);
            yield ctx.releaseImage(thread, ref);
          }
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* churner(thread) {
        for (let i = 0; i < 3; i++) {
          const block = yield ctx.alloc(3000);
          if (block) {
            yield ctx.free(thread, block);
            yield ctx.freeStale(block);
          }
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [maker(a, b.index, 10), maker(b, c.index, 20), churner(c)];
    },
  },

  /**
   * A thread reclaimed while it runs (a terminated web worker that goes on for a moment):
   * the reclaim waits while it is inside a call, and every call after the fence is refused.
   */
  fence: {
    threads: 3,
    blockSize: 8192,
    trackCalls: true, // a running thread is reclaimed: as in browsers, Deno and Bun
    programs(ctx, [a, b, c]) {
      function* busy(thread, to, rounds) {
        for (let i = 0; i < rounds; i++) {
          const block = yield ctx.alloc(i % 2 ? 1500 : 6000);
          const ref = yield ctx.createImage(2000, 3, 40 + i);
          if (ref) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(to, handle);
            yield ctx.releaseImage(thread, ref);
          }
          if (block) yield ctx.free(thread, block);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* reclaimer(thread) {
        const block = yield ctx.alloc(3000);
        // BUSY while the victim is inside a call: give way, try again a few times, and
        // otherwise leave the fence up (the run's end finishes the reclaim).
        for (let tries = 0; tries < 6; tries++) {
          if (yield ctx.reclaimRunning(a)) break;
          yield ctx.pause();
        }
        if (block) yield ctx.free(thread, block);
        yield* drain(ctx, thread);
        yield* ctx.reclaimDead(thread);
        yield* ctx.finish(thread);
      }
      return [busy(a, b.index, 4), busy(b, a.index, 3), reclaimer(c)];
    },
  },

  /** The memory grows while threads take pages; small and page blocks mixed. */
  growth: {
    threads: 3,
    growth: true,
    maxBytes: 4 << 20,
    programs(ctx, threads) {
      function* grower(thread, sizes) {
        const held = [];
        for (const size of sizes) {
          const block = yield ctx.alloc(size);
          if (block) held.push(block);
          yield* ctx.reclaimDead(thread);
        }
        for (const block of held) yield ctx.free(thread, block);
        yield* ctx.finish(thread);
      }
      return [
        grower(threads[0], [200_000, 100, 300_000]),
        grower(threads[1], [150_000, 2000, 250_000]),
        grower(threads[2], [64, 400_000, 64]),
      ];
    },
  },

  // ── aimed at recovery windows the scenarios above reach rarely ────────────────────

  /**
   * A thread dies holding much (images held and shared, cached page blocks, active slabs
   * of every bin, scratch blocks) and in the middle of an operation; then every later kill
   * lands inside a reclaim, so that reclaimers die while they stand in for it and are
   * reclaimed in turn (recovery of a recovery, two levels deep with --kills 3).
   */
  'nested-reclaim': {
    threads: 4,
    blockSize: 4096,
    blocksMax: 4,
    killFilter(thread, machine) {
      const dead = machine.threads.filter((t) => t.state === 'dead').length;
      const inReclaim = thread.pending?.fn === 'reclaim';
      return dead === 0 ? !inReclaim : inReclaim;
    },
    programs(ctx, threads) {
      function* worker(thread, rounds) {
        const others = threads.filter((t) => t !== thread);
        for (let i = 0; i < rounds; i++) {
          const ref = yield ctx.createImage(2500, 2, 30 + thread.index);
          if (ref) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(others[i % others.length].index, handle);
          }
          const scratch = yield ctx.scratch(i % 2 ? 300 : 5000);
          const page = yield ctx.alloc(8192);
          if (page) yield ctx.free(thread, page); // into this thread's cache
          for (const size of [40, 400, 1500]) {   // a slab of every bin stays active
            const block = yield ctx.alloc(size);
            if (block && i % 2) sendBlock(ctx, thread, others[(i + 1) % others.length].index, block);
          }
          if (scratch && i % 2 === 0) yield ctx.scratchFree(thread, scratch);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.reclaimDead(thread);
        yield* ctx.finish(thread);
      }
      return threads.map((t) => worker(t, 3));
    },
  },

  /**
   * setBlocksMax and clearCache, from two threads, racing frees into caches and steals
   * out of them: the pool in debt while credits are in flight, debts settled by evictions.
   */
  'bound-race': {
    threads: 4,
    blocksMax: 3,
    boundWhenIdle: true,
    programs(ctx, [a, b, c, d]) {
      function* churner(thread, other, sizes) {
        for (const size of sizes) {
          const block = yield ctx.alloc(size);
          const second = yield ctx.alloc(size + 4096);
          if (block) sendBlock(ctx, thread, other.index, block);
          if (second) yield ctx.free(thread, second);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* steward(thread, bounds, keep) {
        for (const n of bounds) {
          yield ctx.setBlocksMax(n);
          const block = yield ctx.alloc(12288);
          if (block) yield ctx.free(thread, block);
          yield ctx.clearCache(keep);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [
        churner(a, b, [8192, 4096, 16384, 8192]), churner(b, a, [4096, 8192, 8192, 12288]),
        steward(c, [0, 5, 1, 8], 0), steward(d, [2, 0, 6], 1),
      ];
    },
  },

  /**
   * The memory grows while threads take runs, and kills land in allocations of large
   * blocks (inside the claim, the grow, the count); a block of the whole heap races them.
   */
  'growth-kill': {
    threads: 3,
    growth: true,
    maxBytes: 4 << 20,
    killFilter(thread) {
      return thread.pending?.fn === 'allocate' && thread.pending.args[0] > 100_000;
    },
    programs(ctx, threads, machine) {
      const heapBytes = () => new Uint32Array(machine.memory.buffer, 1024 + 28, 1)[0] * 4096;
      function* grower(thread, sizes) {
        const held = [];
        for (const size of sizes) {
          const block = yield ctx.alloc(typeof size === 'function' ? size() : size);
          if (block) held.push(block);
          yield* ctx.reclaimDead(thread);
        }
        for (const block of held) yield ctx.free(thread, block);
        yield* ctx.finish(thread);
      }
      return [
        grower(threads[0], [700_000, 100, 1_200_000]),
        grower(threads[1], [() => heapBytes(), 300_000, () => heapBytes() - 4096]),
        grower(threads[2], [500_000, 2000, 900_000]),
      ];
    },
  },

  /**
   * The memory must grow while caches hold blocks of other sizes: a request that no
   * committed run fits flushes every cache back to the heap first (the flushed blocks merge
   * with their free neighbours), racing pushes, pops and steals of those caches, frees
   * from other threads, and the bound; then it grows the memory if it must.
   */
  'growth-flush': {
    threads: 3,
    growth: true,
    maxBytes: 4 << 20,
    blocksMax: 6,
    boundWhenIdle: true,
    programs(ctx, [a, b, c]) {
      function* cacher(thread, other, sizes) {
        for (const size of sizes) {
          const block = yield ctx.alloc(size);
          const kept = yield ctx.alloc(size + 61_440);
          if (block) sendBlock(ctx, thread, other.index, block);
          if (kept) yield ctx.free(thread, kept); // into this thread's cache
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* grower(thread) {
        for (const size of [90_000, 520_000, 200_000, 880_000]) {
          const block = yield ctx.alloc(size);
          if (block) yield ctx.free(thread, block);
          if (size === 200_000) yield ctx.setBlocksMax(2);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [cacher(a, b, [150_000, 260_000, 110_000]), cacher(b, a, [200_000, 90_000, 330_000]), grower(c)];
    },
  },

  /**
   * Handles shared by a thread that dies before they are adopted: each handle is adopted
   * once at most; one adopted already, or whose sender was reclaimed, is refused, also
   * after its record was handed out again for a new reference (same address, new tag).
   */
  'share-kill-adopt': {
    threads: 3,
    blockSize: 4096,
    killFilter(thread, machine) {
      return thread.index === 0;
    },
    programs(ctx, [a, b, c], machine) {
      const stale = []; // { handle, why }
      const slotWord = (id) => {
        const words = new Uint32Array(machine.memory.buffer, 2048 + (id % 256) * machine.slotSize, 2);
        return { state: words[0] & 0xff, generation: words[1] };
      };
      /** Is the sender of `handle` fully reclaimed (its slot free or handed on)? */
      const senderGone = (handle) => {
        const word = slotWord(handle.fromId);
        return word.state === 0 || word.generation !== Math.floor(handle.fromId / 256);
      };
      function* sharer(thread) {
        for (let i = 0; i < 3; i++) {
          const ref = yield ctx.createImage(1000 + 500 * i, 2, 50 + i);
          if (!ref) continue;
          for (const to of [b, c]) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(to.index, handle);
          }
          yield ctx.releaseImage(thread, ref);
        }
        yield* ctx.finish(thread);
      }
      function* receiver(thread, other) {
        for (let round = 0; round < 4; round++) {
          const box = ctx.mailboxes[thread.index];
          for (let n = box.length; n > 0 && box.length > 0; n--) {
            const handle = box.shift();
            if (senderGone(handle)) { stale.push({ handle, why: 'its sender was reclaimed' }); continue; }
            const ref = yield ctx.adopt(handle);
            if (ref) {
              stale.push({ handle, why: 'adopted already' });
              // Shared on: the record this thread gets may be one the dead sender's
              // reclaim freed, with a new tag.
              const again = yield ctx.share(ref);
              if (again) ctx.send(other.index, again);
              yield ctx.releaseImage(thread, ref);
            } else if (senderGone(handle)) {
              stale.push({ handle, why: 'its sender was reclaimed' });
            }
          }
          for (const { handle, why } of stale.splice(0, 2)) yield ctx.adoptStale(handle, why);
          yield* ctx.reclaimDead(thread);
          // New references, so that freed records are handed out again.
          const ref = yield ctx.createImage(800, 1, 70 + round);
          if (ref) yield ctx.releaseImage(thread, ref);
        }
        for (const { handle, why } of stale.splice(0)) yield ctx.adoptStale(handle, why);
        yield* ctx.finish(thread);
      }
      return [sharer(a), receiver(b, c), receiver(c, b)];
    },
  },

  /**
   * Record chunks grow under kills: every thread's first reference takes a chunk, and one
   * thread shares an image past a chunk's 255 records; handles are adopted, unshared and
   * reclaimed while chunks are pushed and walked.
   */
  'records-growth': {
    threads: 3,
    blockSize: 4096,
    killFilter(thread, machine) {
      if (thread.pending?.fn !== 'imageShare' && thread.pending?.fn !== 'imageCreate') return false;
      // Only where this share or creation has to grow the slot's free list.
      const free = new Uint32Array(machine.memory.buffer, 2048 + thread.slot * machine.slotSize + 52, 1)[0];
      return free === 0 || thread.growing === true;
    },
    programs(ctx, [a, b, c], machine) {
      const freeHead = (thread) => new Uint32Array(machine.memory.buffer, 2048 + thread.slot * machine.slotSize + 52, 1)[0];
      function* many(thread, to, count) {
        const ref = yield ctx.createImage(300, 1, 90);
        if (ref) {
          const kept = [];
          for (let i = 0; i < count; i++) {
            thread.growing = freeHead(thread) === 0;
            const handle = yield ctx.share(ref);
            thread.growing = false;
            if (!handle) continue;
            if (i % 64 === 0) ctx.send(to.index, handle); else kept.push(handle);
          }
          for (const handle of kept) yield ctx.unshare(handle);
          yield ctx.releaseImage(thread, ref);
        }
        yield* drain(ctx, thread);
        yield* ctx.reclaimDead(thread);
        yield* ctx.finish(thread);
      }
      function* few(thread, to) {
        for (let i = 0; i < 3; i++) {
          thread.growing = freeHead(thread) === 0;
          const ref = yield ctx.createImage(200, 1, 95 + i);
          thread.growing = false;
          if (ref) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(to.index, handle);
            yield ctx.releaseImage(thread, ref);
          }
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [many(a, b, 260), few(b, c), few(c, a)];
    },
  },

  /**
   * Threads detach and attach again while references they shared are on their way (their
   * old slot stays DETACHED), and everyone reclaims everyone's past attachment ids: a
   * stale id must never fence or reclaim the attachment that has its slot now.
   */
  'attach-churn': {
    threads: 3,
    blockSize: 4096,
    programs(ctx, threads) {
      function* churner(thread, rounds) {
        const others = threads.filter((t) => t !== thread);
        for (let i = 0; i < rounds; i++) {
          const block = yield ctx.alloc(i % 2 ? 200 : 6000);
          const ref = yield ctx.createImage(700, 2, 110 + i);
          if (ref) {
            const handle = yield ctx.share(ref);
            if (handle) ctx.send(others[i % 2].index, handle);
            yield ctx.releaseImage(thread, ref);
          }
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
          for (const other of others) for (const id of other.pastIds) yield ctx.reclaimPast(id);
          if (thread.state === 'ready' && !thread.fenced) {
            yield ctx.detach();
            yield ctx.reattach(thread);
          }
          if (block) yield ctx.free(thread, block); // raw blocks stay the thread's across attachments
        }
        yield* ctx.finish(thread);
      }
      return threads.map((t) => churner(t, 3));
    },
  },

  /** Scratch blocks (the core's temporaries) of threads that die holding them, small and page sized, up to the slot's limit. */
  'scratch-kill': {
    threads: 3,
    programs(ctx, threads) {
      function* user(thread, sizes) {
        const held = [];
        for (const size of sizes) {
          const block = yield ctx.scratch(size);
          if (block) held.push(block);
          if (held.length > 3) yield ctx.scratchFree(thread, held.shift());
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      const sizes = [100, 5000, 700, 20000, 60, 1500, 9000, 300];
      return [user(threads[0], sizes), user(threads[1], sizes.slice().reverse()), user(threads[2], [...sizes, ...sizes.slice(0, 4)])];
    },
  },

  /**
   * Three threads allocate and cross-free small blocks of one bin while a fourth retires
   * empty listed slabs (clearCache): slabs listed, popped, retired and made anew at once.
   */
  'slab-bin-race': {
    threads: 4,
    programs(ctx, [a, b, c, d]) {
      const smalls = [a, b, c];
      function* small(thread, rounds) {
        const others = smalls.filter((t) => t !== thread);
        for (let i = 0; i < rounds; i++) {
          const x = yield ctx.alloc(180);
          const y = yield ctx.alloc(120);
          if (x) sendBlock(ctx, thread, others[i % 2].index, x);
          if (y) yield ctx.free(thread, y);
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      function* retirer(thread) {
        for (let i = 0; i < 5; i++) {
          yield ctx.clearCache(0);
          const z = yield ctx.alloc(200);
          if (z) yield ctx.free(thread, z);
          yield* ctx.reclaimDead(thread);
        }
        yield* ctx.finish(thread);
      }
      return [small(a, 6), small(b, 6), small(c, 6), retirer(d)];
    },
  },

  /** A thread fills its active slabs, gives the blocks away and dies; the others free them while its slabs are abandoned by reclaim. */
  'slab-owner-killed': {
    threads: 3,
    killFilter(thread) {
      return thread.index === 0;
    },
    programs(ctx, [a, b, c]) {
      function* owner(thread) {
        for (let i = 0; i < 8; i++) {
          const block = yield ctx.alloc(i % 2 ? 1000 : 1272);
          if (block) sendBlock(ctx, thread, i % 2 ? b.index : c.index, block);
          const small = yield ctx.alloc(90);
          if (small) sendBlock(ctx, thread, i % 2 ? c.index : b.index, small);
        }
        yield* ctx.finish(thread);
      }
      function* freer(thread) {
        for (let i = 0; i < 6; i++) {
          yield* drain(ctx, thread);
          yield* ctx.reclaimDead(thread);
          yield ctx.pause();
          const block = yield ctx.alloc(1100);
          if (block) yield ctx.free(thread, block);
        }
        yield* drain(ctx, thread);
        yield* ctx.reclaimDead(thread);
        yield* ctx.finish(thread);
      }
      return [owner(a), freer(b), freer(c)];
    },
  },
};
