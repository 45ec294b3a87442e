// Codecs at the TypeScript edge, for every format of the table (table.ts): options checked
// once, the compressed bytes copied into an arena block (wasm reads nothing else), one call
// into the core, and the result wrapped as an Image or copied out as bytes. The decoders
// and encoders themselves are in assembly/codecs/; their contract is in
// assembly/codecs/common.ts.

import type { Arena, Block } from '../arena.js';
import type { Image } from '../image.js';
import { blockNotLive, decodeFailed, type ArenaError, errorFromStatus, mismatch, tooManyPixels, STATUS_DECODE, STATUS_LIMIT, STATUS_OK } from '../errors.js';
import {
  RESULT_ERROR, RESULT_SIZE, RESULT_AUX, MODES, IMAGE_MODE, IMAGE_WIDTH, IMAGE_HEIGHT, type Mode,
  INFO_FORMAT, INFO_WIDTH, INFO_HEIGHT, INFO_MODE,
} from '../layout.js';
import { allocationError, blockOf, checkBlock, coreOf, imageAddress, type ImageReference } from '../state.js';
import * as check from '../validate.js';
import type { EncodeOptions, Format, ImageInfo } from './codec.js';
import { CODECS, FORMATS, codecOfCode } from './table.js';

export type { EncodeOptions, Format, ImageInfo } from './codec.js';
export { FORMATS } from './table.js';

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
  /** With a Block as input: how many of its first bytes hold the file. Default: all of them (`block.size`). */
  length?: number;
}

/**
 * What a decode or probe reads: the file's bytes, copied into the arena for the call, or a
 * Block of this arena (from `arena.alloc()`) that holds them already, read where it is.
 */
export type EncodedInput = Uint8Array | Block;

const REDUCTIONS = [1, 2, 4, 8] as const;

/** The format whose signature `bytes` start with, or undefined. */
export function sniff(bytes: Uint8Array): Format | undefined {
  return FORMATS.find((format) => CODECS[format].signature(bytes));
}

/** Input bytes, and their address when they are in the arena already (a Block's). */
interface Placed {
  readonly bytes: Uint8Array;
  readonly address: number | undefined;
}

/**
 * Checks the input of a decode or probe. A Block must be live (INVALID_HANDLE if freed);
 * its bytes are then read in place: the caller must not free it, or write to it, before
 * the call returns.
 */
function placeInput(arena: Arena, input: unknown, length: unknown, what: string): Placed {
  if (input instanceof Uint8Array) {
    if (length !== undefined) throw check.invalid('options.length', 'undefined (it is for a Block input)', length);
    if (input.length === 0) throw decodeFailed(what, 'the data is empty');
    return { bytes: input, address: undefined };
  }
  if (input === null || typeof input !== 'object' || !('ptr' in input)) {
    throw check.invalid('bytes', 'a Uint8Array or a Block from arena.alloc()', input);
  }
  const core = coreOf(arena);
  const { ptr, size, tag, arena: owner } = blockOf(input as Block);
  checkBlock(input as Block, ptr, size, tag, owner, core, what);
  const live = Math.min(core.exports.blockLive(ptr, tag) >>> 0, size);
  if (live === 0) throw blockNotLive(`${what}(block at ${ptr})`);
  const n = length === undefined ? live : check.integer('options.length', length, 0, live);
  if (n === 0) throw decodeFailed(what, 'the data is empty');
  return { bytes: core.bytes(ptr, n), address: ptr };
}

/** DECODE_FAILED for bytes that start with no signature the codecs know. */
export function unknownSignature(what: string): ArenaError {
  return decodeFailed(what, `the data is not a ${FORMATS.map((f) => f.toUpperCase()).join(', ').replace(/, (\w+)$/, ' or $1')} file (unknown signature)`);
}

function formatOf(bytes: Uint8Array, format: unknown, what: string): Format {
  if (format !== undefined) return check.oneOf('options.format', format, FORMATS);
  const sniffed = sniff(bytes);
  if (sniffed === undefined) throw unknownSignature(what);
  return sniffed;
}

/**
 * Runs `body` on the input's address in the arena: a Block's own, or a scratch block of
 * this thread the bytes are copied into (freed after).
 */
function withInput<T>(arena: Arena, input: Placed, what: string, body: (address: number) => T): T {
  let { bytes } = input;
  const placed = input.address;
  if (placed !== undefined) return body(placed);
  const core = coreOf(arena);
  // A view of this arena's own unshared memory is detached if the scratch block grows it.
  if (bytes.buffer === core.memory.buffer) bytes = bytes.slice();
  const address = core.scratch(bytes.length, what);
  try {
    core.bytes(address, bytes.length).set(bytes);
    return body(address);
  } finally {
    core.releaseScratch(address);
  }
}

/** Reads the probe info a codec left in this thread's stats area. */
function readInfo(arena: Arena): ImageInfo {
  const s = coreOf(arena).stats;
  const codec = codecOfCode(s[INFO_FORMAT]!)!;
  const info: ImageInfo = {
    format: codec.format, width: s[INFO_WIDTH]!, height: s[INFO_HEIGHT]!, mode: MODES[s[INFO_MODE]!]!,
  };
  codec.describe(info, s);
  return info;
}

