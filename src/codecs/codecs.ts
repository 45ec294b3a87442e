// Codecs at the TypeScript edge: options checked once, the compressed bytes copied into
// an arena block (wasm reads nothing else), one call into the core, and the result wrapped
// as an Image or copied out as bytes. The decoders and encoders themselves are in
// assembly/codecs/; their contract is in assembly/codecs/common.ts.

import type { Arena } from '../arena.js';
import type { Image } from '../image.js';
import { decodeFailed, errorFromStatus, limitExceeded, mismatch, STATUS_OK } from '../errors.js';
import {
  RESULT_ERROR, RESULT_SIZE, RESULT_AUX, MODES, IMAGE_MODE, IMAGE_WIDTH, IMAGE_HEIGHT, type Mode,
  MODE_L, FORMAT_PNG, FORMAT_JPEG, FORMAT_QOI, INFO_FORMAT, INFO_WIDTH, INFO_HEIGHT, INFO_MODE, INFO_BIT_DEPTH,
  INFO_INTERLACED, INFO_PROGRESSIVE, INFO_SAMPLING, INFO_ORIENTATION, INFO_HAS_ICC, INFO_COMPONENTS,
} from '../layout.js';
import { allocationError, coreOf, imageAddress, type ImageReference } from '../state.js';
import * as check from '../validate.js';

export type Format = 'png' | 'jpeg' | 'qoi';
export const FORMATS: readonly Format[] = ['png', 'jpeg', 'qoi'];

/** Options of {@link Arena.decode}. */
export interface DecodeOptions {
  /** Default: sniffed from the signature. */
  format?: Format;
  /** Convert on the way out; default: the file's natural mode. */
  mode?: Mode;
  /** JPEG: decode at 1/2, 1/4 or 1/8 with the scaled IDCT (Pillow's draft()); size ceil(w/k) × ceil(h/k). Default 1. */
  reduce?: 1 | 2 | 4 | 8;
  /** Apply the EXIF orientation as Pillow's ImageOps.exif_transpose. Default false. */
  autoOrient?: boolean;
  /** Largest image in pixels; default the arena's maxPixels. */
  maxPixels?: number;
}

/** What {@link Arena.probe} reads from a file's header. */
export interface ImageInfo {
  format: Format;
  width: number;
  height: number;
  /** The mode a plain decode gives. */
  mode: Mode;
  /** PNG: bits per sample as stored. */
  bitDepth?: number;
  /** PNG: Adam7 interlaced. */
  interlaced?: boolean;
  /** JPEG: progressive. */
  progressive?: boolean;
  /** JPEG: chroma subsampling such as '4:2:0' (or the factors, 'h0xv0,h1xv1,…', for unusual mixes). */
  subsampling?: string;
  /** JPEG: EXIF orientation 1..8. */
  orientation?: number;
  /** JPEG: an ICC profile is present. */
  hasIcc?: boolean;
}

/** Options of {@link Image.encode}. */
export interface EncodeOptions {
  /** PNG: deflate level 0..9. Default 6. */
  level?: number;
  /** PNG: row filter. Default 'adaptive' (per row, the least sum of absolute differences). */
  filter?: 'adaptive' | 'none' | 'sub' | 'up' | 'average' | 'paeth';
  /** JPEG: 1..100. Default 75 (Pillow's). */
  quality?: number;
  /** JPEG: chroma subsampling. Default as Pillow's: '4:2:0' for RGB and RGBA, none ('4:4:4') for L and LA. */
  subsampling?: '4:4:4' | '4:2:2' | '4:2:0';
  /** JPEG: progressive, as Pillow's save(progressive=True). Default false. */
  progressive?: boolean;
  /** JPEG: optimal Huffman tables, as Pillow's save(optimize=True). Default false. */
  optimize?: boolean;
}

const FORMAT_CODES: Record<number, Format> = { [FORMAT_PNG]: 'png', [FORMAT_JPEG]: 'jpeg', [FORMAT_QOI]: 'qoi' };
const PNG_FILTERS = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'] as const;
const SUBSAMPLINGS = ['4:4:4', '4:2:2', '4:2:0'] as const;
const REDUCTIONS = [1, 2, 4, 8] as const;
/** libjpeg's JPEG_MAX_DIMENSION. */
const JPEG_MAX_SIDE = 65500;

