// convert: mode conversion between L, LA, RGB and RGBA, as Pillow (assembly/kernels/convert.ts).

import type { Image } from '../image.js';
import { MODES, type Mode } from '../layout.js';
import * as check from '../validate.js';
import { input } from './common.js';
import { PlanBuilder, INPUT, OUTPUT, type Plan } from './plan.js';

export function planConvert(image: Image, mode: Mode): Plan {
  input(image, 'convert');
  const to = check.oneOf('mode', mode, MODES);
  return new PlanBuilder('convert', image, { mode: to, width: image.width, height: image.height })
    .rows({ op: 'convert' }, INPUT, OUTPUT).plan();
}