/** The first part of a file a probe copies into the arena; it grows by PROBE_GROWTH while the header runs on. */
const PROBE_PREFIX = 64 * 1024;
const PROBE_GROWTH = 4;

/**
 * `arena.probe(bytes)`: the header only; nothing decoded, nothing left allocated. Only a
 * prefix of the file enters the arena (64 KiB, more while the header runs past it: EXIF and
 * ICC segments come before a JPEG's frame header), so a file larger than the arena probes.
 */
export function probe(arena: Arena, input: EncodedInput, options?: { length?: number }): ImageInfo {
  const o = check.options<{ length?: number }>('options', options);
  const placed = placeInput(arena, input, o.length, 'probe');
  const { bytes } = placed;
  const format = formatOf(bytes, undefined, 'probe');
  const core = coreOf(arena);
  // Bytes in the arena already are probed whole: only a copy is worth cutting short.
  let length = placed.address !== undefined ? bytes.length : Math.min(bytes.length, PROBE_PREFIX);
  for (;;) {
    const part = { bytes: bytes.subarray(0, length), address: placed.address };
    const status = withInput(arena, part, 'probe', (address) => CODECS[format].probe(core, address, length));
    if (status === STATUS_OK) return readInfo(arena);
    // A header cut short by the prefix reads as truncated: try a longer one.
    if (status !== STATUS_DECODE || length === bytes.length) throw errorFromStatus(status, `probe(${format})`);
    length = Math.min(bytes.length, length * PROBE_GROWTH);
  }
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
  if (!(bytes instanceof Uint8Array)) throw check.invalid('bytes', 'Uint8Array', bytes);
  return checkDecode(arena, placeInput(arena, bytes, o.length, 'decode').bytes, o);
}

function checkDecode(arena: Arena, bytes: Uint8Array, o: DecodeOptions): DecodeRequest {
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
export function decode(arena: Arena, input: EncodedInput, options: DecodeOptions | undefined, wrap: (reference: ImageReference) => Image): Image {
  const o = check.options<DecodeOptions>('options', options);
  const placed = placeInput(arena, input, o.length, 'decode');
  const request = checkDecode(arena, placed.bytes, o);
  const length = placed.bytes.length;
  return withInput(arena, placed, `decode(${request.format})`, (address) => decodeAt(arena, address, length, request, wrap));
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
  const address = CODECS[format].decode(core, input, length, maxPixels, request.reduce) >>> 0;
  const results = core.results;
  if (address === 0) {
    // A decoder that ran out of memory had read the header: say whether the image could ever fit.
    const info = core.stats;
    const width = Math.ceil(info[INFO_WIDTH]! / request.reduce), height = Math.ceil(info[INFO_HEIGHT]! / request.reduce);
    const status = results[RESULT_ERROR]!;
    if (status === STATUS_LIMIT && info[INFO_WIDTH]! * info[INFO_HEIGHT]! > maxPixels) {
      throw tooManyPixels(info[INFO_WIDTH]!, info[INFO_HEIGHT]!, maxPixels, what);
    }
    throw allocationError(core, status, core.exports.imageBytes(info[INFO_MODE]!, width, height), what);
  }
  const orientation = CODECS[format].orientation?.(core.stats) ?? 1;
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
  /** The format's own settings (Codec.settings). */
  readonly settings: unknown;
}

/** Checks the format and options of an encode (the image's own limits are checked when it runs). */
export function encodeRequest(format: unknown, options: unknown): EncodeRequest {
  const o = check.options<EncodeOptions>('options', options);
  const checked = check.oneOf('format', format, FORMATS);
  return { format: checked, settings: CODECS[checked].settings(o) };
}

/** `image.encode(format, options)`: the encoded bytes, copied out of the arena. */
export function encode(image: Image, format: Format, options?: EncodeOptions): Uint8Array {
  return encodeWith(image, encodeRequest(format, options));
}

/** Encodes with options checked already (a pool's worker). */
export function encodeWith(image: Image, request: EncodeRequest): Uint8Array {
  const what = `encode(${request.format})`;
  const address = imageAddress(image, what);
  // No format this library writes can hold an image without pixels (PNG, QOI and JPEG
  // sides are at least 1; Pillow: "cannot write empty image as JPEG").
  if (image.width === 0 || image.height === 0) {
    throw mismatch(what, `cannot write an empty image (${image.width}×${image.height}) as ${request.format.toUpperCase()}`);
  }
  const core = coreOf(image.arena);
  const output = CODECS[request.format].encode(core, address, image, request.settings, what) >>> 0;
  if (output === 0) throw errorFromStatus(core.results[RESULT_ERROR]!, what);
  try {
    return core.bytes(output, core.results[RESULT_SIZE]!).slice();
  } finally {
    core.releaseScratch(output);
  }
}
