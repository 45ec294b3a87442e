// Builds the cores of the schedule explorer (test/explore): the core with a schedule point
// before every atomic operation (--use PA_EXPLORE=1) and its invariants asserted, made
// suspendable at those points with binaryen's asyncify; and the same with two fixes
// reverted (PA_MUTANT_SLAB, PA_MUTANT_SETTLE), which the explorer must catch. Not part of
// the package.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
mkdirSync(new URL('../build/', import.meta.url), { recursive: true });
for (const target of ['explore', 'explore-mutant']) {
  // assembly/explore.ts adds the explorer's own export beside index.ts's.
  execFileSync(bin('asc'), ['assembly/explore.ts', '--config', 'asconfig.json', '--target', target], { stdio: 'inherit' });
  const file = `build/pixel-arena.${target}.wasm`;
  execFileSync(bin('wasm-opt'), [
    file, '--enable-threads', '--enable-simd', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
    '--enable-sign-ext', '--enable-mutable-globals', '--asyncify', '--pass-arg=asyncify-imports@env.schedulePoint',
    '-O2', '-o', file,
  ], { stdio: 'inherit' });
}
