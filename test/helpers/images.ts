// Images for tests: deterministic noise, and the arena that golden comparisons run in.
import { expect } from 'vitest';
import { Arena, type Image, type Mode } from '../../dist/node.js';
import { inputImages } from './goldens.js';
import type { GoldenImage } from '../goldens/load.js';

export const MODES: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];
export const BANDS: Record<Mode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

export interface ImageSpec { mode: Mode; width: number; height: number; seed: number }

/** `length` bytes of a linear congruential generator started at `seed`. */
export function noise(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; bytes[i] = s >>> 24; }
  return bytes;
}

/** An image of noise in `arena`. */
export function randomImage(arena: Arena, { mode, width, height, seed }: ImageSpec): Image {
  return arena.fromPixels(mode, width, height, noise(width * height * BANDS[mode], seed));
}

/** A debug-core arena with the golden inputs of a family made in it. */
export async function openGoldenArena(goldenInputs: Map<string, GoldenImage>) {
  const arena = await Arena.create({ maxBytes: 512 << 20, debug: true });
  return { arena, inputs: inputImages(arena, goldenInputs) };
}

/** Releases the inputs and checks that nothing is left: no image alive, a sound heap. */
export function closeGoldenArena(arena: Arena, inputs: ReturnType<typeof inputImages>): void {
  inputs.releaseAll();
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
}