/** The format whose signature `bytes` start with, or undefined. */
export function sniff(bytes: Uint8Array): Format | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
    && bytes[4] === 0x0d && bytes[5] === 0x0a && bytes[6] === 0x1a && bytes[7] === 0x0a) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.length >= 4 && bytes[0] === 0x71 && bytes[1] === 0x6f && bytes[2] === 0x69 && bytes[3] === 0x66) return 'qoi';
  return undefined;
}

function checkBytes(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw check.invalid('bytes', 'Uint8Array', bytes);
  if (bytes.length === 0) throw decodeFailed(what, 'the data is empty');
  return bytes;
}

function formatOf(bytes: Uint8Array, format: unknown, what: string): Format {
  if (format !== undefined) return check.oneOf('options.format', format, FORMATS);
  const sniffed = sniff(bytes);
  if (sniffed === undefined) throw decodeFailed(what, 'the data is not a PNG, JPEG or QOI file (unknown signature)');
  return sniffed;
}

/** Copies `bytes` into a scratch block of this thread, runs `body` on its address, frees the block. */
function withInput<T>(arena: Arena, bytes: Uint8Array, what: string, body: (address: number) => T): T {
  const core = coreOf(arena);
  const address = core.scratch(bytes.length, what);
  try {
    core.bytes(address, bytes.length).set(bytes);
    return body(address);
  } finally {
    core.releaseScratch(address);
  }
}

function subsamplingName(packed: number, components: number): string {
  const factors: Array<[number, number]> = [];
  for (let i = 0; i < components; i++) {
    const byte = Math.floor(packed / 2 ** (8 * i)) & 0xff;
    factors.push([byte >> 4, byte & 15]);
  }
  if (components < 3) return '4:4:4';
  const [[h0, v0], [h1, v1], [h2, v2]] = factors as [[number, number], [number, number], [number, number]];
  const chromaSame = h1 === h2 && v1 === v2 && (components < 4 || (factors[3]![0] === h0 && factors[3]![1] === v0));
  if (chromaSame && h1 === 1 && v1 === 1) {
    if (h0 === 1 && v0 === 1) return '4:4:4';
    if (h0 === 2 && v0 === 1) return '4:2:2';
    if (h0 === 2 && v0 === 2) return '4:2:0';
    if (h0 === 1 && v0 === 2) return '4:4:0';
    if (h0 === 4 && v0 === 1) return '4:1:1';
  }
  return factors.map(([h, v]) => `${h}x${v}`).join(',');
}

/** Reads the probe info a codec left in this thread's stats area. */
function readInfo(arena: Arena): ImageInfo {
  const s = coreOf(arena).stats;
  const format = FORMAT_CODES[s[INFO_FORMAT]!]!;
  const info: ImageInfo = {
    format, width: s[INFO_WIDTH]!, height: s[INFO_HEIGHT]!, mode: MODES[s[INFO_MODE]!]!,
  };
  if (format === 'png') {
    info.bitDepth = s[INFO_BIT_DEPTH]!;
    info.interlaced = s[INFO_INTERLACED] === 1;
  } else if (format === 'jpeg') {
    info.progressive = s[INFO_PROGRESSIVE] === 1;
    info.subsampling = subsamplingName(s[INFO_SAMPLING]!, s[INFO_COMPONENTS]!);
    info.orientation = s[INFO_ORIENTATION]!;
    info.hasIcc = s[INFO_HAS_ICC] === 1;
  }
  return info;
}

/** `arena.probe(bytes)`: the header only; nothing decoded, nothing left allocated. */
export function probe(arena: Arena, bytes: Uint8Array): ImageInfo {
  checkBytes(bytes, 'probe');
  const format = formatOf(bytes, undefined, 'probe');
  const core = coreOf(arena);
  const status = withInput(arena, bytes, 'probe', (input) => {
    switch (format) {
      case 'png': return core.exports.pngProbe(input, bytes.length);
      case 'jpeg': return core.exports.jpegProbe(input, bytes.length);
      case 'qoi': return core.exports.qoiProbe(input, bytes.length);
    }
  });
  if (status !== STATUS_OK) throw errorFromStatus(status, `probe(${format})`);
  return readInfo(arena);
}

