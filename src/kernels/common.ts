// What every kernel wrapper does the same way: check its input is live, make its output
// image, run the core, and never leave a half-made image behind if something throws.

import { coreOf, createImage, checkImageSize } from '../arena.js';
import type { Core } from '../core.js';
import { ArenaError } from '../errors.js';
import { Image, imageAddress } from '../image.js';
import { FILL_NONE, FILL_ZERO, type Mode } from '../layout.js';
import * as check from '../validate.js';

/** A live input image: its core and its address. */
export interface Input {
  readonly core: Core;
  readonly address: number;
}

export function input(image: Image, what: string): Input {
  return { core: coreOf(image.arena), address: imageAddress(image, what) };
}

/** A second image argument: an Image of the same arena, live. */
export function otherInput(image: Image, other: unknown, name: string, what: string): Input {
  if (!(other instanceof Image)) throw check.invalid(name, 'Image', other);
  if (other.arena !== image.arena) {
    throw new ArenaError('INVALID_ARGUMENT', `${what}(): ${name} belongs to another arena (or another thread's attachment of it)`);
  }
  return input(other, what);
}

/**
 * Makes the output image (checked against the pixel limit), runs `write` on its address,
 * and returns it; releases it if `write` throws.
 */
export function produce(image: Image, mode: Mode, width: number, height: number, what: string,
  write: (target: number) => void, zeroFill = false): Image {
  checkImageSize(image.arena, mode, width, height);
  const output = createImage(image.arena, mode, width, height, zeroFill ? FILL_ZERO : FILL_NONE, 0, what);
  try {
    write(imageAddress(output, what));
  } catch (error) {
    output.release();
    throw error;
  }
  return output;
}

/** A box argument: four finite numbers. */
export function box(name: string, value: unknown): [number, number, number, number] {
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw check.invalid(name, 'array of 4 finite numbers [x0, y0, x1, y1]', value);
  }
  return value as [number, number, number, number];
}
