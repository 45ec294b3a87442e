// transpose and crop: pixels move unchanged (assembly/kernels/geometry.ts).

import type { Image } from '../image.js';
import * as check from '../validate.js';
import { ArenaError } from '../errors.js';
import { input, box as checkBox } from './common.js';
import { PlanBuilder, runPlan, INPUT, OUTPUT, type Plan } from './stages.js';

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
  return new PlanBuilder('transpose', { mode: image.mode, width, height })
    .rows({ op: 'transpose', method: code }, INPUT, OUTPUT).plan();
}

export function transpose(image: Image, method: TransposeMethod): Image {
  return runPlan(image, planTranspose(image, method));
}

/** Python's round(): half to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function planCrop(image: Image, box: [number, number, number, number]): Plan {
  input(image, 'crop');
  const [left, top, right, bottom] = checkBox('box', box);
  if (right < left) throw new ArenaError('INVALID_ARGUMENT', `crop(): Expected box right (${right}) >= left (${left})`);
  if (bottom < top) throw new ArenaError('INVALID_ARGUMENT', `crop(): Expected box bottom (${bottom}) >= top (${top})`);
  const [x0, y0, x1, y1] = [left, top, right, bottom].map(roundHalfEven) as [number, number, number, number];
  return new PlanBuilder('crop', { mode: image.mode, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) })
    .rows({ op: 'crop', left: x0, top: y0 }, INPUT, OUTPUT).plan();
}

export function crop(image: Image, box: [number, number, number, number]): Image {
  return runPlan(image, planCrop(image, box));
}