/** A decode with its options checked: what {@link decodeAt} needs besides the bytes. */
export interface DecodeRequest {
  readonly format: Format;
  readonly mode: Mode | undefined;
  readonly reduce: number;
  readonly autoOrient: boolean;
  readonly maxPixels: number;
}

/** Checks the bytes' signature and the options of a decode. */
export function decodeRequest(arena: Arena, bytes: Uint8Array, options: DecodeOptions | undefined): DecodeRequest {
  const o = check.options<DecodeOptions>('options', options);
  checkBytes(bytes, 'decode');
  const format = formatOf(bytes, o.format, 'decode');
  const mode = o.mode === undefined ? undefined : check.oneOf('options.mode', o.mode, MODES);
  const reduce = o.reduce === undefined ? 1 : o.reduce;
  if (!(REDUCTIONS as readonly unknown[]).includes(reduce)) throw check.invalid('options.reduce', '1, 2, 4 or 8', reduce);
  const autoOrient = o.autoOrient === undefined ? false : check.boolean('options.autoOrient', o.autoOrient);
  const maxPixels = o.maxPixels === undefined ? arena.maxPixels
    : check.integer('options.maxPixels', o.maxPixels, 1, Number.MAX_SAFE_INTEGER);
  return { format, mode, reduce, autoOrient, maxPixels };
}

/**
 * `arena.decode(bytes, options)`. PNG gives its natural mode: gray → L, gray+alpha → LA,
 * RGB → RGB, RGBA → RGBA, palette → RGB (RGBA with tRNS), a gray or RGB tRNS colour key →
 * LA or RGBA; 16-bit samples keep their high byte (as Pillow for 16-bit RGB, and libpng's
 * strip_16). QOI: 3 channels → RGB, 4 → RGBA.
 */
export function decode(arena: Arena, bytes: Uint8Array, options: DecodeOptions | undefined, wrap: (reference: ImageReference) => Image): Image {
  const request = decodeRequest(arena, bytes, options);
  return withInput(arena, bytes, `decode(${request.format})`, (input) => decodeAt(arena, input, bytes.length, request, wrap));
}

/**
 * Decodes `length` bytes at `input` in this thread's core (the compressed bytes already in
 * the arena), then orients and converts as the request says.
 */
export function decodeAt(arena: Arena, input: number, length: number, request: DecodeRequest,
  wrap: (reference: ImageReference) => Image): Image {
  const core = coreOf(arena);
  const { format, maxPixels } = request;
  const what = `decode(${format})`;
  let address: number;
  switch (format) {
    case 'png': address = core.exports.pngDecode(input, length, maxPixels); break;
    case 'jpeg': address = core.exports.jpegDecode(input, length, maxPixels, request.reduce); break;
    case 'qoi': address = core.exports.qoiDecode(input, length, maxPixels); break;
  }
  address >>>= 0;
  const results = core.results;
  if (address === 0) {
    // A decoder that ran out of memory had read the header: say whether the image could ever fit.
    const info = core.stats;
    const pixels = Math.ceil(info[INFO_WIDTH]! / request.reduce) * Math.ceil(info[INFO_HEIGHT]! / request.reduce);
    throw allocationError(core, results[RESULT_ERROR]!, pixels * (info[INFO_MODE] === MODE_L ? 1 : 4), what);
  }
  const orientation = format === 'jpeg' ? core.stats[INFO_ORIENTATION]! : 1;
  const header = core.bytes(address, 20);
  const view = new DataView(header.buffer, header.byteOffset, 20);
  let image = wrap({
    address, record: results[RESULT_AUX]!, tag: core.tag, mode: MODES[header[IMAGE_MODE]!]!,
    width: view.getUint32(IMAGE_WIDTH, true), height: view.getUint32(IMAGE_HEIGHT, true),
  });
  try {
    if (request.autoOrient && orientation > 1) image = replace(image, orientImage(image, orientation));
    if (request.mode !== undefined && request.mode !== image.mode) image = replace(image, image.convert(request.mode));
  } catch (error) {
    image.release();
    throw error;
  }
  return image;
}

function replace(old: Image, next: Image): Image {
  old.release();
  return next;
}

