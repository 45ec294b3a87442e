// convert: mode conversion between L, LA, RGB and RGBA, as Pillow (assembly/kernels/convert.ts).

import type { Image } from '../image.js';
import { MODES, type Mode } from '../layout.js';
import * as check from '../validate.js';
import { input } from './common.js';
import { PlanBuilder, runPlan, INPUT, OUTPUT, type Plan } from './stages.js';

export function planConvert(image: Image, mode: Mode): Plan {
  input(image, 'convert');
  const to = check.oneOf('mode', mode, MODES);
  return new PlanBuilder('convert', { mode: to, width: image.width, height: image.height })
    .rows({ op: 'convert' }, INPUT, OUTPUT).plan();
}

export function convert(image: Image, mode: Mode): Image {
  return runPlan(image, planConvert(image, mode));
}
