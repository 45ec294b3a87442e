// Loader for the Pillow reference data written by make_goldens.py.
//
// Each family has a manifest (<family>.json) and one gzip stream (<family>.bin.gz) of packed
// pixel buffers; the manifest gives every image's place in the decompressed stream. This
// module resolves those places into Uint8Array views and checks that the data is whole.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type GoldenFamily = 'resize' | 'reduce' | 'convert' | 'crop' | 'transpose' | 'composite' | 'blur';
export type GoldenMode = 'L' | 'LA' | 'RGB' | 'RGBA';
export type GoldenFilter = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';
export type GoldenTranspose =
  | 'flipLeftRight'
  | 'flipTopBottom'
  | 'rotate90'
  | 'rotate180'
  | 'rotate270'
  | 'transpose'
  | 'transverse';
export type GoldenBox = [x0: number, y0: number, x1: number, y1: number];

/** Packed row-major pixels: 1, 2, 3 or 4 bytes per pixel for L, LA, RGB, RGBA. */
export interface GoldenImage {
  mode: GoldenMode;
  width: number;
  height: number;
  pixels: Uint8Array;
}

export interface GoldenInput extends GoldenImage {
  name: string;
  /** How the input was made: a synthetic pattern and its seed, or the photograph it comes from. */
  source: string;
}

/** Arguments exactly as they were passed to Pillow, per operation. */
export interface GoldenArgs {
  /** `im.resize(size, resample?, box?, reducing_gap?)`; without `filter` Pillow uses bicubic. */
  resize: { size: [number, number]; filter?: GoldenFilter; box?: GoldenBox; reducing_gap?: number };
  /** `im.reduce(factor, box?)`; the box is in integers. */
  reduce: { factor: number | [number, number]; box?: GoldenBox };
  /** `im.convert(mode)`. */
  convert: { mode: GoldenMode };
  /** `im.crop(box)`; Pillow rounds each coordinate half to even. */
  crop: { box: GoldenBox };
  /** `im.transpose(method)`. */
  transpose: { method: GoldenTranspose };
  /** `Image.alpha_composite(input, input2)`. */
  alpha_composite: Record<string, never>;
  /** `input.alpha_composite(input2, dest?, source?)` on a copy of `input`. */
  alpha_composite_inplace: { dest?: [number, number]; source?: [number, number] | GoldenBox };
  /** `input.paste(input2, box?, mask?)` on a copy of `input`; the mask may be `input2` itself. */
  paste: { box?: [number, number] | GoldenBox };
  /** `input.paste(color, box, mask?)` on a copy of `input`. */
  paste_fill: { color: number | number[]; box: GoldenBox };
  /** `im.filter(ImageFilter.BoxBlur(radius))`. */
  box_blur: { radius: number };
  /** `im.filter(ImageFilter.GaussianBlur(radius))`. */
  gaussian_blur: { radius: number };
}

export type GoldenOp = keyof GoldenArgs;

interface FamilyOps {
  resize: 'resize';
  reduce: 'reduce';
  convert: 'convert';
  crop: 'crop';
  transpose: 'transpose';
  composite: 'alpha_composite' | 'alpha_composite_inplace' | 'paste' | 'paste_fill';
  blur: 'box_blur' | 'gaussian_blur';
}

export type GoldenCase<Op extends GoldenOp = GoldenOp> = {
  [K in Op]: {
    name: string;
    op: K;
    /** The Pillow call, for people reading a failure. */
    call: string;
    args: GoldenArgs[K];
    inputs: { input: GoldenInput; input2?: GoldenInput; mask?: GoldenInput };
    output: GoldenImage;
  };
}[Op];

/** Arguments Pillow refuses, and what it raises. */
export interface GoldenReject {
  op: GoldenOp;
  call: string;
  input: string;
  input2?: string;
  mask?: string;
  args: Record<string, unknown>;
  error: string;
  message: string;
}

