// Loader for the JPEG encoder's Pillow reference data, written by make_jpeg_encode_goldens.py:
// the manifest (jpeg-encode.json) and its gzip stream of input pixels and kept files
// (jpeg-encode.bin.gz), resolved into Uint8Array views and checked to be whole.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type JpegSubsampling = '4:4:4' | '4:2:2' | '4:2:0';

/** Options exactly as passed to Pillow's `im.save(f, 'JPEG', **options)`; absent: Pillow's default. */
export interface JpegSaveOptions {
  quality?: number;
  subsampling?: JpegSubsampling;
  optimize?: boolean;
  progressive?: boolean;
}

export interface JpegGoldenInput {
  name: string;
  mode: 'L' | 'RGB';
  width: number;
  height: number;
  /** Packed pixels, 1 or 3 bytes per pixel. */
  pixels: Uint8Array;
  source: string;
}

export interface JpegGoldenCase {
  input: JpegGoldenInput;
  options: JpegSaveOptions;
  /** Length and SHA-256 (hex) of Pillow's file. */
  length: number;
  sha256: string;
  /** Pillow's whole file, kept for a few cases. */
  file?: Uint8Array;
}

/** What Pillow refuses, and how. */
export interface JpegGoldenReject {
  mode: string;
  width: number;
  height: number;
  error: string;
  message: string;
}

interface Span { offset: number; length: number }

interface Manifest {
  family: string;
  format: number;
  pillowVersion: string;
  libjpegTurboVersion: string;
  pixels: { file: string; length: number; sha256: string };
  notes: string[];
  inputs: Record<string, Span & { mode: 'L' | 'RGB'; width: number; height: number; source: string }>;
  cases: Array<{ input: string; options: JpegSaveOptions; length: number; sha256: string; file?: Span }>;
  rejects: JpegGoldenReject[];
}

const FORMAT_VERSION = 1;
const GOLDENS_DIR = new URL('./', import.meta.url);

/**
 * Reads the JPEG encoder's reference data.
 * @throws Error when the files are missing, of another format version, or inconsistent.
 */
export function loadJpegEncodeGoldens() {
  const manifest = JSON.parse(readFileSync(new URL('jpeg-encode.json', GOLDENS_DIR), 'utf8')) as Manifest;
  if (manifest.family !== 'jpeg-encode' || manifest.format !== FORMAT_VERSION) {
    throw new Error(`jpeg-encode.json: expected family jpeg-encode format ${FORMAT_VERSION}, found family ${manifest.family} format ${manifest.format}`);
  }
  const blob = new Uint8Array(gunzipSync(readFileSync(new URL(manifest.pixels.file, GOLDENS_DIR))));
  if (blob.length !== manifest.pixels.length || createHash('sha256').update(blob).digest('hex') !== manifest.pixels.sha256) {
    throw new Error(`${manifest.pixels.file}: not the data jpeg-encode.json describes`);
  }
  const span = (where: string, { offset, length }: Span): Uint8Array => {
    if (offset < 0 || length < 0 || offset + length > blob.length) throw new Error(`jpeg-encode: ${where} lies outside the data`);
    return blob.subarray(offset, offset + length);
  };
  const inputs = new Map<string, JpegGoldenInput>();
  for (const [name, entry] of Object.entries(manifest.inputs)) {
    if (entry.length !== entry.width * entry.height * (entry.mode === 'L' ? 1 : 3)) throw new Error(`jpeg-encode: input ${name} has a bad length`);
    inputs.set(name, { name, mode: entry.mode, width: entry.width, height: entry.height, source: entry.source, pixels: span(`input ${name}`, entry) });
  }
  const cases: JpegGoldenCase[] = manifest.cases.map((entry) => {
    const input = inputs.get(entry.input);
    if (input === undefined) throw new Error(`jpeg-encode: a case names missing input ${entry.input}`);
    const found: JpegGoldenCase = { input, options: entry.options, length: entry.length, sha256: entry.sha256 };
    if (entry.file !== undefined) found.file = span(`file of ${entry.input}`, entry.file);
    return found;
  });
  return {
    pillowVersion: manifest.pillowVersion,
    libjpegTurboVersion: manifest.libjpegTurboVersion,
    notes: manifest.notes,
    inputs,
    cases,
    rejects: manifest.rejects,
  };
}

/** The Pillow call of a case, for people reading a failure. */
export function pillowCall(options: JpegSaveOptions): string {
  const args = Object.entries(options).map(([key, value]) => `, ${key}=${typeof value === 'string' ? `'${value}'` : value === true ? 'True' : value}`);
  return `im.save(f, 'JPEG'${args.join('')})`;
}
