// A small PNG writer for the decoder tests, written from the PNG specification and
// independent of the library: every colour type and bit depth, Adam7, a chosen filter per
// row, the zlib stream from node:zlib cut into IDAT chunks of chosen sizes. It also
// computes, from the same samples, the pixels the decoder must give (natural mode, packed).
import { deflateSync, crc32 as zlibCrc32 } from 'node:zlib';
import type { Mode } from '../../dist/node.js';

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  if (typeof zlibCrc32 === 'function') return zlibCrc32(bytes) >>> 0;
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const;

/** A gray 8-bit PNG of `width` × `height` black pixels: a few KB for millions of rows. */
export function grayPng(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = new Uint8Array(height * (1 + width)); // filter 0, samples 0
  return concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: 1 | 2 | 4 | 8 | 16;
  interlaced?: boolean;
  /** Samples, row-major, channels per pixel as stored (palette: indices), each < 2^bitDepth. */
  samples: Uint16Array;
  /** Palette RGB triples (colour type 3). */
  palette?: Uint8Array;
  /** tRNS: palette alphas, or the gray / RGB key. */
  transparency?: number[];
  /** Filter type of row r: filters[r % length]. Default: all five in turn. */
  filters?: number[];
  /** IDAT data sizes in turn (the last repeats). Default: one chunk. */
  chunkSizes?: number[];
  level?: number;
  /** Extra chunks inserted before the first IDAT. */
  before?: Uint8Array[];
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The filtered scanlines (filter byte + row) of one pass of sample rows. */
function scanlines(rows: Uint16Array[], spec: PngSpec, rowIndex: { n: number }): Uint8Array[] {
  const channels = CHANNELS[spec.colorType]!;
  const bitsPerPixel = channels * spec.bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const filters = spec.filters ?? [0, 1, 2, 3, 4];
  let prior: Uint8Array | undefined;
  return rows.map((samples) => {
    const raw = new Uint8Array(Math.ceil((samples.length * spec.bitDepth) / 8));
    samples.forEach((v, i) => {
      if (spec.bitDepth === 16) { raw[2 * i] = v >> 8; raw[2 * i + 1] = v & 0xff; }
      else if (spec.bitDepth === 8) raw[i] = v;
      else {
        const bit = i * spec.bitDepth;
        raw[bit >> 3]! |= v << (8 - spec.bitDepth - (bit & 7));
      }
    });
    const type = filters[rowIndex.n++ % filters.length]!;
    const out = new Uint8Array(raw.length + 1);
    out[0] = type;
    for (let i = 0; i < raw.length; i++) {
      const a = i >= bpp ? raw[i - bpp]! : 0;
      const b = prior ? prior[i]! : 0;
      const c = prior && i >= bpp ? prior[i - bpp]! : 0;
      const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type]!;
      out[i + 1] = (raw[i]! - predicted) & 0xff;
    }
    prior = raw;
    return out;
  });
}

/** A PNG file of `spec`. */
export function pngWrite(spec: PngSpec): Uint8Array {
  const channels = CHANNELS[spec.colorType]!;
  const { width, height } = spec;
  const rowOf = (y: number, x0 = 0, dx = 1): Uint16Array => {
    const count = Math.ceil((width - x0) / dx);
    const row = new Uint16Array(count * channels);
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < channels; c++) row[i * channels + c] = spec.samples[((y * width) + x0 + i * dx) * channels + c]!;
    }
    return row;
  };
  const lines: Uint8Array[] = [];
  const rowIndex = { n: 0 };
  if (spec.interlaced) {
    for (const [x0, y0, dx, dy] of ADAM7) {
      if (x0 >= width || y0 >= height) continue;
      const rows: Uint16Array[] = [];
      for (let y = y0; y < height; y += dy) rows.push(rowOf(y, x0, dx));
      lines.push(...scanlines(rows, spec, rowIndex));
    }
  } else {
    const rows: Uint16Array[] = [];
    for (let y = 0; y < height; y++) rows.push(rowOf(y));
    lines.push(...scanlines(rows, spec, rowIndex));
  }
  const stream = deflateSync(concat(lines), { level: spec.level ?? 6 });
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([spec.bitDepth, spec.colorType, 0, 0, spec.interlaced ? 1 : 0], 8);
  const parts = [SIGNATURE, chunk('IHDR', ihdr)];
  if (spec.palette) parts.push(chunk('PLTE', spec.palette));
  if (spec.transparency) {
    const t = spec.transparency;
    const data = spec.colorType === 3 ? Uint8Array.from(t) : new Uint8Array(t.flatMap((v) => [v >> 8, v & 0xff]));
    parts.push(chunk('tRNS', data));
  }
  parts.push(...(spec.before ?? []));
  const sizes = spec.chunkSizes ?? [stream.length];
  let at = 0, k = 0;
  do {
    const size = sizes[Math.min(k++, sizes.length - 1)]!;
    parts.push(chunk('IDAT', stream.subarray(at, at + size)));
    at += size;
  } while (at < stream.length);
  parts.push(chunk('IEND', new Uint8Array(0)));
  return concat(parts);
}

/** The mode and packed pixels the decoder must give for `spec` (the rules of the decoder's file comment). */
export function pngExpected(spec: PngSpec): { mode: Mode; pixels: Uint8Array } {
  const channels = CHANNELS[spec.colorType]!;
  const count = spec.width * spec.height;
  const depth = spec.bitDepth;
  const eight = (v: number) => (depth === 16 ? v >> 8 : depth === 8 ? v : (v * 255) / ((1 << depth) - 1));
  const key = spec.transparency;
  const out: number[] = [];
  let mode: Mode;
  switch (spec.colorType) {
    case 0:
      mode = key ? 'LA' : 'L';
      for (let i = 0; i < count; i++) {
        const v = spec.samples[i]!;
        out.push(eight(v));
        if (key) out.push(v === key[0] ? 0 : 255);
      }
      break;
    case 2:
      mode = key ? 'RGBA' : 'RGB';
      for (let i = 0; i < count; i++) {
        const [r, g, b] = [spec.samples[3 * i]!, spec.samples[3 * i + 1]!, spec.samples[3 * i + 2]!];
        out.push(eight(r), eight(g), eight(b));
        if (key) out.push(r === key[0] && g === key[1] && b === key[2] ? 0 : 255);
      }
      break;
    case 3: {
      mode = key ? 'RGBA' : 'RGB';
      const palette = spec.palette!;
      for (let i = 0; i < count; i++) {
        const index = spec.samples[i]!;
        if (index * 3 < palette.length) out.push(palette[index * 3]!, palette[index * 3 + 1]!, palette[index * 3 + 2]!);
        else out.push(index, index, index);
        if (key) out.push(index < key.length ? key[index]! : 255);
      }
      break;
    }
    case 4:
      mode = 'LA';
      for (let i = 0; i < count; i++) out.push(eight(spec.samples[2 * i]!), eight(spec.samples[2 * i + 1]!));
      break;
    default:
      mode = 'RGBA';
      for (let i = 0; i < count * channels; i++) out.push(eight(spec.samples[i]!));
  }
  return { mode, pixels: Uint8Array.from(out) };
}
