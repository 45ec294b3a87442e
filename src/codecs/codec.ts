// What a codec declares to the TypeScript edge: how its files start, what its probe
// leaves in the stats area beyond the common header, how to decode and encode through
// the core, and which encode options it takes. Each format is one Codec in its own file,
// registered in table.ts; codecs.ts does everything formats share.

import type { Core } from '../core.js';
import type { Mode } from '../layout.js';

export type Format = 'png' | 'jpeg' | 'qoi';

/** Options of {@link Image.encode}; each format reads its own. */
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
  /** JPEG: colour components in the file: 1 (gray), 3 (YCbCr or RGB), 4 (CMYK or YCCK). */
  components?: number;
}

/** The shape of the image being encoded. */
export interface EncodeTarget {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

export interface Codec<Settings = unknown> {
  readonly format: Format;
  /** The format code the core writes at INFO_FORMAT (assembly/codecs/common.ts). */
  readonly code: number;
  /** Do `bytes` start with this format's signature? */
  signature(bytes: Uint8Array): boolean;
  /** Runs the core's probe of `length` bytes at `input`; returns its status. */
  probe(core: Core, input: number, length: number): number;
  /** Adds what this format's probe says beyond the common header (the stats area, INFO_*). */
  describe(info: ImageInfo, stats: Float64Array): void;
  /** The EXIF orientation (1..8) the last probe or decode found, for formats that carry one. */
  orientation?(stats: Float64Array): number;
  /** Runs the core's decoder; returns the image's address (0: error). `reduce` is 1 but for formats that scale. */
  decode(core: Core, input: number, length: number, maxPixels: number, reduce: number): number;
  /** Checks the encode options this format reads; returns them as plain data a worker can be sent. */
  settings(options: EncodeOptions): Settings;
  /** Runs the core's encoder of the image at `address`; returns a scratch block (0: error). Throws for images the format cannot hold. */
  encode(core: Core, address: number, image: EncodeTarget, settings: Settings, what: string): number;
}
