// The thumbnail pipeline: one encoded photo in, one small upright image out, with exactly
// the pixels Pillow 9.4 gives for the same request:
//
//   fit 'inside'  im.thumbnail((W, H), filter); ImageOps.exif_transpose(im)
//   fit 'cover'   ImageOps.fit(ImageOps.exif_transpose(im), (W, H), filter)   (centering 0.5)
//   fit 'fill'    ImageOps.exif_transpose(im).resize((W, H), filter)
//
// 'inside' follows Image.thumbnail step by step: the aspect-preserving size with its
// round_aspect, draft() to at least twice that size for JPEG (our decode's `reduce`, with
// the box draft() returns, in the reduced image's coordinates), then resize with
// reducing_gap 2.0, all on the image as stored; the EXIF orientation turns the small result.
// 'cover' and 'fill' orient first, as ImageOps.fit and resize see an upright image; neither
// drafts nor uses a reducing gap (Pillow's do not).
//
// The module uses only the public methods of Arena and Image, so it runs unchanged in pool
// workers (the CLI's tasks), on the main thread, and in one-thread runtimes.

import { DEFAULT_ALIGNMENT, type Arena } from './arena.js';
import type { Image } from './image.js';
import type { ImageInfo, Format, EncodedInput } from './codecs/codecs.js';
import type { Filter } from './kernels/resize.js';
import type { Box } from './validate.js';
import type { TransposeMethod } from './kernels/geometry.js';
import { mismatch } from './errors.js';
import { samplingFactors } from './codecs/jpeg.js';
import * as check from './validate.js';

export type Fit = 'inside' | 'cover' | 'fill';
export const FITS: readonly Fit[] = ['inside', 'cover', 'fill'];
const FILTERS: readonly Filter[] = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'];

/** Options of {@link thumbnail}. */
export interface ThumbnailOptions {
  /** The box the thumbnail fits: at most this wide ('inside'), or exactly ('cover', 'fill'). */
  width: number;
  /** The box's height. */
  height: number;
  /**
   * 'inside' (default): the whole picture, aspect kept, within the box, never enlarged
   * (Pillow's thumbnail); 'cover': exactly the box, aspect kept, the centre cropped
   * (ImageOps.fit); 'fill': exactly the box, stretched (resize).
   */
  fit?: Fit;
  /** Resampling filter. Default 'lanczos'. */
  filter?: Filter;
}

/** The steps {@link thumbnail} takes for one file: computed from its header alone. */
export interface ThumbnailPlan {
  /** JPEG scaled decode (Pillow's draft()); 1 elsewhere. */
  reduce: 1 | 2 | 4 | 8;
  /** Apply the EXIF orientation while decoding (cover, fill) rather than to the result (inside). */
  orientFirst: boolean;
  /** The resize of the decoded image; undefined when it already has the thumbnail's size. */
  resize: { width: number; height: number; box?: Box; reducingGap?: number } | undefined;
  /** The transpose applied to the resized image (inside with an EXIF orientation of 2..8). */
  transpose: TransposeMethod | undefined;
  /** The thumbnail's size, upright. */
  width: number;
  height: number;
  /** Arena bytes the steps hold at their peak, roughly (input, decoded image, intermediates). */
  bytesNeeded: number;
}

/** The transpose that undoes EXIF orientation 2..8, as ImageOps.exif_transpose. */
const UNDO_ORIENTATION: ReadonlyArray<TransposeMethod | undefined> = [
  undefined, undefined, 'flipLeftRight', 'rotate180', 'flipTopBottom', 'transpose', 'rotate270', 'transverse', 'rotate90',
];

function orientationOf(info: ImageInfo): number {
  const o = info.orientation;
  return o !== undefined && o >= 1 && o <= 8 ? o : 1;
}

/** Orientations 5..8 swap width and height. */
function swapsSides(orientation: number): boolean {
  return orientation >= 5;
}

/**
 * Pillow 9.4's `preserve_aspect_ratio` inside Image.thumbnail: the largest size within
 * `boxWidth` × `boxHeight` with the aspect of `width` × `height`, each side rounded to
 * whichever of floor and ceil keeps the aspect closer (floor on a tie), at least 1.
 * Undefined when the image already fits (thumbnail() then leaves it as it is).
 */
export function thumbnailSize(width: number, height: number, boxWidth: number, boxHeight: number): [number, number] | undefined {
  let x = boxWidth, y = boxHeight;
  if (x >= width && y >= height) return undefined;
  const aspect = width / height;
  if (x / y >= aspect) {
    x = roundAspect(y * aspect, (n) => Math.abs(aspect - n / y));
  } else {
    y = roundAspect(x / aspect, (n) => (n === 0 ? 0 : Math.abs(aspect - x / n)));
  }
  return [x, y];
}

