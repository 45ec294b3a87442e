// Node.js: the core is read from the package's dist folder and compiled once per thread.

import { readFile } from 'node:fs/promises';
import { cachedLoader, type Runtime } from './runtime.js';

export const nodeRuntime: Runtime = {
  name: 'node',
  canShare: () => typeof SharedArrayBuffer === 'function',
  loadCore: cachedLoader(async (variant) => {
    const bytes = await readFile(new URL(`./pixel-arena.${variant}.wasm`, import.meta.url));
    return WebAssembly.compile(bytes);
  }),
};
