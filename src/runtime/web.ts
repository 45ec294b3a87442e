// Browsers, Deno and Bun: the core is fetched next to the module and compiled streaming.
// Each URL is written out literally so that bundlers see and copy the files.

import { cachedLoader, type CoreVariant, type Runtime } from './runtime.js';

function coreUrl(variant: CoreVariant): URL {
  switch (variant) {
    case 'shared': return new URL('./pixel-arena.shared.wasm', import.meta.url);
    case 'plain': return new URL('./pixel-arena.plain.wasm', import.meta.url);
    case 'shared.debug': return new URL('./pixel-arena.shared.debug.wasm', import.meta.url);
    case 'plain.debug': return new URL('./pixel-arena.plain.debug.wasm', import.meta.url);
  }
}

async function compile(variant: CoreVariant): Promise<WebAssembly.Module> {
  const url = coreUrl(variant);
  if (url.protocol === 'file:') {
    // Deno and Bun load local files without fetch's content-type rules.
    const fs = await import(/* @vite-ignore */ 'node:fs/promises');
    return WebAssembly.compile(await fs.readFile(url));
  }
  const response = fetch(url);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch {
      // A server without the application/wasm content type: compile from bytes.
    }
  }
  return WebAssembly.compile(await (await fetch(url)).arrayBuffer());
}

export const webRuntime: Runtime = {
  name: 'web',
  canShare: () => typeof SharedArrayBuffer === 'function'
    && (typeof globalThis.crossOriginIsolated !== 'boolean' || globalThis.crossOriginIsolated),
  loadCore: cachedLoader(compile),
};
