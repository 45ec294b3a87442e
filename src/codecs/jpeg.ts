// JPEG (assembly/codecs/jpeg/): baseline, progressive and arithmetic in, scaled by
// 1/2, 1/4, 1/8 on request; baseline or progressive out, as Pillow's save() writes it.

import { limitExceeded } from '../errors.js';
import {
  INFO_PROGRESSIVE, INFO_SAMPLING, INFO_ORIENTATION, INFO_HAS_ICC, INFO_COMPONENTS, FORMAT_JPEG,
} from '../layout.js';
import * as check from '../validate.js';
import type { Codec, EncodeOptions } from './codec.js';

const SUBSAMPLINGS = ['4:4:4', '4:2:2', '4:2:0'] as const;
/** libjpeg's JPEG_MAX_DIMENSION. */
const MAX_SIDE = 65500;
/** Pillow's default quality. */
const DEFAULT_QUALITY = 75;
const MAX_QUALITY = 100;

interface Settings {
  readonly quality: number;
  /** An index of SUBSAMPLINGS, or -1 for Pillow's default by mode. */
  readonly subsampling: number;
  readonly progressive: boolean;
  readonly optimize: boolean;
}

/** The usual name of the sampling factors the probe packed (one byte h << 4 | v per component). */
function subsamplingName(packed: number, components: number): string {
  const factors: Array<[number, number]> = [];
  for (let i = 0; i < components; i++) {
    const byte = Math.floor(packed / 2 ** (8 * i)) % 256;
    factors.push([byte >> 4, byte & 15]);
  }
  if (components < 3) return '4:4:4';
  const [[h0, v0], [h1, v1], [h2, v2]] = factors as [[number, number], [number, number], [number, number]];
  const chromaSame = h1 === h2 && v1 === v2 && (components < 4 || (factors[3]![0] === h0 && factors[3]![1] === v0));
  if (chromaSame && h1 === 1 && v1 === 1) {
    const named = Object.keys(NAMED_FACTORS).find((name) => NAMED_FACTORS[name]![0] === h0 && NAMED_FACTORS[name]![1] === v0);
    if (named !== undefined) return named;
  }
  return factors.map(([h, v]) => `${h}x${v}`).join(',');
}

/** The first component's sampling factors (h, v) by name; the others have 1×1 but a fourth, which has the first's. */
const NAMED_FACTORS: Record<string, [number, number]> = {
  '4:4:4': [1, 1], '4:2:2': [2, 1], '4:2:0': [2, 2], '4:4:0': [1, 2], '4:1:1': [4, 1],
};

/**
 * Each component's sampling factors (h, v), from what the probe gave: the subsampling's
 * name and the components. undefined when the name is neither (not from this probe).
 */
export function samplingFactors(subsampling: string, components: number): Array<[number, number]> | undefined {
  const named = NAMED_FACTORS[subsampling];
  if (named !== undefined) return Array.from({ length: components }, (_, i) => (i === 0 || i === 3 ? named : [1, 1]));
  const factors = subsampling.split(',').map((f) => f.split('x').map(Number) as [number, number]);
  const valid = factors.length === components && factors.every(([h, v]) => h! >= 1 && v! >= 1);
  return valid ? factors : undefined;
}

export const jpeg: Codec<Settings> = {
  format: 'jpeg',
  code: FORMAT_JPEG,
  signature: (bytes) => bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff,
  probe: (core, input, length) => core.exports.jpegProbe(input, length),
  describe(info, stats) {
    info.progressive = stats[INFO_PROGRESSIVE] === 1;
    info.subsampling = subsamplingName(stats[INFO_SAMPLING]!, stats[INFO_COMPONENTS]!);
    info.orientation = stats[INFO_ORIENTATION]!;
    info.hasIcc = stats[INFO_HAS_ICC] === 1;
    info.components = stats[INFO_COMPONENTS]!;
  },
  orientation: (stats) => stats[INFO_ORIENTATION]!,
  decode: (core, input, length, maxPixels, reduce) => core.exports.jpegDecode(input, length, maxPixels, reduce),
  settings(o: EncodeOptions) {
    return {
      quality: o.quality === undefined ? DEFAULT_QUALITY : check.integer('options.quality', o.quality, 1, MAX_QUALITY),
      subsampling: o.subsampling === undefined ? -1 : SUBSAMPLINGS.indexOf(check.oneOf('options.subsampling', o.subsampling, SUBSAMPLINGS)),
      progressive: o.progressive === undefined ? false : check.boolean('options.progressive', o.progressive),
      optimize: o.optimize === undefined ? false : check.boolean('options.optimize', o.optimize),
    };
  },
  encode(core, address, image, s, what) {
    if (image.width > MAX_SIDE || image.height > MAX_SIDE) {
      throw limitExceeded(what, `JPEG sides are limited to ${MAX_SIDE} pixels (libjpeg's limit) but the image is ${image.width}×${image.height}`);
    }
    // Pillow's default leaves libjpeg's sampling: 2×2 luma for YCbCr, 1×1 for grayscale
    // (an explicit subsampling is written into a grayscale file's SOF as Pillow does).
    const gray = image.mode === 'L' || image.mode === 'LA';
    const subsampling = s.subsampling >= 0 ? s.subsampling : SUBSAMPLINGS.indexOf(gray ? '4:4:4' : '4:2:0');
    return core.exports.jpegEncode(address, s.quality, subsampling, s.progressive ? 1 : 0, s.optimize ? 1 : 0);
  },
};
