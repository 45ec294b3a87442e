// convert: mode conversion between L, LA, RGB and RGBA, as Pillow (assembly/kernels/convert.ts).

import type { Image } from '../image.js';
import { MODES, type Mode } from '../layout.js';
import * as check from '../validate.js';
import { input, produce } from './common.js';

export function convert(image: Image, mode: Mode): Image {
  const { core, address } = input(image, 'convert');
  const to = check.oneOf('mode', mode, MODES);
  const height = image.height;
  return produce(image, to, image.width, height, 'convert', (target) => {
    core.exports.convertImage(target, address, 0, height);
  });
}
