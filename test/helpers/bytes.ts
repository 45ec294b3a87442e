// Byte-for-byte comparison of pixel buffers that stays fast on large images (a deep
// toEqual walks every element) and names the first difference when it fails.
import { expect } from 'vitest';

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  if (Buffer.compare(actual, expected) === 0) return;
  const at = actual.findIndex((v, i) => v !== expected[i]);
  expect(actual[at], `${what}: first difference at byte ${at} of ${actual.length}`).toBe(expected[at]);
}