/** `max(min(floor(n), ceil(n), key=key), 1)`: Python's min keeps the first of equal keys. */
function roundAspect(n: number, key: (n: number) => number): number {
  const low = Math.floor(n), high = Math.ceil(n);
  return Math.max(key(high) < key(low) ? high : low, 1);
}

/**
 * The scale JpegImageFile.draft(None, (w, h)) picks: the largest of 8, 4, 2, 1 not above
 * min(width // w, height // h).
 */
export function draftScale(width: number, height: number, requestWidth: number, requestHeight: number): 1 | 2 | 4 | 8 {
  const scale = Math.min(Math.floor(width / requestWidth), Math.floor(height / requestHeight));
  for (const s of [8, 4, 2] as const) if (scale >= s) return s;
  return 1;
}

const BYTES_PER_PIXEL: Record<string, number> = { L: 1, LA: 4, RGB: 4, RGBA: 4 };

/**
 * Arena bytes of a `width` × `height` image as the core lays it out with the default row
 * alignment: rows padded to DEFAULT_ALIGNMENT bytes and 4 bytes of row table each, so that a
 * picture 1 pixel wide and millions of rows tall costs what it really does, not its pixels.
 */
function imageEstimate(width: number, height: number, bytesPerPixel: number): number {
  return height * (Math.ceil((width * bytesPerPixel) / DEFAULT_ALIGNMENT) * DEFAULT_ALIGNMENT + 4);
}

function checkOptions(options: unknown): Required<ThumbnailOptions> {
  const o = check.options<ThumbnailOptions>('options', options);
  const width = check.integer('options.width', o.width, 1, 0x3fffffff);
  const height = check.integer('options.height', o.height, 1, 0x3fffffff);
  const fit = o.fit === undefined ? 'inside' : check.oneOf('options.fit', o.fit, FITS);
  const filter = o.filter === undefined ? 'lanczos' : check.oneOf('options.filter', o.filter, FILTERS);
  return { width, height, fit, filter };
}

/**
 * The bytes a progressive JPEG's decode holds in coefficients while it reads its scans: 2
 * a coefficient, 64 a block, every block of every component as the MCUs pad them. 0 for
 * other files.
 */
function coefficientBytes(info: ImageInfo): number {
  if (info.format !== 'jpeg' || !info.progressive) return 0;
  const components = info.components ?? 4;
  const { width, height } = info;
  if (components === 1) return Math.ceil(width / 8) * Math.ceil(height / 8) * 128;
  const factors = samplingFactors(info.subsampling ?? '', components);
  // Not from this library's probe: every component at full size.
  if (factors === undefined) return Math.ceil(width / 8) * Math.ceil(height / 8) * 128 * components;
  const hMax = Math.max(...factors.map(([h]) => h)), vMax = Math.max(...factors.map(([, v]) => v));
  const mcuColumns = Math.ceil(width / (8 * hMax)), mcuRows = Math.ceil(height / (8 * vMax));
  return factors.reduce((sum, [h, v]) => sum + mcuColumns * h * mcuRows * v * 128, 0);
}

/**
 * The steps of a thumbnail of the file `info` describes (from {@link Arena.probe}).
 * @throws {ArenaError} INVALID_ARGUMENT for bad options.
 * @example const plan = planThumbnail(arena.probe(bytes), { width: 256, height: 256 });
 */
