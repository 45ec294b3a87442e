// Bundles the TypeScript entries into dist/ (the .wasm files are already there, built by asc).
import { build } from 'esbuild';

const entries = {
  node: 'src/entry/node.ts',
  web: 'src/entry/web.ts',
  'pool-worker-node': 'src/entry/pool-worker-node.ts',
  'pool-worker': 'src/entry/pool-worker-web.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  sourcemap: true,
  // Node built-ins stay imports; the web entry imports node:fs only on file: URLs (Deno, Bun).
  external: ['node:*'],
  logLevel: 'warning',
});

// Type declarations beside each entry, for code that imports a dist file by path.
import { writeFileSync } from 'node:fs';
for (const name of ['node', 'web']) {
  writeFileSync(`dist/${name}.d.ts`, "export * from './types/index.js';\n");
}
