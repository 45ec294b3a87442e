// Bundles the TypeScript entries into dist/ (the .wasm files are already there, built by asc).
//
// Each runtime's package entry and its pool worker are built together with code splitting:
// the library code they share lives in one chunk that both import, so that inside a worker
// a tasks module that imports 'pixel-arena' gets the very module instance the worker runs
// (the same Image class, the same runtime). The chunks stay in dist/ itself, beside the
// .wasm files and workers they find through import.meta.url. The build ends by reporting
// the size of what the package ships.
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const families = {
  node: { node: 'src/entry/node.ts', 'pool-worker-node': 'src/entry/pool-worker-node.ts' },
  web: { web: 'src/entry/web.ts', 'pool-worker': 'src/entry/pool-worker-web.ts' },
};

// Chunk names carry a content hash: drop the ones of earlier builds.
for (const file of readdirSync('dist', { withFileTypes: true })) {
  if (file.isFile() && /^chunk-(node|web)-.*\.js(\.map)?$/.test(file.name)) rmSync(`dist/${file.name}`);
}

for (const [family, entryPoints] of Object.entries(families)) {
  await build({
    entryPoints,
    outdir: 'dist',
    bundle: true,
    splitting: true,
    chunkNames: `chunk-${family}-[hash]`,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Maps beside the files for debugging, without a sourceMappingURL comment: the package
    // does not ship them.
    sourcemap: 'external',
    // Node built-ins stay imports; the web entry imports node:fs only on file: URLs (Deno, Bun).
    external: ['node:*'],
    logLevel: 'warning',
  });
}

// workerd (one thread, no pool) gets one self-contained file: its configuration names
// every module it may load, and a chunk's name changes with its content.
await build({
  entryPoints: { workerd: 'src/entry/workerd.ts' },
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: 'external',
  external: ['node:*'],
  logLevel: 'warning',
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
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: 'external',
  external: ['node:*'],
  logLevel: 'warning',
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
