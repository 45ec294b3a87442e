// Bundles the TypeScript entries into dist/ (the .wasm files are already there, built by
// asc) and reports the size of what the package ships.
import { build } from 'esbuild';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const common = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  // Maps beside the files for debugging, without a sourceMappingURL comment: the package
  // does not ship them.
  sourcemap: 'external',
  // Node built-ins stay imports; the web entry imports node:fs only on file: URLs (Deno, Bun).
  external: ['node:*'],
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: {
    node: 'src/entry/node.ts',
    web: 'src/entry/web.ts',
    workerd: 'src/entry/workerd.ts',
    'pool-worker-node': 'src/entry/pool-worker-node.ts',
    'pool-worker': 'src/entry/pool-worker-web.ts',
  },
  platform: 'neutral',
});

// The CLI takes the library from dist/node.js (one copy of it, not a second bundle), and
// its tasks module, loaded by each pool worker, only what the thumbnail pipeline needs.
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const nodeEntryIsExternal = {
  name: 'node-entry-external',
  setup(context) {
    context.onResolve({ filter: /\/entry\/node\.js$/ }, () => ({ path: './node.js', external: true }));
  },
};
await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', 'cli-tasks': 'src/cli/tasks.ts' },
  platform: 'node',
  plugins: [nodeEntryIsExternal],
  define: { PIXEL_ARENA_VERSION: JSON.stringify(version) },
  banner: { js: '#!/usr/bin/env node' },
});

// Type declarations beside each entry, for code that imports a dist file by path.
for (const name of ['node', 'web', 'workerd']) {
  writeFileSync(`dist/${name}.d.ts`, "export * from './types/index.js';\n");
}
// The plain core as edge runtimes import it (`import core from 'pixel-arena/pixel-arena.plain.wasm'`).
writeFileSync('dist/pixel-arena.plain.wasm.d.ts', 'declare const core: WebAssembly.Module;\nexport default core;\n');

// What each core weighs, raw and gzipped (the debug builds ship for the `debug` option).
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const rows = readdirSync('dist')
  .filter((name) => name.endsWith('.wasm') || (name.endsWith('.js') && !name.endsWith('.map')))
  .sort()
  .map((name) => {
    const bytes = readFileSync(`dist/${name}`);
    return [name, statSync(`dist/${name}`).size, gzipSync(bytes, { level: 9 }).length];
  });
const width = Math.max(...rows.map(([name]) => name.length));
console.log('dist sizes (raw, gzip -9):');
for (const [name, raw, gz] of rows) console.log(`  ${name.padEnd(width)}  ${kib(raw).padStart(10)}  ${kib(gz).padStart(10)}`);
