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
          machine.claim(ptr, block.size, `thread ${thread.index} (tag ${block.tag})`);
          machine.stamp(block);
          thread.blocks.set(ptr, block);
          return block;
        },
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
            width: ref.width, height: ref.height,
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
            if (sender.state !== 'dead' && !sender.fenced) throw new Violation(`adopt of a live handle from thread ${handle.from} refused`);
            return null;
          }
          if (image !== handle.image) throw new Violation('adopt gave another image');
          if (firstPixel(image) !== handle.fill) throw new Violation(`adopted image ${image} has pixel ${firstPixel(image)}, not ${handle.fill}`);
          const ref = { record: handle.record, tag: handle.tag, image, fill: handle.fill };
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
          if (result >= 0 || result === -INVALID_HANDLE) { victim.reclaimed = true; return true; }
          if (refused(-result, t)) return true;
          throw new Violation(`reclaim of a running thread gave ${result}`);
        },
      };
    },
    detach() {
      return { fn: 'detach', args: [] };
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
};
