// Bundles the TypeScript entries into dist/ (the .wasm files are already there, built by asc).
//
// Each runtime's package entry and its pool worker are built together with code splitting:
// the library code they share lives in one chunk that both import, so that inside a worker
// a tasks module that imports 'pixel-arena' gets the very module instance the worker runs
// (the same Image class, the same runtime). The chunks stay in dist/ itself, beside the
// .wasm files and workers they find through import.meta.url.
import { build } from 'esbuild';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';

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
    sourcemap: true,
    // Node built-ins stay imports; the web entry imports node:fs only on file: URLs (Deno, Bun).
    external: ['node:*'],
    logLevel: 'warning',
  });
}

// Type declarations beside each entry, for code that imports a dist file by path.
for (const name of ['node', 'web']) {
  writeFileSync(`dist/${name}.d.ts`, "export * from './types/index.js';\n");
}
