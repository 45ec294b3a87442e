// Reading the Pillow thumbnails of test/goldens/thumbnail.json (make_thumbnail_goldens.py),
// and a small PNG reader for the CLI's output files, written from the PNG specification
// (non-interlaced, 8-bit gray, gray+alpha, RGB, RGBA: what the library writes), so that
// the CLI's files are read by code that shares nothing with the library's decoder.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateSync } from 'node:zlib';

export type ThumbnailFit = 'inside' | 'cover' | 'fill';
export type ThumbnailFilter = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

export interface ThumbnailGolden {
  name: string;
  /** Path below test/fixtures. */
  input: string;
  fit: ThumbnailFit;
  width: number;
  height: number;
  filter: ThumbnailFilter;
  /** JPEG, fit inside: the scale Pillow's draft() chose. */
  draft?: number;
  /** Fit inside 64×64, lanczos: SHA-256 of the file Pillow writes with quality 80. */
  jpeg80?: string;
  output: { mode: 'L' | 'LA' | 'RGB' | 'RGBA'; width: number; height: number; length: number; pixels?: Uint8Array; sha256?: string };
}

const GOLDENS = new URL('../goldens/', import.meta.url);
export const FIXTURES = new URL('../fixtures/', import.meta.url);

export function loadThumbnailGoldens(): ThumbnailGolden[] {
  const manifest = JSON.parse(readFileSync(new URL('thumbnail.json', GOLDENS), 'utf8'));
  const blob = gunzipSync(readFileSync(new URL(manifest.pixels.file, GOLDENS)));
  if (blob.length !== manifest.pixels.length || sha256(blob) !== manifest.pixels.sha256) {
    throw new Error('test/goldens/thumbnail.bin.gz does not match its manifest: regenerate both');
  }
  return manifest.cases.map((c: ThumbnailGolden & { output: { offset?: number } }) => {
    const { offset, ...output } = c.output;
    return { ...c, output: offset === undefined ? output : { ...output, pixels: blob.subarray(offset, offset + output.length) } };
  });
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where two pixel buffers of one size first differ, for a readable failure. */
export function firstDifference(actual: Uint8Array, expected: Uint8Array, width: number, bytesPerPixel: number): string {
  for (let i = 0; i < Math.min(actual.length, expected.length); i++) {
    if (actual[i] !== expected[i]) {
      const pixel = Math.floor(i / bytesPerPixel);
      return `first difference at (${pixel % width}, ${Math.floor(pixel / width)}) band ${i % bytesPerPixel}: ${actual[i]} != ${expected[i]}`;
    }
  }
  return actual.length === expected.length ? 'equal' : `lengths ${actual.length} != ${expected.length}`;
}

const PNG_CHANNELS: Record<number, { channels: number; mode: 'L' | 'LA' | 'RGB' | 'RGBA' }> = {
  0: { channels: 1, mode: 'L' }, 4: { channels: 2, mode: 'LA' }, 2: { channels: 3, mode: 'RGB' }, 6: { channels: 4, mode: 'RGBA' },
};

/** Decodes a non-interlaced 8-bit PNG into packed pixels. */
export function readPng(file: Uint8Array): { mode: 'L' | 'LA' | 'RGB' | 'RGBA'; width: number; height: number; pixels: Uint8Array } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => file[i] === b)) throw new Error('not a PNG file');
  let width = 0, height = 0, colorType = -1;
  const data: Uint8Array[] = [];
  for (let at = 8; at < file.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...file.subarray(at + 4, at + 8));
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      colorType = body[9]!;
      if (body[8] !== 8 || body[12] !== 0) throw new Error('only 8-bit, non-interlaced PNG files are read here');
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  const format = PNG_CHANNELS[colorType];
  if (!format) throw new Error(`colour type ${colorType} is not read here`);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * format.channels;
  const pixels = new Uint8Array(stride * height);
  const bpp = format.channels;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0, b = up[x]!, c = x >= bpp ? up[x - bpp]! : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad filter ${filter} on row ${y}`);
      }
      row[x] = (line[x]! + predictor) & 255;
    }
  }
  return { mode: format.mode, width, height, pixels };
}
