// boxBlur and gaussianBlur as Pillow's ImageFilter.BoxBlur and GaussianBlur
// (assembly/kernels/blur.ts): every horizontal pass into an intermediate image, then every
// vertical pass into the output.

import { imageAddress, type Image } from '../image.js';
import { createImage } from '../arena.js';
import { errorFromStatus, STATUS_OK } from '../errors.js';
import { FILL_NONE } from '../layout.js';
import * as check from '../validate.js';
import { input, produce } from './common.js';

/**
 * Largest radius accepted. Pillow takes any float (and C-casts it to int); beyond this the
 * box weights lose every bit of precision and the index arithmetic would overflow.
 */
export const MAX_BLUR_RADIUS = 1 << 24;

/** Passes of the extended box blur that approximates a Gaussian (Pillow's default). */
const GAUSSIAN_PASSES = 3;

export function boxBlur(image: Image, radius: number): Image {
  check.finite('radius', radius, 0, MAX_BLUR_RADIUS);
  return blur(image, Math.fround(radius), 1, 'boxBlur');
}

export function gaussianBlur(image: Image, radius: number): Image {
  check.finite('radius', radius, 0, MAX_BLUR_RADIUS);
  return blur(image, gaussianBoxRadius(Math.fround(radius), GAUSSIAN_PASSES), GAUSSIAN_PASSES, 'gaussianBlur');
}

/**
 * The box radius whose `passes` box blurs approximate a Gaussian of standard deviation
 * `sigma`, as Pillow's _gaussian_blur_radius computes it in BoxBlur.c: float variables
 * (each step rounded to f32), double constants in the square root and the floor.
 */
export function gaussianBoxRadius(sigma: number, passes: number): number {
  const f = Math.fround;
  const sigma2 = f(f(sigma * sigma) / passes);
  const L = f(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f(Math.floor((L - 1.0) / 2.0));
  let a = f(f(f(2 * l) + 1) * f(f(l * f(l + 1)) - f(3 * sigma2)));
  a = f(a / f(6 * f(sigma2 - f(f(l + 1) * f(l + 1)))));
  return f(l + a);
}

function blur(image: Image, radius: number, passes: number, what: string): Image {
  const { core, address } = input(image, what);
  const { width, height, mode } = image;
  return produce(image, mode, width, height, what, (target) => {
    const intermediate = createImage(image.arena, mode, width, height, FILL_NONE, 0, what);
    try {
      const middle = imageAddress(intermediate, what);
      let status = core.exports.blurRows(middle, address, radius, passes, 0, height);
      if (status === STATUS_OK) status = core.exports.blurColumns(target, middle, radius, passes, 0, width);
      if (status !== STATUS_OK) throw errorFromStatus(status, `${what}()`);
    } finally {
      intermediate.release();
    }
  });
}
