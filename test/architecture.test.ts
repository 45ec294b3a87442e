// The shape of the sources (docs/architecture.md): layers that import downward only, one
// kernel table that Image and Pool both call into, one catalogue of errors, every core
// status mapped, the pool's numbers named. These fail on the first change that breaks them.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph } from '../scripts/check-imports.mjs';
import { KERNELS } from '../src/kernels/table.js';
import { Image } from '../src/image.js';
import { Pool } from '../src/pool/pool.js';
import { CORE_STATUSES, errorFromStatus, STATUS_OK } from '../src/errors.js';

const root = new URL('../', import.meta.url).pathname;

/** The layers, lowest first: a file may import (by value) only from its own layer or lower ones. */
const TS_LAYERS: Array<[layer: number, pattern: RegExp]> = [
  [0, /^src\/(errors|layout|validate)\.ts$/],
  [1, /^src\/(core\.ts|runtime\/)/],
  [2, /^src\/state\.ts$/],
  [3, /^src\/(kernels|codecs)\//],
  [4, /^src\/image\.ts$/],
  [5, /^src\/arena\.ts$/],
  [6, /^src\/pool\//],
  [7, /^src\/(thumbnail|index)\.ts$/],
  [8, /^src\/(cli|entry)\//],
];
const AS_LAYERS: Array<[layer: number, pattern: RegExp]> = [
  [0, /^assembly\/shared\//],
  [1, /^assembly\/alloc\//],
  [2, /^assembly\/image\//],
  [3, /^assembly\/(threads\.ts|check\.ts|kernels\/|codecs\/)/],
  [4, /^assembly\/(index|explore)\.ts$/],
];

function layerOf(file: string): number {
  const found = [...TS_LAYERS, ...AS_LAYERS].find(([, pattern]) => pattern.test(file));
  if (found === undefined) throw new Error(`${file} is in no layer: add it to the layers of docs/architecture.md and this test`);
  return found[0];
}

function sourcesOf(folder: string): string[] {
  return readdirSync(join(root, folder)).flatMap((name) => {
    const path = `${folder}/${name}`;
    return statSync(join(root, path)).isDirectory() ? sourcesOf(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** A file's text without comments (block and line). */
function code(file: string): string {
  return readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('layers', () => {
  it('no value-import cycle in src/ or assembly/', () => {
    expect(findCycles()).toEqual([]);
  });

  it('every value import goes to the same layer or a lower one', () => {
    const upward: string[] = [];
    for (const [file, targets] of importGraph()) {
      for (const target of targets) {
        if (layerOf(target) > layerOf(file)) upward.push(`${file} (layer ${layerOf(file)}) → ${target} (layer ${layerOf(target)})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the layer check sees an upward import (it is not vacuous)', () => {
    expect(layerOf('src/state.ts')).toBeLessThan(layerOf('src/image.ts'));
    const graph = importGraph();
    expect(graph.get('src/image.ts')).toContain('src/kernels/table.ts');
    expect(graph.get('src/state.ts')).not.toContain('src/image.ts');
  });
});

describe('one kernel table', () => {
  const kernels = Object.keys(KERNELS);

  it('Image and Pool each have a method for every kernel of the table', () => {
    expect(kernels.length).toBeGreaterThanOrEqual(9);
    for (const name of kernels) {
      expect({ name, image: typeof (Image.prototype as unknown as Record<string, unknown>)[name] })
        .toEqual({ name, image: 'function' });
      expect({ name, pool: typeof (Pool.prototype as unknown as Record<string, unknown>)[name] })
        .toEqual({ name, pool: 'function' });
    }
  });

  it('those methods are one-line calls into the table', () => {
    const image = code('src/image.ts');
    const pool = code('src/pool/pool.ts');
    for (const name of kernels) {
      expect(image).toMatch(new RegExp(`\\n  ${name}\\([^)]*\\)[^{]*\\{\\n    return this\\.#apply\\('${name}', \\[[^\\]]*\\]\\);\\n  \\}`));
      expect(pool).toMatch(new RegExp(`\\n  ${name}\\([^)]*\\)[^{]*\\{\\n    return this\\.#kernel\\('${name}', image, \\[[^\\]]*\\], options\\);\\n  \\}`));
    }
  });
});

describe('one table of codecs', () => {
  it('codecs.ts serves every format of the table and names none of them', async () => {
    const { CODECS } = await import('../src/codecs/table.js');
    expect(Object.keys(CODECS).sort()).toEqual(['jpeg', 'png', 'qoi']);
    expect(code('src/codecs/codecs.ts')).not.toMatch(/'(png|jpeg|qoi)'/);
  });
});

describe('one catalogue of errors', () => {
  it('every error is made in src/errors.ts: no ArenaError or Error built elsewhere', () => {
    const offenders = sourcesOf('src').filter((file) => file !== 'src/errors.ts').flatMap((file) => {
      const text = code(file);
      return [/new ArenaError\(/, /new (Type|Range)?Error\(/, /Object\.assign\(new/, /throw ['"`]/]
        .filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern}`);
    });
    expect(offenders).toEqual([]);
  });

  it('every status the core returns maps to an ArenaError of its own', async () => {
    const bytes = readFileSync(join(root, 'dist/pixel-arena.plain.wasm'));
    const module = await WebAssembly.compile(bytes);
    const statuses = WebAssembly.Module.exports(module).filter((e) => e.kind === 'global' && e.name.startsWith('STATUS_'));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 100 });
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort() {} } });
    const values = statuses.map((e) => (instance.exports[e.name] as WebAssembly.Global).value as number).filter((v) => v !== STATUS_OK);
    expect(values.length).toBeGreaterThanOrEqual(11);
    expect([...values].sort((a, b) => a - b)).toEqual([...CORE_STATUSES].sort((a, b) => a - b));
    for (const status of values) expect(errorFromStatus(status, 'x').message).not.toMatch(/unexpected status/);
  });
});

describe('the pool in parts', () => {
  it('pool.ts exports the public class only', async () => {
    expect(Object.keys(await import('../src/pool/pool.js'))).toEqual(['Pool']);
  });

  it('numbers in the pool are named constants (no bare literals beyond 0, 1 and 2)', () => {
    const bare = sourcesOf('src/pool').flatMap((file) => code(file).split('\n').map((line, i) => ({ file, line, i }))
      .filter(({ line }) => !/^\s*(export )?const [A-Z_]+ = /.test(line))
      .filter(({ line }) => /(?<![\w.$'"`[])(?:[3-9]|\d{2,})(?![\w'"`])/.test(line.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '')))
      .map(({ file, line, i }) => `${file}:${i + 1}: ${line.trim()}`));
    expect(bare).toEqual([]);
  });

  it('the Node worker script has no top-level await (Node aborts when it stops a worker in such a module)', () => {
    // nodejs/node#53238: a process that exits while a worker evaluates a module with top-level
    // await can fail a V8 check and abort; seen once as the CLI exited during a worker's start.
    const source = code('src/entry/pool-worker-node.ts');
    expect(source).toMatch(/^main\(\)/m);
    expect(source.split('\n').filter((line) => /^(await\b|(const|let|var)\s[^=]*=\s*await\b)/.test(line))).toEqual([]);
  });
});
