// Argument checks, done once at the public edge. Every message names the parameter and
// what was received: `Expected integer between 1 and 65536 for width but received 1.5 of
// type number` (errors.ts makes them). The core trusts what passes these checks.

import { invalid } from './errors.js';

export { invalid };

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** An integer in [min, max]. */
export function integer(name: string, value: unknown, min: number, max: number): number {
  if (!isInteger(value) || value < min || value > max) {
    throw invalid(name, `integer between ${min} and ${max}`, value);
  }
  return value;
}

/** A finite number in [min, max]. */
export function finite(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === -Infinity && max === Infinity ? 'finite number'
      : max === Infinity ? `number >= ${min}` : `number between ${min} and ${max}`;
    throw invalid(name, range, value);
  }
  return value;
}

export function boolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalid(name, 'boolean', value);
  return value;
}

/** One of the listed strings. */
export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(name, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}

/** A plain options object (or undefined, giving {}). */
export function options<T extends object>(name: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(name, 'object', value);
  return value as Partial<T>;
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** A point [x, y] of integers. */
export type Point = [x: number, y: number];
/** A box [x0, y0, x1, y1]: x0, y0 inside, x1, y1 just outside. */
export type Box = [x0: number, y0: number, x1: number, y1: number];

/**
 * A box: four finite numbers, or with `integers` four integers (as Pillow parses boxes
 * for reduce, paste and alpha_composite, where a fraction is an error).
 */
export function box(name: string, value: unknown, integers = false): Box {
  const ok = integers ? isInteger : (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!Array.isArray(value) || value.length !== 4 || !value.every(ok)) {
    throw invalid(name, `array of 4 ${integers ? 'integers' : 'finite numbers'} [x0, y0, x1, y1]`, value);
  }
  return value as Box;
}

/** A point [x, y] of integers. */
export function point(name: string, value: unknown): Point {
  if (!Array.isArray(value) || value.length !== 2 || !value.every(isInteger)) {
    throw invalid(name, 'array of 2 integers [x, y]', value);
  }
  return value as Point;
}

/** A point [x, y] or a box [x0, y0, x1, y1], of integers. */
export function pointOrBox(name: string, value: unknown): Point | Box {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4) || !value.every(isInteger)) {
    throw invalid(name, 'array of 2 or 4 integers [x, y] or [x0, y0, x1, y1]', value);
  }
  return value as Point | Box;
}