export interface GoldenSet<F extends GoldenFamily = GoldenFamily> {
  family: F;
  pillowVersion: string;
  notes: string[];
  inputs: Map<string, GoldenInput>;
  cases: Array<GoldenCase<FamilyOps[F]>>;
  rejects: GoldenReject[];
}

interface ManifestImage {
  mode: GoldenMode;
  width: number;
  height: number;
  offset: number;
  length: number;
}

interface ManifestCase {
  name: string;
  op: GoldenOp;
  call: string;
  input: string;
  input2?: string;
  mask?: string;
  args: Record<string, unknown>;
  output: ManifestImage;
}

interface Manifest {
  family: string;
  format: number;
  pillowVersion: string;
  pixels: { file: string; length: number; sha256: string };
  notes: string[];
  inputs: Record<string, ManifestImage & { source: string }>;
  cases: ManifestCase[];
  rejects: GoldenReject[];
}

const FORMAT_VERSION = 1;
const BYTES_PER_PIXEL: Record<GoldenMode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };
const GOLDENS_DIR = new URL('./', import.meta.url);

/**
 * Reads one family of Pillow reference data.
 *
 * @throws Error when the files are missing, of another format version, or inconsistent.
 * @example
 * const { cases } = loadGoldens('resize');
 * for (const c of cases) expect(run(c.inputs.input, c.args)).toEqual(c.output.pixels);
 */
export function loadGoldens<F extends GoldenFamily>(family: F): GoldenSet<F> {
  const manifest = JSON.parse(readFileSync(new URL(`${family}.json`, GOLDENS_DIR), 'utf8')) as Manifest;
  if (manifest.family !== family || manifest.format !== FORMAT_VERSION) {
    throw new Error(`${family}.json: expected family ${family} format ${FORMAT_VERSION}, found ` +
      `family ${manifest.family} format ${manifest.format}`);
  }
  const blob = new Uint8Array(gunzipSync(readFileSync(new URL(manifest.pixels.file, GOLDENS_DIR))));
  if (blob.length !== manifest.pixels.length) {
    throw new Error(`${manifest.pixels.file}: expected ${manifest.pixels.length} bytes, found ${blob.length}`);
  }

  const image = (where: string, entry: ManifestImage): GoldenImage => {
    const bytesPerPixel = BYTES_PER_PIXEL[entry.mode];
    if (bytesPerPixel === undefined) throw new Error(`${family}: ${where} has unknown mode ${entry.mode}`);
    const expected = entry.width * entry.height * bytesPerPixel;
    if (entry.length !== expected || entry.offset < 0 || entry.offset + entry.length > blob.length) {
      throw new Error(`${family}: ${where} has ${entry.length} bytes at ${entry.offset}; ` +
        `expected ${expected} within ${blob.length}`);
    }
    return {
      mode: entry.mode,
      width: entry.width,
      height: entry.height,
      pixels: blob.subarray(entry.offset, entry.offset + entry.length),
    };
  };

  const inputs = new Map<string, GoldenInput>();
  for (const [name, entry] of Object.entries(manifest.inputs)) {
    inputs.set(name, { name, source: entry.source, ...image(`input ${name}`, entry) });
  }
  const input = (caseName: string, name: string): GoldenInput => {
    const found = inputs.get(name);
    if (found === undefined) throw new Error(`${family}: case ${caseName} names missing input ${name}`);
    return found;
  };

  const cases = manifest.cases.map((entry) => {
    const resolved: GoldenCase['inputs'] = { input: input(entry.name, entry.input) };
    if (entry.input2 !== undefined) resolved.input2 = input(entry.name, entry.input2);
    if (entry.mask !== undefined) resolved.mask = input(entry.name, entry.mask);
    return {
      name: entry.name,
      op: entry.op,
      call: entry.call,
      args: entry.args,
      inputs: resolved,
      output: image(`output of ${entry.name}`, entry.output),
    } as GoldenCase<FamilyOps[F]>;
  });

  return {
    family,
    pillowVersion: manifest.pillowVersion,
    notes: manifest.notes,
    inputs,
    cases,
    rejects: manifest.rejects,
  };
}
