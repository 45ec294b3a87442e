// The TypeScript mirror of the core's layout constants agrees with the compiled module.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as layout from '../src/layout.js';
import * as errors from '../src/errors.js';

/** Every number the TypeScript side mirrors from the core, by name. */
const mirror: Record<string, unknown> = { ...layout, ...errors };
/** Constants of src/layout.ts that are facts of wasm, or derived there from mirrored ones. */
const tsOnly = new Set(['WASM_PAGE', 'MAX_SIDE', 'MAX_MEMORY_BYTES', 'TAG_LIMIT', 'ATTACHMENT_ID_LIMIT']);

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
      expect({ name, value: (global as WebAssembly.Global).value }).toEqual({ name, value: mirror[name] });
    }
    // and the other way: no mirrored constant the core no longer exports
    const exported = new Set(globals.map(([name]) => name));
    const stale = Object.entries(mirror)
      .filter(([name, value]) => /^[A-Z][A-Z0-9_]*$/.test(name) && typeof value === 'number' && !tsOnly.has(name) && !exported.has(name))
      .map(([name]) => name);
    expect(stale).toEqual([]);
  });

  it('keeps the fixed region below the static data', () => {
    expect(layout.FIXED_END).toBe(layout.SLOTS_BASE + layout.MAX_ATTACHMENTS * layout.SLOT_SIZE);
    expect(layout.MEMORY_BASE).toBeGreaterThanOrEqual(layout.FIXED_END);
    expect(layout.MEMORY_BASE % layout.WASM_PAGE).toBe(0);
  });
});
