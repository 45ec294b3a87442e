// Finds value-import cycles among the TypeScript and AssemblyScript sources (type-only
// imports do not count: they vanish at build time). Run by test/architecture.test.ts and
// on its own: `node scripts/check-imports.mjs` prints each cycle and exits 1 if any.
//
// A small reader of `import ... from '...'` and `export ... from '...'` statements rather
// than a bundler's graph: AssemblyScript sources are not TypeScript a dependency tool can
// resolve (their imports name files without extensions, their decorators are not
// TypeScript's), and both languages share this one check.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(folder) {
  const found = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Value imports of one file, as absolute paths of files under ROOT. */
function valueImports(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const targets = [];
  const statement = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+['"]([^'"]+)['"]/g;
  for (const match of text.matchAll(statement)) {
    const [, , typeOnly, clause, specifier] = match;
    if (typeOnly || !specifier.startsWith('.')) continue;
    // `import { type A, type B } from` is type-only too.
    const names = /^\{([\s\S]*)\}$/.exec(clause.trim());
    if (names && names[1].split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '))) continue;
    const base = resolve(dirname(file), specifier);
    const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((path) => { try { return statSync(path).isFile(); } catch { return false; } });
    if (target) targets.push(target);
  }
  // Side-effect imports: `import './x.js'`.
  for (const match of text.matchAll(/(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g)) {
    const base = resolve(dirname(file), match[1]);
    const target = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`].find((path) => { try { return statSync(path).isFile(); } catch { return false; } });
    if (target) targets.push(target);
  }
  return targets;
}

/** The value imports of every source file under `folders`, by path relative to the repository. */
export function importGraph(folders = ['src', 'assembly']) {
  const files = folders.flatMap((folder) => sources(join(ROOT, folder)));
  return new Map(files.map((file) => [relative(ROOT, file), valueImports(file).map((target) => relative(ROOT, target))]));
}

/** Every elementary cycle found by a depth-first search (each reported once, from its smallest file). */
export function findCycles(folders = ['src', 'assembly']) {
  const files = folders.flatMap((folder) => sources(join(ROOT, folder)));
  const graph = new Map(files.map((file) => [file, valueImports(file)]));
  const cycles = new Map();
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next)).map((f) => relative(ROOT, f));
        const start = cycle.indexOf([...cycle].sort()[0]);
        const key = [...cycle.slice(start), ...cycle.slice(0, start)].join(' → ');
        cycles.set(key, true);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return [...cycles.keys()];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cycles = findCycles();
  if (cycles.length === 0) {
    console.log('no value-import cycles in src/ and assembly/');
  } else {
    console.log(`${cycles.length} value-import cycle(s):`);
    for (const cycle of cycles) console.log(`  ${cycle}`);
    process.exitCode = 1;
  }
}