export function planThumbnail(info: ImageInfo, options: ThumbnailOptions): ThumbnailPlan {
  const { width: boxWidth, height: boxHeight, fit } = checkOptions(options);
  const orientation = orientationOf(info);
  const bytesPerPixel = BYTES_PER_PIXEL[info.mode] ?? 4;
  const coefficients = coefficientBytes(info);
  if (fit !== 'inside') {
    const [width, height] = swapsSides(orientation) ? [info.height, info.width] : [info.width, info.height];
    const bytesNeeded = 2 * imageEstimate(width, height, bytesPerPixel) + coefficients
      + 2 * imageEstimate(boxWidth, boxHeight, 4);
    let box: Box | undefined;
    if (fit === 'cover') box = coverBox(width, height, boxWidth, boxHeight);
    const unchanged = width === boxWidth && height === boxHeight && box === undefined;
    return {
      reduce: 1, orientFirst: true, transpose: undefined, width: boxWidth, height: boxHeight, bytesNeeded,
      resize: unchanged ? undefined : { width: boxWidth, height: boxHeight, ...(box ? { box } : {}) },
    };
  }
  const size = thumbnailSize(info.width, info.height, boxWidth, boxHeight);
  const transpose = UNDO_ORIENTATION[orientation];
  if (size === undefined) {
    const [width, height] = swapsSides(orientation) ? [info.height, info.width] : [info.width, info.height];
    return {
      reduce: 1, orientFirst: false, resize: undefined, transpose, width, height,
      bytesNeeded: 2 * imageEstimate(width, height, bytesPerPixel) + coefficients,
    };
  }
  const [width, height] = size;
  let reduce: 1 | 2 | 4 | 8 = 1;
  let box: Box | undefined;
  if (info.format === 'jpeg') {
    reduce = draftScale(info.width, info.height, width * 2, height * 2);
    box = [0, 0, info.width / reduce, info.height / reduce];
  }
  const decodedWidth = Math.ceil(info.width / reduce), decodedHeight = Math.ceil(info.height / reduce);
  // The decode, plus the reducing gap's intermediate (at most a quarter of the decode) and the result.
  const bytesNeeded = imageEstimate(decodedWidth, decodedHeight, bytesPerPixel) * 1.25 + coefficients
    + 2 * imageEstimate(width, height, 4);
  return {
    reduce, orientFirst: false, transpose,
    resize: decodedWidth === width && decodedHeight === height ? undefined : { width, height, ...(box ? { box } : {}), reducingGap: 2 },
    width: swapsSides(orientation) ? height : width,
    height: swapsSides(orientation) ? width : height,
    bytesNeeded,
  };
}

/**
 * ImageOps.fit's crop box with bleed 0 and centering (0.5, 0.5): the largest region of the
 * output's aspect, centred.
 */
export function coverBox(width: number, height: number, boxWidth: number, boxHeight: number): Box {
  const liveRatio = width / height;
  const outputRatio = boxWidth / boxHeight;
  let cropWidth: number, cropHeight: number;
  if (liveRatio === outputRatio) {
    cropWidth = width;
    cropHeight = height;
  } else if (liveRatio >= outputRatio) {
    cropWidth = outputRatio * height;
    cropHeight = height;
  } else {
    cropWidth = width;
    cropHeight = width / outputRatio;
  }
  const left = (width - cropWidth) * 0.5;
  const top = (height - cropHeight) * 0.5;
  return [left, top, left + cropWidth, top + cropHeight];
}

/**
 * A thumbnail of an encoded image (PNG, JPEG, QOI), upright, with Pillow 9.4's pixels (see
 * the top of this file for the exact Pillow calls each fit reproduces). The caller owns the
 * result and releases it; everything in between is released, also on error.
 * @throws {ArenaError} DECODE_FAILED for malformed, truncated or empty data; UNSUPPORTED;
 *   LIMIT_EXCEEDED; ARENA_FULL; INVALID_ARGUMENT for bad options.
 * @example
 * const small = thumbnail(arena, await readFile('photo.jpg'), { width: 256, height: 256 });
 * const jpeg = small.encode('jpeg', { quality: 80 });
 * small.release();
 */
export function thumbnail(arena: Arena, bytes: Uint8Array, options: ThumbnailOptions): Image {
  const { filter } = checkOptions(options);
  const plan = planThumbnail(arena.probe(bytes), options);
  return runThumbnail(arena, bytes, plan, filter);
}

/**
 * Runs a plan made by {@link planThumbnail} for the same file: its bytes, or a Block of
 * the arena holding its first `length` bytes (read in place, as by {@link Arena.decode}).
 */
export function runThumbnail(arena: Arena, bytes: EncodedInput, plan: ThumbnailPlan, filter: Filter = 'lanczos', length?: number): Image {
  let image = arena.decode(bytes, { reduce: plan.reduce, autoOrient: plan.orientFirst, ...(length === undefined ? {} : { length }) });
  try {
    if (plan.resize) {
      const { width, height, box, reducingGap } = plan.resize;
      image = replace(image, image.resize(width, height, {
        filter, ...(box ? { box } : {}), ...(reducingGap !== undefined ? { reducingGap } : {}),
      }));
    }
    if (plan.transpose) image = replace(image, image.transpose(plan.transpose));
  } catch (error) {
    image.release();
    throw error;
  }
  if (image.width !== plan.width || image.height !== plan.height) {
    image.release();
    throw mismatch('thumbnail()', `the plan was made for another file (${plan.width}×${plan.height} planned)`);
  }
  return image;
}

function replace(old: Image, next: Image): Image {
  old.release();
  return next;
}

/** The file extension of a format's files. */
export function extensionOf(format: Format): string {
  return format === 'jpeg' ? '.jpg' : `.${format}`;
}
