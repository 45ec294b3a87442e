// Builds the explorer's "deep" core: the explore core (a schedule point before every atomic
// operation) plus a kill point at every function entry and every loop header, where
// engines poll for termination (V8, SpiderMonkey and JSC stop a wasm thread only there).
// The explorer's own points sit before atomics only, so a kill between an atomic step and
// the plain stores that record it is never tried there; these points try exactly the
// places a real worker.terminate() can land.
//
// binaryen's --log-execution pass puts `call $env.log_execution(id)` at each function
// entry, loop header and return; the ids of returns are listed so that the machine
// ignores them (engines do not poll at a return). Kills at these points are thrown as
// exceptions: a killed thread never resumes, so no asyncify is needed for them.
//
//   node test/explore/build-deep.mjs      (npm run build:explore first is not needed)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => join(root, 'node_modules/.bin', name);
const out = join(root, 'build/pixel-arena.explore-deep.wasm');
const points = join(root, 'build/pixel-arena.explore-deep.points.json');
const FEATURES = ['--enable-threads', '--enable-simd', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
  '--enable-sign-ext', '--enable-mutable-globals'];

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Classifies each log_execution id by what precedes it in the printed module. */
function classify(text) {
  const lines = text.split('\n');
  const kinds = {};
  // The import's name in the printed module (no name section: $fimport$N).
  const name = /\(import "env" "log_execution" \(func (\S+)/.exec(text)[1];
  const call = `(call ${name}`;
  let previous = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === call) {
      const id = Number(/^\(i32\.const (\d+)\)$/.exec(lines[i + 1].trim())[1]);
      kinds[id] = previous.startsWith('(loop') ? 'loop'
        : previous.startsWith('(func ') || previous.startsWith('(local ') || previous.startsWith('(param') ? 'entry' : 'return';
      i += 2;
      continue;
    }
    if (line.length > 0) previous = line;
  }
  return kinds;
}

export function buildDeep({ force = false } = {}) {
  if (!force && existsSync(out) && existsSync(points)
    && statSync(out).mtimeMs > newestSource(join(root, 'assembly'))
    && statSync(out).mtimeMs > statSync(fileURLToPath(import.meta.url)).mtimeMs) return;
  mkdirSync(join(root, 'build'), { recursive: true });
  const raw = join(root, 'build/pixel-arena.explore-deep.raw.wasm');
  execFileSync(bin('asc'), ['assembly/explore.ts', '--config', 'asconfig.json', '--target', 'explore', '--outFile', raw], { cwd: root, stdio: 'inherit' });
  const logged = join(root, 'build/pixel-arena.explore-deep.logged.wasm');
  execFileSync(bin('wasm-opt'), [raw, ...FEATURES, '--log-execution', '-o', logged], { stdio: 'inherit' });
  const text = execFileSync(bin('wasm-opt'), [logged, ...FEATURES, '--print'], { maxBuffer: 1 << 30 }).toString();
  const kinds = classify(text);
  const counts = Object.values(kinds).reduce((n, k) => ({ ...n, [k]: (n[k] ?? 0) + 1 }), {});
  if (!counts.entry || !counts.loop) throw new Error(`could not classify the kill points: ${JSON.stringify(counts)}`);
  execFileSync(bin('wasm-opt'), [logged, ...FEATURES, '--asyncify', '--pass-arg=asyncify-imports@env.schedulePoint', '-O2', '-o', out], { stdio: 'inherit' });
  writeFileSync(points, JSON.stringify({ kinds, counts }));
  console.log(`explore-deep core: ${counts.entry} function entries, ${counts.loop} loop headers (${counts.return} returns ignored)`);
}

/**
 * The "preempt" core: the explore core with a switch point before every plain load and
 * store as well (binaryen's --instrument-memory: `env.load_ptr` / `env.store_ptr` before
 * each access, made suspendable with asyncify). Real threads are preempted anywhere; the
 * explore core switches only at atomics, so it never runs another thread between an atomic
 * step and a plain access that follows it. This one does.
 */
export function buildPreempt({ force = false } = {}) {
  const target = join(root, 'build/pixel-arena.explore-preempt.wasm');
  if (!force && existsSync(target)
    && statSync(target).mtimeMs > newestSource(join(root, 'assembly'))
    && statSync(target).mtimeMs > statSync(fileURLToPath(import.meta.url)).mtimeMs) return;
  mkdirSync(join(root, 'build'), { recursive: true });
  const raw = join(root, 'build/pixel-arena.explore-preempt.raw.wasm');
  execFileSync(bin('asc'), ['assembly/explore.ts', '--config', 'asconfig.json', '--target', 'explore', '--outFile', raw], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('wasm-opt'), [raw, ...FEATURES, '--instrument-memory', '--asyncify',
    '--pass-arg=asyncify-imports@env.schedulePoint,env.load_ptr,env.store_ptr', '-O2', '-o', target], { stdio: 'inherit' });
  console.log('explore-preempt core built');
}

export function deepPointKinds() {
  return JSON.parse(readFileSync(points, 'utf8')).kinds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildDeep({ force: process.argv.includes('--force') });
  buildPreempt({ force: process.argv.includes('--force') });
}
