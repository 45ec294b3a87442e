// The one table of kernels. Each operation is declared here once, by its planner (which
// checks the arguments and returns a Plan); Image methods and Pool methods are one-line
// calls into this table, so what one thread and a pool accept cannot drift apart.
//
// Adding a kernel: docs/architecture.md ("Adding a kernel").

import type { Image } from '../image.js';
import type { Plan } from './plan.js';
import { planResize } from './resize.js';
import { planTranspose, planCrop } from './geometry.js';
import { planConvert } from './convert.js';
import { planReduce } from './reduce.js';
import { planBoxBlur, planGaussianBlur } from './blur.js';
import { planAlphaComposite, planPaste } from './composite.js';

export const KERNELS = {
  resize: planResize,
  transpose: planTranspose,
  crop: planCrop,
  convert: planConvert,
  reduce: planReduce,
  boxBlur: planBoxBlur,
  gaussianBlur: planGaussianBlur,
  alphaComposite: planAlphaComposite,
  paste: planPaste,
} as const satisfies Record<string, (image: Image, ...args: never[]) => Plan>;

export type KernelName = keyof typeof KERNELS;

/** The arguments of a kernel after the image it is called on. */
export type KernelArgs<K extends KernelName> = (typeof KERNELS)[K] extends (image: Image, ...args: infer A) => Plan ? A : never;

/** The plan of kernel `name` on `image` (arguments checked). */
export function planKernel<K extends KernelName>(name: K, image: Image, args: KernelArgs<K>): Plan {
  return (KERNELS[name] as unknown as (image: Image, ...args: KernelArgs<K>) => Plan)(image, ...args);
}
