// reduce: the rounded mean of factorX × factorY blocks, as Pillow's Image.reduce
// (assembly/kernels/reduce.ts). Also the first step of resize with a reducing gap.

import { createImage } from '../arena.js';
import { ArenaError } from '../errors.js';
import { imageAddress, type Image } from '../image.js';
import { FILL_NONE } from '../layout.js';
import * as check from '../validate.js';
import { input, produce } from './common.js';

/** Largest factor accepted: any larger one gives the same 1-pixel-wide result. */
const FACTOR_MAX = 0x3fffffff;

/** `factor` as (x, y): one integer for both, or a pair. */
function factors(value: unknown): [number, number] {
  if (Array.isArray(value)) {
    if (value.length !== 2) throw check.invalid('factor', 'integer or array of 2 integers [x, y]', value);
    return [check.integer('factor[0]', value[0], 1, FACTOR_MAX), check.integer('factor[1]', value[1], 1, FACTOR_MAX)];
  }
  const both = check.integer('factor', value, 1, FACTOR_MAX);
  return [both, both];
}

/** A box of four integers, as Pillow parses it (a fraction is an error there). */
function integerBox(value: unknown): [number, number, number, number] {
  if (!Array.isArray(value) || value.length !== 4) throw check.invalid('box', 'array of 4 integers [x0, y0, x1, y1]', value);
  value.forEach((coordinate, i) => {
    if (!check.isInteger(coordinate)) throw check.invalid(`box[${i}]`, 'integer', coordinate);
  });
  return value as [number, number, number, number];
}

/**
 * `image` reduced by `factor` over `box` (default: the whole image), as Pillow's
 * `Image.reduce`. LA and RGBA are averaged premultiplied, as Pillow does through La and
 * RGBa; factor 1 with a smaller box is then the premultiplied round trip of a crop.
 */
export function reduce(image: Image, factor: number | [number, number], box?: [number, number, number, number]): Image {
  const { core, address } = input(image, 'reduce');
  const [factorX, factorY] = factors(factor);
  const [x0, y0, x1, y1] = box === undefined ? [0, 0, image.width, image.height] : integerBox(box);
  const boxWidth = x1 - x0;
  const boxHeight = y1 - y0;
  const whole = x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height;
  if (factorX === 1 && factorY === 1 && whole) {
    // A copy, as Pillow returns before anything else (an empty image included).
    return produce(image, image.mode, image.width, image.height, 'reduce', (target) => {
      core.exports.reduceImage(target, address, 1, 1, 0, 0, boxWidth, boxHeight, 0, boxHeight);
    });
  }
  const received = `[${x0}, ${y0}, ${x1}, ${y1}]`;
  if (x0 < 0 || y0 < 0) {
    throw new ArenaError('INVALID_ARGUMENT', `reduce(): Expected box x0 and y0 >= 0 but received ${received}`);
  }
  if (x1 > image.width || y1 > image.height) {
    throw new ArenaError('INVALID_ARGUMENT', `reduce(): Expected box within the ${image.width}×${image.height} image but received ${received}`);
  }
  if (x1 <= x0 || y1 <= y0) {
    throw new ArenaError('INVALID_ARGUMENT', `reduce(): Expected a non-empty box (x1 > x0 and y1 > y0) but received ${received}`);
  }
  const width = Math.ceil(boxWidth / factorX);
  const height = Math.ceil(boxHeight / factorY);
  if (image.mode !== 'LA' && image.mode !== 'RGBA') {
    return produce(image, image.mode, width, height, 'reduce', (target) => {
      core.exports.reduceImage(target, address, factorX, factorY, x0, y0, boxWidth, boxHeight, 0, height);
    });
  }
  return produce(image, image.mode, width, height, 'reduce', (target) => {
    // Only the box is premultiplied: a copy of it, premultiplied in place.
    const temporary = createImage(image.arena, image.mode, boxWidth, boxHeight, FILL_NONE, 0, 'reduce');
    try {
      const scratch = imageAddress(temporary, 'reduce');
      if (whole) {
        core.exports.premultiplyImage(scratch, address, 0, boxHeight);
      } else {
        core.exports.cropImage(scratch, address, x0, y0, 0, boxHeight);
        core.exports.premultiplyImage(scratch, scratch, 0, boxHeight);
      }
      core.exports.reduceImage(target, scratch, factorX, factorY, 0, 0, boxWidth, boxHeight, 0, height);
      core.exports.unpremultiplyImage(target, target, 0, height);
    } finally {
      temporary.release();
    }
  });
}
