// PNG (assembly/codecs/png.ts): every colour type and bit depth in, L/LA/RGB/RGBA out.

import { INFO_BIT_DEPTH, INFO_INTERLACED, FORMAT_PNG } from '../layout.js';
import * as check from '../validate.js';
import type { Codec, EncodeOptions } from './codec.js';

const FILTERS = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'] as const;
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DEFAULT_LEVEL = 6;
const MAX_LEVEL = 9;

interface Settings { readonly level: number; readonly filter: number }

export const png: Codec<Settings> = {
  format: 'png',
  code: FORMAT_PNG,
  signature: (bytes) => bytes.length >= SIGNATURE.length && SIGNATURE.every((byte, i) => bytes[i] === byte),
  probe: (core, input, length) => core.exports.pngProbe(input, length),
  describe(info, stats) {
    info.bitDepth = stats[INFO_BIT_DEPTH]!;
    info.interlaced = stats[INFO_INTERLACED] === 1;
  },
  decode: (core, input, length, maxPixels) => core.exports.pngDecode(input, length, maxPixels),
  settings(o: EncodeOptions) {
    const level = o.level === undefined ? DEFAULT_LEVEL : check.integer('options.level', o.level, 0, MAX_LEVEL);
    const filter = o.filter === undefined ? 'adaptive' : check.oneOf('options.filter', o.filter, FILTERS);
    return { level, filter: FILTERS.indexOf(filter) };
  },
  encode: (core, address, _image, s) => core.exports.pngEncode(address, s.level, s.filter),
};
