// Package entry for workerd (Cloudflare Workers) and Vercel Edge (export conditions
// "workerd", "edge-light"): one thread, no workers, and no compiling WebAssembly at run time.
// The core comes from the caller, imported as a module (`import core from
// 'pixel-arena/pixel-arena.plain.wasm'`) and passed as `Arena.create({ module: core })`;
// the memory is plain, as nothing could share it.
import { installRuntime, type Runtime } from '../runtime/runtime.js';
import { unsupported } from '../errors.js';

const edgeRuntime: Runtime = {
  name: 'workerd',
  exitMeansStopped: true, // no workers
  canShare: () => false,
  loadCore: async (variant) => {
    throw unsupported('Arena.create()',
      `this runtime cannot compile WebAssembly at run time: import the core (pixel-arena/pixel-arena.${variant}.wasm) as a module and pass it as options.module`);
  },
  cores: () => 1,
  resolveTasks: (tasks) => String(tasks),
};

installRuntime(edgeRuntime);

export * from '../index.js';
