// The fence of reclaim(id, dead = false) against a thread that is entering a call, with real
// threads on the shipped shared core (dist/pixel-arena.shared.wasm).
//
// enter() (assembly/threads.ts) does `store IN_CORE = 1` (a plain store) and then an atomic
// load of the slot's state word; reclaim() does a CAS of that state word to FENCED and then
// an atomic load of IN_CORE. That is Dekker's pattern, and it is only correct when the
// store is sequentially consistent too: with a plain store, the entering thread's store can
// still sit in its store buffer (x86-TSO allows store→load reordering, and so does the
// WebAssembly memory model for a non-atomic store) when the reclaimer reads IN_CORE. Then
// the entering thread sees its slot LIVE and goes on into the core, while the reclaimer
// sees IN_CORE = 0 and reclaims the slot under it.
//
// Each trial: thread V attaches, both threads meet at a start line, V calls heapCheck()
// (a long, read-only call) while R calls reclaim(V, dead = false) after a short random
// delay. A violation is: V's call was let in (not FENCED), R's reclaim finished (not BUSY),
// and R had finished before V's call returned, i.e. the reclaim ran while V was inside the
// core. With a correct fence that cannot happen: either V's enter sees FENCED, or R sees
// IN_CORE = 1 and returns BUSY.
//
//   node test/litmus/fence-store-load.mjs [seconds]
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';

const BUSY = 12;
const FENCED = 11;

if (isMainThread) {
  const seconds = Number(process.argv[2] ?? 10);
  const module = new WebAssembly.Module(readFileSync(process.env.PA_CORE ?? new URL('../../dist/pixel-arena.shared.wasm', import.meta.url)));
  const memory = new WebAssembly.Memory({ initial: 128, maximum: 4096, shared: true }); // up to 256 MiB: a long heap walk
  const main = new WebAssembly.Instance(module, { env: { memory } }).exports;
  if (main.arenaInit(4096, 65536, 8, 16, 1234, 1) !== 0) throw new Error('arenaInit');
  // control words: 0 trial (R writes), 1 V's id ready (trial), 2 V's result, 3 V done (trial),
  // 4 R result, 5 R done (trial), 6 stop, 7 V's id
  const control = new SharedArrayBuffer(64);
  const deadline = Date.now() + seconds * 1000;
  const v = new Worker(new URL(import.meta.url), { workerData: { role: 'V', memory, module, control } });
  const r = new Worker(new URL(import.meta.url), { workerData: { role: 'R', memory, module, control, deadline } });
  const report = await new Promise((resolve, reject) => {
    r.on('message', resolve);
    r.on('error', reject);
    v.on('error', reject);
  });
  await v.terminate();
  console.log(JSON.stringify(report));
  process.exitCode = report.violations > 0 ? 1 : 0;
} else {
  const { role, memory, module, control, deadline } = workerData;
  const c = new Int32Array(control);
  const f = new Float64Array(control, 32, 4);
  const core = new WebAssembly.Instance(module, { env: { memory } }).exports;
  if (role === 'V') runV();
  else runR();
  function runV() {
    for (let trial = 1; ; trial++) {
      const id = core.attach(0);
      if (id < 0) throw new Error(`attach ${id}`);
      f[0] = id;
      Atomics.store(c, 1, trial);
      while (Atomics.load(c, 0) !== trial) { if (Atomics.load(c, 6)) return; }
      const t0 = performance.now();
      const result = core.heapCheck();
      f[1] = performance.now() - t0;
      // Did the reclaim finish while this call was inside the core?
      const reclaimFinished = Atomics.load(c, 5) === trial;
      c[2] = result;
      c[8] = reclaimFinished ? 1 : 0;
      Atomics.store(c, 3, trial);
      // Wait for R to settle the trial (reclaim again as dead if it was BUSY).
      while (Atomics.load(c, 9) !== trial) { if (Atomics.load(c, 6)) return; }
    }
  }
  function runR() {
    core.attach(0);
    let trials = 0, busy = 0, refusedV = 0, clean = 0, violations = 0;
    const examples = [];
    const cleanExamples = [];
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    for (let trial = 1; Date.now() < deadline; trial++) {
      while (Atomics.load(c, 1) !== trial) {}
      const id = f[0];
      const delay = Math.floor(random() * 400);
      Atomics.store(c, 0, trial); // go
      for (let i = 0; i < delay; i++) Atomics.load(c, 7);
      const t0 = performance.now();
      const result = core.reclaim(id, 0);
      const reclaimMs = performance.now() - t0;
      if (result !== -BUSY) Atomics.store(c, 5, trial);
      while (Atomics.load(c, 3) !== trial) {}
      const vResult = c[2];
      const finishedDuring = c[8] === 1;
      trials++;
      if (result === -BUSY) {
        busy++;
        const again = core.reclaim(id, 1);
        if (again < 0) throw new Error(`reclaim after BUSY: ${again}`);
      } else if (result < 0) {
        throw new Error(`reclaim: ${result}`);
      } else if (vResult === -FENCED) {
        refusedV++;
      } else if (finishedDuring && f[1] > 4 * reclaimMs + 0.02) {
        // V's call lasted more than four times the whole reclaim (and the delay before it):
        // V was inside the core when R read IN_CORE.
        violations++;
        if (examples.length < 5) examples.push({ trial, delay, vResult, vCallMs: +f[1].toFixed(3), reclaimMs: +reclaimMs.toFixed(4) });
      } else {
        clean++; // V's call was over before the reclaim began
        if (cleanExamples.length < 5) cleanExamples.push({ trial, delay, vCallMs: +f[1].toFixed(3), reclaimMs: +reclaimMs.toFixed(4), finishedDuring });
      }
      Atomics.store(c, 9, trial);
    }
    Atomics.store(c, 6, 1);
    parentPort.postMessage({ trials, busy, refusedV, vFinishedFirst: clean, violations, examples, cleanExamples });
  }
}
