// What the store→load hole in the reclaim fence (see fence-store-load.mjs) does to the
// allocator, with real threads on the shipped shared core: thread V allocates and frees
// small blocks as fast as it can and keeps a ledger of what it holds (address → tag, a
// stamp in each block); thread R reclaims V with reclaim(id, dead = false) at random
// moments, retrying while BUSY, as `reclaimWhenStopped` does; V attaches again when it is
// refused and frees its leftovers (raw blocks stay their owner's). With a sound fence no
// reclaim overlaps a call of V, and V's ledger, its stamps and the heap walker stay clean.
//
//   node test/litmus/fence-harm.mjs [seconds]
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

const FENCED = 11;
const BUSY = 12;

/** The slot layout, as the module exports it. */
function layoutOf(e) {
  const at = (name) => e[name].value;
  return {
    slot: (slot) => at('SLOTS_BASE') + slot * at('SLOT_SIZE'),
    results: at('SLOT_RESULTS'), resultTag: at('SLOT_RESULT_TAG'), resultError: at('RESULT_ERROR'), inCore: at('SLOT_IN_CORE'),
    stats: at('SLOT_STATS'), blocksInUse: at('STAT_BLOCKS_IN_USE'), attachments: at('STAT_ATTACHMENTS'),
  };
}

if (isMainThread) {
  const seconds = Number(process.argv[2] ?? 10);
  const module = new WebAssembly.Module(readFileSync(process.env.PA_CORE ?? new URL('../../dist/pixel-arena.shared.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 256, shared: true });
  const main = new WebAssembly.Instance(module, { env: { memory } }).exports;
  if (main.arenaInit(256, 65536, 8, 16, 1234, 1) !== 0) throw new Error('arenaInit');
  main.attach(0);
  const layout = layoutOf(main);
  const control = new SharedArrayBuffer(64);
  const c = new Int32Array(control);
  const deadline = Date.now() + seconds * 1000;
  const workers = ['V', 'R'].map((role) => new Worker(new URL(import.meta.url), { workerData: { role, memory, module, control, deadline } }));
  const finished = Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    w.on('message', resolve);
    w.on('error', reject);
  })));
  // A thread stuck inside the core never reports: after the deadline and a grace period,
  // say where each thread is.
  let reports;
  const ticker = setInterval(() => {}, 1000);
  const outcome = await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 10_000).unref())]);
  clearInterval(ticker);
  if (outcome === undefined) {
    const slots = [];
    for (let slot = 0; slot < 4; slot++) {
      // The state word, its generation and the in-a-call flag (what says where a thread is stuck).
      const u32 = new Uint32Array(memory.buffer, layout.slot(slot), 4);
      slots.push({ slot, state: u32[0] & 0xff, generation: u32[1], inCore: u32[layout.inCore >> 2] });
    }
    console.log(JSON.stringify({ stuck: true, vCalls: c[3], vAttaches: c[4], rReclaims: c[5], rBusy: c[6], slots }));
    process.exit(1);
  }
  reports = outcome;
  const heap = main.heapCheck();
  main.statsCollect();
  const stats = new Float64Array(memory.buffer, layout.slot(0) + layout.stats, 16); // the main thread has slot 0
  const summary = { v: reports[0], r: reports[1], heapCheck: heap, blocksInUse: stats[layout.blocksInUse], attachments: stats[layout.attachments] };
  console.log(JSON.stringify(summary));
  process.exitCode = reports[0].violations.length > 0 || heap !== 0 || stats[3] !== 0 ? 1 : 0;
} else {
  const { role, memory, module, control, deadline } = workerData;
  const c = new Int32Array(control);
  const ids = new Float64Array(control, 32, 1);
  const core = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const layout = layoutOf(core);
  const errorOf = (slot) => new Uint32Array(memory.buffer, layout.slot(slot) + layout.results, 4)[layout.resultError];
  const tagOf = (slot) => new Float64Array(memory.buffer, layout.slot(slot) + layout.resultTag, 1)[0];
  let seed = role === 'V' ? 99 : 77;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  if (role === 'V') {
    const ledger = new Map(); // address -> { tag, size }
    const violations = [];
    const view = new DataView(memory.buffer);
    let id = core.attach(0);
    let slot = id % 256;
    ids[0] = id;
    Atomics.add(c, 0, 1);
    let attaches = 1, calls = 0;
    const reattach = () => {
      id = core.attach(0);
      if (id < 0) throw new Error(`attach ${id}`);
      slot = id % 256;
      attaches++;
      ids[0] = id;
      Atomics.add(c, 0, 1);
    };
    const overlaps = (ptr, size) => {
      for (const [p, b] of ledger) if (ptr < p + b.size && p < ptr + size) return p;
      return -1;
    };
    while (Date.now() < deadline && violations.length < 10) {
      c[3] = calls;
      c[4] = attaches;
      for (let k = 0; k < 200; k++) {
        calls++;
        if (ledger.size < 24 && (ledger.size === 0 || random() < 0.5)) {
          const size = 8 + Math.floor(random() * 200);
          const ptr = core.allocate(size);
          if (ptr === 0) {
            const error = errorOf(slot);
            if (error === FENCED) { reattach(); continue; }
            violations.push(`allocate failed ${error}`);
            continue;
          }
          const tag = tagOf(slot);
          const other = overlaps(ptr, size);
          if (other >= 0) violations.push(`allocate(${size}) = ${ptr} overlaps held block ${other}`);
          ledger.set(ptr, { tag, size });
          view.setFloat64(ptr, tag, true);
        } else {
          const [ptr, block] = ledger.entries().next().value;
          if (view.getFloat64(ptr, true) !== block.tag) violations.push(`stamp of ${ptr} overwritten`);
          const status = core.release(ptr, block.tag);
          if (status === FENCED) { reattach(); continue; }
          ledger.delete(ptr);
          if (status !== 0) violations.push(`free of held block ${ptr} gave ${status}`);
        }
      }
    }
    for (const [ptr, block] of ledger) {
      // The reclaimer, still running, reclaims each new attachment once: a free may be
      // refused (FENCED, without effect) again after the reattach, so retry, boundedly.
      let status = core.release(ptr, block.tag);
      for (let tries = 0; status === FENCED && tries < 1000; tries++) { reattach(); status = core.release(ptr, block.tag); }
      if (status !== 0) violations.push(`final free of ${ptr} gave ${status}`);
    }
    Atomics.store(c, 1, 1); // V is done
    core.detach();
    parentPort.postMessage({ attaches, calls, violations });
  } else {
    core.attach(0);
    let seen = 0, reclaims = 0, busy = 0, odd = [];
    while (Atomics.load(c, 1) === 0) {
      const version = Atomics.load(c, 0);
      if (version === seen) continue;
      seen = version;
      const id = ids[0];
      const delay = Math.floor(random() * 3000);
      for (let i = 0; i < delay; i++) Atomics.load(c, 2);
      for (;;) {
        const result = core.reclaim(id, 0);
        if (result === -BUSY) { busy++; c[6] = busy; continue; }
        if (result < 0 && result !== -3 && odd.length < 5) odd.push(result);
        reclaims++;
        c[5] = reclaims;
        break;
      }
    }
    parentPort.postMessage({ reclaims, busy, odd });
  }
}