/** The transpose that undoes EXIF orientation 2..8, as Pillow's ImageOps.exif_transpose. */
const ORIENTATIONS = [
  undefined, undefined, 'flipLeftRight', 'rotate180', 'flipTopBottom', 'transpose', 'rotate270', 'transverse', 'rotate90',
] as const;

export function orientImage(image: Image, orientation: number): Image {
  return image.transpose(ORIENTATIONS[orientation]!);
}

/** An encode with its options checked, as plain data a worker can be sent. */
export interface EncodeRequest {
  readonly format: Format;
  readonly options: EncodeOptions;
}

/** Checks the format and options of an encode (the image's own limits are checked when it runs). */
export function encodeRequest(format: unknown, options: unknown): EncodeRequest {
  const o = check.options<EncodeOptions>('options', options);
  const checked = check.oneOf('format', format, FORMATS);
  if (checked === 'png') {
    if (o.level !== undefined) check.integer('options.level', o.level, 0, 9);
    if (o.filter !== undefined) check.oneOf('options.filter', o.filter, PNG_FILTERS);
  } else if (checked === 'jpeg') {
    if (o.quality !== undefined) check.integer('options.quality', o.quality, 1, 100);
    if (o.subsampling !== undefined) check.oneOf('options.subsampling', o.subsampling, SUBSAMPLINGS);
    if (o.progressive !== undefined) check.boolean('options.progressive', o.progressive);
    if (o.optimize !== undefined) check.boolean('options.optimize', o.optimize);
  }
  const { level, filter, quality, subsampling, progressive, optimize } = o;
  return { format: checked, options: { level, filter, quality, subsampling, progressive, optimize } };
}

/** `image.encode(format, options)`: the encoded bytes, copied out of the arena. */
export function encode(image: Image, format: Format, options?: EncodeOptions): Uint8Array {
  const o = check.options<EncodeOptions>('options', options);
  check.oneOf('format', format, FORMATS);
  const what = `encode(${format})`;
  const address = imageAddress(image, what);
  const core = coreOf(image.arena);
  let output: number;
  switch (format) {
    case 'png': {
      const level = o.level === undefined ? 6 : check.integer('options.level', o.level, 0, 9);
      const filter = o.filter === undefined ? 'adaptive' : check.oneOf('options.filter', o.filter, PNG_FILTERS);
      output = core.exports.pngEncode(address, level, PNG_FILTERS.indexOf(filter));
      break;
    }
    case 'jpeg': {
      const quality = o.quality === undefined ? 75 : check.integer('options.quality', o.quality, 1, 100);
      // Pillow's default leaves libjpeg's sampling: 2×2 luma for YCbCr, 1×1 for grayscale
      // (an explicit subsampling is written into a grayscale file's SOF as Pillow does).
      const gray = image.mode === 'L' || image.mode === 'LA';
      const subsampling = o.subsampling === undefined ? (gray ? '4:4:4' : '4:2:0')
        : check.oneOf('options.subsampling', o.subsampling, SUBSAMPLINGS);
      const progressive = o.progressive === undefined ? false : check.boolean('options.progressive', o.progressive);
      const optimize = o.optimize === undefined ? false : check.boolean('options.optimize', o.optimize);
      if (image.width === 0 || image.height === 0) {
        throw mismatch(what, `cannot write an empty image (${image.width}×${image.height}) as JPEG`);
      }
      if (image.width > JPEG_MAX_SIDE || image.height > JPEG_MAX_SIDE) {
        throw limitExceeded(what, `JPEG sides are limited to ${JPEG_MAX_SIDE} pixels (libjpeg's limit) but the image is ${image.width}×${image.height}`);
      }
      output = core.exports.jpegEncode(address, quality, SUBSAMPLINGS.indexOf(subsampling), progressive ? 1 : 0, optimize ? 1 : 0);
      break;
    }
    case 'qoi':
      output = core.exports.qoiEncode(address);
      break;
  }
  output >>>= 0;
  if (output === 0) throw errorFromStatus(core.results[RESULT_ERROR]!, what);
  try {
    return core.bytes(output, core.results[RESULT_SIZE]!).slice();
  } finally {
    core.releaseScratch(output);
  }
}

