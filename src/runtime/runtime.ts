// What differs between JavaScript runtimes, behind one small interface. Each build
// entry (src/entry/*.ts) installs the adapter of its runtime; package.json export
// conditions pick the entry.

/** The four builds of the core: shared or plain memory, with or without invariant checks. */
export type CoreVariant = 'shared' | 'plain' | 'shared.debug' | 'plain.debug';

export interface Runtime {
  readonly name: string;
  /** Can this runtime share a WebAssembly.Memory with other threads? */
  canShare(): boolean;
  /** The compiled core of a variant (compiled once per thread and cached). */
  loadCore(variant: CoreVariant): Promise<WebAssembly.Module>;
}

let installed: Runtime | undefined;

export function installRuntime(runtime: Runtime): void {
  installed = runtime;
}

export function runtime(): Runtime {
  if (installed === undefined) throw new Error('pixel-arena: no runtime adapter installed (import the package entry, not src files)');
  return installed;
}

/** Caches one compilation per variant. */
export function cachedLoader(compile: (variant: CoreVariant) => Promise<WebAssembly.Module>): Runtime['loadCore'] {
  const cache = new Map<CoreVariant, Promise<WebAssembly.Module>>();
  return (variant) => {
    let module = cache.get(variant);
    if (module === undefined) {
      module = compile(variant);
      cache.set(variant, module);
      module.catch(() => cache.delete(variant));
    }
    return module;
  };
}
