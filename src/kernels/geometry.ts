// transpose and crop: pixels move unchanged (assembly/kernels/geometry.ts).

import type { Image } from '../image.js';
import * as check from '../validate.js';
import { ArenaError } from '../errors.js';
import { input, produce, box as checkBox } from './common.js';

/** Pillow's seven transpose methods. */
export type TransposeMethod =
  | 'flipLeftRight' | 'flipTopBottom' | 'rotate90' | 'rotate180' | 'rotate270' | 'transpose' | 'transverse';

export const TRANSPOSE_METHODS: readonly TransposeMethod[] = [
  'flipLeftRight', 'flipTopBottom', 'rotate90', 'rotate180', 'rotate270', 'transpose', 'transverse',
];

export function transpose(image: Image, method: TransposeMethod): Image {
  const { core, address } = input(image, 'transpose');
  const code = TRANSPOSE_METHODS.indexOf(check.oneOf('method', method, TRANSPOSE_METHODS));
  const swaps = code >= 2 && code !== 3;
  const [width, height] = swaps ? [image.height, image.width] : [image.width, image.height];
  return produce(image, image.mode, width, height, 'transpose', (target) => {
    core.exports.transposeImage(target, address, code, 0, height);
  });
}

/** Python's round(): half to even. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function crop(image: Image, box: [number, number, number, number]): Image {
  const { core, address } = input(image, 'crop');
  const [left, top, right, bottom] = checkBox('box', box);
  if (right < left) throw new ArenaError('INVALID_ARGUMENT', `crop(): Expected box right (${right}) >= left (${left})`);
  if (bottom < top) throw new ArenaError('INVALID_ARGUMENT', `crop(): Expected box bottom (${bottom}) >= top (${top})`);
  const [x0, y0, x1, y1] = [left, top, right, bottom].map(roundHalfEven) as [number, number, number, number];
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  return produce(image, image.mode, width, height, 'crop', (target) => {
    core.exports.cropImage(target, address, x0, y0, 0, height);
  });
}
