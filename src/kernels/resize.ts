// resize as Pillow's Image.resize (Image.py) and ImagingResample (Resample.c): the steps of
// the Python layer, the coefficient tables computed here in doubles exactly as
// precompute_coeffs does (V8's Math.sin/cos give glibc's values for these arguments), and
// the convolution in the core (assembly/kernels/resize.ts).

import type { Image } from '../image.js';
import * as check from '../validate.js';
import type { Box } from '../validate.js';
import { MAX_SIDE } from '../layout.js';
import { input } from './common.js';
import { addReduceSteps } from './reduce.js';
import { PlanBuilder, INPUT, OUTPUT, type ImageSpec, type Plan } from './plan.js';

/** Pillow's resampling filters. */
export type Filter = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';
export const FILTERS: readonly Filter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

/** Options of {@link Image.resize}. */
export interface ResizeOptions {
  /** Resampling filter. Default 'bicubic', as Pillow. */
  filter?: Filter;
  /** The source region [x0, y0, x1, y1], fractions allowed. Default: the whole image. */
  box?: Box;
  /** Reduce by an integer factor first while the scale stays above this (Pillow's reducing_gap, ≥ 1). Default: none. */
  reducingGap?: number;
}

const PRECISION_BITS = 22;
const f32 = Math.fround;

// The filters in double precision, written as Resample.c writes them.
const H54 = f32(0.54), H46 = f32(0.46);
function sinc(x: number): number {
  if (x === 0) return 1;
  x = x * Math.PI;
  return Math.sin(x) / x;
}
const FILTER: Record<Exclude<Filter, 'nearest'>, { support: number; weight: (x: number) => number }> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => { if (x < 0) x = -x; return x < 1 ? 1 - x : 0; } },
  hamming: {
    support: 1,
    weight: (x) => {
      if (x < 0) x = -x;
      if (x === 0) return 1;
      if (x >= 1) return 0;
      x = x * Math.PI;
      return (Math.sin(x) / x) * (H54 + H46 * Math.cos(x));
    },
  },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/**
 * Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis, as the core's table:
 * [size, taps, (first, count) × size, coefficients size × taps].
 */
export function coefficientTable(inSize: number, in0: number, in1: number, outSize: number, filter: Exclude<Filter, 'nearest'>): Int32Array {
  const { support: filterSupport, weight } = FILTER[filter];
  const scale = f32(in1 - in0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterSupport * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const table = new Int32Array(2 + 2 * outSize + outSize * taps);
  table[0] = outSize;
  table[1] = taps;
  const weights = new Float64Array(taps);
  const base = 2 + 2 * outSize;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - first;
    let total = 0;
    for (let x = 0; x < count; x++) {
      const w = weight((x + first - center + 0.5) * ss);
      weights[x] = w;
      total += w;
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? weights[x]! / total : weights[x]!;
      table[base + xx * taps + x] = w < 0 ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS)) : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    table[2 + 2 * xx] = first;
    table[3 + 2 * xx] = Math.max(count, 0);
  }
  return table;
}

/**
 * The table of {@link coefficientTable} split for the core's two-taps-per-dot horizontal
 * pass over 4-byte pixels: pairs of taps as [high a | high b << 16, low a | low b << 16],
 * coefficient = high * 2048 + low with low in 0..2047 (assembly/kernels/resize.ts).
 */
export function splitTable(table: Int32Array): Int32Array {
  const size = table[0]!, taps = table[1]!;
  const even = taps + (taps & 1);
  const split = new Int32Array(2 + 2 * size + size * even);
  split[0] = size;
  split[1] = even;
  split.set(table.subarray(2, 2 + 2 * size), 2);
  for (let i = 0; i < size; i++) {
    const from = 2 + 2 * size + i * taps, to = 2 + 2 * size + i * even;
    for (let k = 0; k < even; k += 2) {
      const a = k < taps ? table[from + k]! : 0, b = k + 1 < taps ? table[from + k + 1]! : 0;
      split[to + k] = ((a >> 11) & 0xffff) | ((b >> 11) << 16);
      split[to + k + 1] = (a & 2047) | ((b & 2047) << 16);
    }
  }
  return split;
}

/** Nearest source index of each output index, as ImagingScaleAffine walks them (positions accumulate); -1 outside. */
export function nearestIndices(inSize: number, in0: number, in1: number, outSize: number): Int32Array {
  const step = f32(in1 - in0) / outSize;
  const indices = new Int32Array(outSize);
  let position = in0 + step * 0.5;
  for (let i = 0; i < outSize; i++) {
    const index = position < 0 ? -1 : Math.trunc(position);
    indices[i] = index >= 0 && index < inSize ? index : -1;
    position += step;
  }
  return indices;
}

function validate(image: Image, width: unknown, height: unknown, options: unknown) {
  const o = check.options<ResizeOptions>('options', options);
  check.integer('width', width, 1, MAX_SIDE);
  check.integer('height', height, 1, MAX_SIDE);
  const filter = o.filter === undefined ? 'bicubic' : check.oneOf('options.filter', o.filter, FILTERS);
  let box: Box = [0, 0, image.width, image.height];
  if (o.box !== undefined) {
    box = check.box('options.box', o.box);
    const [x0, y0, x1, y1] = box.map(f32) as Box;
    if (x0 < 0 || y0 < 0 || x1 > image.width || y1 > image.height || x1 - x0 < 0 || y1 - y0 < 0) {
      throw check.invalid('options.box', `box [x0, y0, x1, y1] with x1 >= x0 and y1 >= y0 within the ${image.width}×${image.height} image`, box);
    }
  }
  const reducingGap = o.reducingGap === undefined ? undefined : check.finite('options.reducingGap', o.reducingGap, 1);
  return { width: width as number, height: height as number, filter, box, reducingGap };
}

