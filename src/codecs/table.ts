// The one table of codecs: each format declared once (codec.ts says what a codec is).
// Decoding sniffs signatures in this order.
//
// Adding a codec: docs/architecture.md ("Adding a codec").

import type { Codec, Format } from './codec.js';
import { png } from './png.js';
import { jpeg } from './jpeg.js';
import { qoi } from './qoi.js';

export const CODECS: Readonly<Record<Format, Codec>> = { png, jpeg, qoi } as Record<Format, Codec>;

export const FORMATS = Object.keys(CODECS) as readonly Format[];

/** The codec of a format code the core wrote (INFO_FORMAT). */
export function codecOfCode(code: number): Codec | undefined {
  return Object.values(CODECS).find((codec) => codec.code === code);
}
