// A second attachment driven at the level of the core, for kernels without a public
// method of their own: images reach it as handles, adopted into addresses.
import type { Arena, Image } from '../../dist/node.js';

export type RawExports = Record<string, (...args: number[]) => number>;

export async function rawCore(arena: Arena) {
  const instance = await WebAssembly.instantiate(arena.shared.module, {
    env: { memory: arena.memory, abort: () => { throw new Error('core abort'); } },
  });
  const core = instance.exports as unknown as RawExports;
  const id = core.attach!();
  if (id < 0) throw new Error(`attach failed: ${id}`);
  return {
    core,
    /** The address of `image`, through a reference this attachment holds. */
    addressOf(image: Image): number {
      const handle = image.share();
      const mode = { L: 0, LA: 1, RGB: 2, RGBA: 3 }[handle.mode];
      const address = core.imageAdopt!(handle.record, handle.tag, mode, handle.width, handle.height, handle.arena) >>> 0;
      if (address === 0) throw new Error('adopt failed');
      return address;
    },
    /** Drops everything this attachment holds. */
    close(): void {
      arena.reclaim(id);
    },
  };
}