/**
 * Adds the step of _resize (the crop shortcut, nearest, or the convolution of Resample.c)
 * from plan image `source` (of `spec`) into `target`, with the box already checked.
 * `premultiplied`: LA/RGBA pixels are premultiplied on the way in and unpremultiplied on
 * the way out.
 */
function addResampleStep(builder: PlanBuilder, source: number, spec: ImageSpec, target: number, filter: Filter, box: Box, premultiplied: boolean): void {
  const { width, height } = builder.images[target]!;
  const [x0, y0, x1, y1] = box.map(f32) as Box;
  // Pillow crops when the box is whole and of the output size (for RGBA and LA that is a
  // crop of the premultiplied image: the round trip rounds colours of translucent pixels).
  if (x0 - Math.trunc(x0) === 0 && f32(x1 - x0) === width && y0 - Math.trunc(y0) === 0 && f32(y1 - y0) === height) {
    builder.rows({ op: 'crop', left: Math.trunc(x0), top: Math.trunc(y0) }, source, target);
    if (premultiplied) builder.rows({ op: 'roundTrip' }, target, target);
    return;
  }
  if (filter === 'nearest') {
    builder.rows({
      op: 'nearest', columns: nearestIndices(spec.width, x0, x1, width), rows: nearestIndices(spec.height, y0, y1, height),
    }, source, target);
    return;
  }
  const needHorizontal = width !== spec.width || x0 !== 0 || x1 !== width;
  const needVertical = height !== spec.height || y0 !== 0 || y1 !== height;
  if (!needHorizontal && !needVertical) {
    builder.rows({ op: 'crop', left: 0, top: 0 }, source, target);
    return;
  }
  const table = needHorizontal ? coefficientTable(spec.width, x0, x1, width, filter) : null;
  builder.rows({
    op: 'resample',
    horizontal: table && (spec.mode === 'L' ? table : splitTable(table)),
    vertical: needVertical ? coefficientTable(spec.height, y0, y1, height, filter) : null,
    premultiplied,
  }, source, target);
}

const GAP_SUPPORT: Record<Exclude<Filter, 'nearest'>, number> = { box: 0.5, bilinear: 1, hamming: 1, bicubic: 2, lanczos: 3 };

export function planResize(image: Image, width: number, height: number, options?: ResizeOptions): Plan {
  input(image, 'resize');
  const o = validate(image, width, height, options);
  const [bx0, by0, bx1, by1] = o.box;
  const builder = new PlanBuilder('resize', image, { mode: image.mode, width: o.width, height: o.height });
  if (o.width === image.width && o.height === image.height && bx0 === 0 && by0 === 0 && bx1 === image.width && by1 === image.height) {
    return builder.rows({ op: 'crop', left: 0, top: 0 }, INPUT, OUTPUT).plan();
  }
  if ((image.mode === 'LA' || image.mode === 'RGBA') && o.filter !== 'nearest') {
    // Pillow resizes RGBA and LA through RGBa and La, and does not pass reducing_gap on.
    addResampleStep(builder, INPUT, image, OUTPUT, o.filter, o.box, true);
    return builder.plan();
  }
  if (o.reducingGap !== undefined && o.filter !== 'nearest') {
    const factorX = Math.trunc((bx1 - bx0) / o.width / o.reducingGap) || 1;
    const factorY = Math.trunc((by1 - by0) / o.height / o.reducingGap) || 1;
    if (factorX > 1 || factorY > 1) {
      const support = GAP_SUPPORT[o.filter] - 0.5;
      const supportX = support * ((bx1 - bx0) / o.width);
      const supportY = support * ((by1 - by0) / o.height);
      const reduceBox: Box = [
        Math.max(0, Math.trunc(bx0 - supportX)), Math.max(0, Math.trunc(by0 - supportY)),
        Math.min(image.width, Math.ceil(bx1 + supportX)), Math.min(image.height, Math.ceil(by1 + supportY)),
      ];
      const reduced: ImageSpec = {
        mode: image.mode,
        width: Math.ceil((reduceBox[2] - reduceBox[0]) / factorX),
        height: Math.ceil((reduceBox[3] - reduceBox[1]) / factorY),
      };
      const middle = builder.temporary(reduced);
      addReduceSteps(builder, INPUT, image, factorX, factorY, reduceBox, middle);
      const box: Box = [
        (bx0 - reduceBox[0]) / factorX, (by0 - reduceBox[1]) / factorY,
        (bx1 - reduceBox[0]) / factorX, (by1 - reduceBox[1]) / factorY,
      ];
      addResampleStep(builder, middle, reduced, OUTPUT, o.filter, box, false);
      return builder.plan();
    }
  }
  addResampleStep(builder, INPUT, image, OUTPUT, o.filter, o.box, false);
  return builder.plan();
}
