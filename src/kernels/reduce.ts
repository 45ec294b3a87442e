// reduce: the rounded mean of factorX × factorY blocks, as Pillow's Image.reduce
// (assembly/kernels/reduce.ts). Also the first step of resize with a reducing gap.

import type { Image } from '../image.js';
import * as check from '../validate.js';
import type { Box } from '../validate.js';
import { MAX_SIDE } from '../layout.js';
import { input } from './common.js';
import { PlanBuilder, INPUT, OUTPUT, type ImageSpec, type Plan } from './plan.js';

/** Largest factor accepted: any larger one gives the same 1-pixel-wide result. */
const FACTOR_MAX = MAX_SIDE;

/** `factor` as (x, y): one integer for both, or a pair. */
function factors(value: unknown): [number, number] {
  if (Array.isArray(value)) {
    if (value.length !== 2) throw check.invalid('factor', 'integer or array of 2 integers [x, y]', value);
    return [check.integer('factor[0]', value[0], 1, FACTOR_MAX), check.integer('factor[1]', value[1], 1, FACTOR_MAX)];
  }
  const both = check.integer('factor', value, 1, FACTOR_MAX);
  return [both, both];
}

/**
 * Adds the steps of a reduce of `source` (an image of `spec`) into plan image `target`:
 * blocks of factorX × factorY over the checked integer box. LA and RGBA go through a
 * premultiplied copy of the box, as Pillow goes through La and RGBa.
 */
export function addReduceSteps(builder: PlanBuilder, source: number, spec: ImageSpec, factorX: number, factorY: number,
  [x0, y0, x1, y1]: Box, target: number): void {
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
export function planReduce(image: Image, factor: number | [number, number], box?: Box): Plan {
  input(image, 'reduce');
  const [factorX, factorY] = factors(factor);
  const [x0, y0, x1, y1] = box === undefined ? [0, 0, image.width, image.height] : check.box('box', box, true);
  const whole = x0 === 0 && y0 === 0 && x1 === image.width && y1 === image.height;
  if (factorX === 1 && factorY === 1 && whole) {
    // A copy, as Pillow returns before anything else (an empty image included).
    return new PlanBuilder('reduce', image, { mode: image.mode, width: image.width, height: image.height })
      .rows({ op: 'crop', left: 0, top: 0 }, INPUT, OUTPUT).plan();
  }
  if (x0 < 0 || y0 < 0 || x1 > image.width || y1 > image.height || x1 <= x0 || y1 <= y0) {
    throw check.invalid('box', `non-empty box [x0, y0, x1, y1] within the ${image.width}×${image.height} image`, [x0, y0, x1, y1]);
  }
  const builder = new PlanBuilder('reduce', image, {
    mode: image.mode, width: Math.ceil((x1 - x0) / factorX), height: Math.ceil((y1 - y0) / factorY),
  });
  addReduceSteps(builder, INPUT, image, factorX, factorY, [x0, y0, x1, y1], OUTPUT);
  return builder.plan();
}
