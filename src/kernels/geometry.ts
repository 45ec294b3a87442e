// transpose and crop: pixels move unchanged (assembly/kernels/geometry.ts).

import type { Image } from '../image.js';
import * as check from '../validate.js';
import { MAX_SIDE } from '../layout.js';
import type { Box } from '../validate.js';
import { input } from './common.js';
import { PlanBuilder, INPUT, OUTPUT, type Plan } from './plan.js';

/** Pillow's seven transpose methods. */
export type TransposeMethod =
  | 'flipLeftRight' | 'flipTopBottom' | 'rotate90' | 'rotate180' | 'rotate270' | 'transpose' | 'transverse';

export const TRANSPOSE_METHODS: readonly TransposeMethod[] = [
  'flipLeftRight', 'flipTopBottom', 'rotate90', 'rotate180', 'rotate270', 'transpose', 'transverse',
];

export function planTranspose(image: Image, method: TransposeMethod): Plan {
  input(image, 'transpose');
  const code = TRANSPOSE_METHODS.indexOf(check.oneOf('method', method, TRANSPOSE_METHODS));
  const swaps = code >= 2 && code !== 3;
  const [width, height] = swaps ? [image.height, image.width] : [image.width, image.height];
  return new PlanBuilder('transpose', image, { mode: image.mode, width, height })
    .rows({ op: 'transpose', method: code }, INPUT, OUTPUT).plan();
}

/** Python's round(): half to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function planCrop(image: Image, box: Box): Plan {
  input(image, 'crop');
  const [left, top, right, bottom] = check.box('box', box);
  if (right < left || bottom < top) throw check.invalid('box', 'array [x0, y0, x1, y1] with x1 >= x0 and y1 >= y0', box);
  const [x0, y0, x1, y1] = [left, top, right, bottom].map(roundHalfEven) as [number, number, number, number];
  // The box, not the output size it implies, is what the caller got wrong.
  if (x1 - x0 > MAX_SIDE || y1 - y0 > MAX_SIDE) {
    throw check.invalid('box', `array of 4 finite numbers [x0, y0, x1, y1] at most ${MAX_SIDE} apart`, box);
  }
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  // The core takes 32-bit offsets: one beyond the image crops only zeros, as the nearest
  // offset that still misses it does.
  const offsetX = Math.min(Math.max(x0, -width), image.width);
  const offsetY = Math.min(Math.max(y0, -height), image.height);
  return new PlanBuilder('crop', image, { mode: image.mode, width, height })
    .rows({ op: 'crop', left: offsetX, top: offsetY }, INPUT, OUTPUT).plan();
}
