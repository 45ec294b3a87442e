// boxBlur and gaussianBlur as Pillow's ImageFilter.BoxBlur and GaussianBlur
// (assembly/kernels/blur.ts): every horizontal pass into an intermediate image, then every
// vertical pass into the output.

import type { Image } from '../image.js';
import * as check from '../validate.js';
import { input } from './common.js';
import { PlanBuilder, INPUT, OUTPUT, type Plan } from './plan.js';

/**
 * Largest radius accepted. Pillow takes any float (and C-casts it to int); beyond this the
 * box weights lose every bit of precision and the index arithmetic would overflow.
 */
export const MAX_BLUR_RADIUS = 1 << 24;

/** Passes of the extended box blur that approximates a Gaussian (Pillow's default). */
const GAUSSIAN_PASSES = 3;

export function planBoxBlur(image: Image, radius: number): Plan {
  check.finite('radius', radius, 0, MAX_BLUR_RADIUS);
  return planBlur(image, Math.fround(radius), 1, 'boxBlur');
}

export function planGaussianBlur(image: Image, radius = 2): Plan {
  check.finite('radius', radius, 0, MAX_BLUR_RADIUS);
  return planBlur(image, gaussianBoxRadius(Math.fround(radius), GAUSSIAN_PASSES), GAUSSIAN_PASSES, 'gaussianBlur');
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

/** Every horizontal pass into an intermediate image, then every vertical pass. */
function planBlur(image: Image, radius: number, passes: number, what: string): Plan {
  input(image, what);
  const builder = new PlanBuilder(what, image, { mode: image.mode, width: image.width, height: image.height });
  const middle = builder.temporary({ mode: image.mode, width: image.width, height: image.height });
  return builder
    .rows({ op: 'blurRows', radius, passes }, INPUT, middle)
    .columns({ op: 'blurColumns', radius, passes }, middle, OUTPUT)
    .plan();
}
