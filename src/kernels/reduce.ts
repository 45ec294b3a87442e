// reduce: the rounded mean of factorX × factorY blocks, as Pillow's Image.reduce
// (assembly/kernels/reduce.ts). Also the first step of resize with a reducing gap.

import { ArenaError } from '../errors.js';
import type { Image } from '../image.js';
import * as check from '../validate.js';
import { input } from './common.js';
import { PlanBuilder, runPlan, INPUT, OUTPUT, type ImageSpec, type Plan } from './stages.js';

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
 * Adds the steps of a reduce of `source` (an image of `spec`) into plan image `target`:
 * blocks of factorX × factorY over the checked integer box. LA and RGBA go through a
 * premultiplied copy of the box, as Pillow goes through La and RGBa.
 */
export function addReduceSteps(builder: PlanBuilder, source: number, spec: ImageSpec, factorX: number, factorY: number,
  [x0, y0, x1, y1]: [number, number, number, number], target: number): void {
  const boxWidth = x1 - x0, boxHeight = y1 - y0;
  if (spec.mode !== 'LA' && spec.mode !== 'RGBA') {
    builder.rows({ op: 'reduce', factorX, factorY, boxX: x0, boxY: y0, boxWidth, boxHeight }, source, target);
    return;
  }
  const premultiplied = builder.temporary({ mode: spec.mode, width: boxWidth, height: boxHeight });
  if (x0 === 0 && y0 === 0 && x1 === spec.width && y1 === spec.height) {
    builder.rows({ op: 'premultiply' }, source, premultiplied);
  } else {
    builder.rows({ op: 'crop', left: x0, top: y0 }, source, premultiplied);
    builder.rows({ op: 'premultiply' }, premultiplied, premultiplied);
  }
  builder.rows({ op: 'reduce', factorX, factorY, boxX: 0, boxY: 0, boxWidth, boxHeight }, premultiplied, target);
  builder.rows({ op: 'unpremultiply' }, target, target);
}

/**
 * `image` reduced by `factor` over `box` (default: the whole image), as Pillow's
 * `Image.reduce`. LA and RGBA are averaged premultiplied, as Pillow does through La and
 * RGBa; factor 1 with a smaller box is then the premultiplied round trip of a crop.
 */
export function planReduce(image: Image, factor: number | [number, number], box?: [number, number, number, number]): Plan {
  input(image, 'reduce');
  const [factorX, factorY] = factors(factor);
  const [x0, y0, x1, y1] = box === undefined ? [0, 0, image.width, image.height] : integerBox(box);
  const whole = x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height;
  if (factorX === 1 && factorY === 1 && whole) {
    // A copy, as Pillow returns before anything else (an empty image included).
    return new PlanBuilder('reduce', { mode: image.mode, width: image.width, height: image.height })
      .rows({ op: 'crop', left: 0, top: 0 }, INPUT, OUTPUT).plan();
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
  const builder = new PlanBuilder('reduce', {
    mode: image.mode, width: Math.ceil((x1 - x0) / factorX), height: Math.ceil((y1 - y0) / factorY),
  });
  addReduceSteps(builder, INPUT, image, factorX, factorY, [x0, y0, x1, y1], OUTPUT);
  return builder.plan();
}

export function reduce(image: Image, factor: number | [number, number], box?: [number, number, number, number]): Image {
  return runPlan(image, planReduce(image, factor, box));
}
