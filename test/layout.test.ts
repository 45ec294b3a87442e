// The TypeScript mirror of the core's layout constants agrees with the compiled module.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as layout from '../src/layout.js';

const variants = ['shared', 'plain', 'shared.debug', 'plain.debug'];

describe('layout constants', () => {
  it.each(variants)('src/layout.ts matches the exports of the %s core', async (variant) => {
    const bytes = readFileSync(new URL(`../dist/pixel-arena.${variant}.wasm`, import.meta.url));
    const module = await WebAssembly.compile(bytes);
    const shared = variant.startsWith('shared');
    const memory = new WebAssembly.Memory({ initial: layout.MEMORY_BASE / layout.WASM_PAGE + 1, maximum: 100, shared });
    const instance = await WebAssembly.instantiate(module, { env: { memory, abort() {} } });
    const globals = Object.entries(instance.exports).filter(([, v]) => v instanceof WebAssembly.Global);
    expect(globals.length).toBeGreaterThan(10);
    for (const [name, global] of globals) {
      expect({ name, value: (global as WebAssembly.Global).value }).toEqual({ name, value: (layout as Record<string, unknown>)[name] });
    }
  });

  it('keeps the fixed region below the static data', () => {
    expect(layout.FIXED_END).toBe(layout.SLOTS_BASE + layout.MAX_ATTACHMENTS * layout.SLOT_SIZE);
    expect(layout.MEMORY_BASE).toBeGreaterThanOrEqual(layout.FIXED_END);
    expect(layout.MEMORY_BASE % layout.WASM_PAGE).toBe(0);
  });
});
