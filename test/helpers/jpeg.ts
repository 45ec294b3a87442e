// The JPEG decoder's reference data (test/goldens/make_jpeg_decode_goldens.py): Pillow's decodes
// of the corpus (test/fixtures/jpeg, made by make_corpus.py), of the benchmark photographs
// and of scikit-image's JPEG photographs, as hashes, plus the small ones whole.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { Arena, Image } from '../../dist/node.js';

const GOLDENS = new URL('../goldens/', import.meta.url);
const ROOT = new URL('../../', import.meta.url);

export interface JpegProbeGolden {
  width: number;
  height: number;
  mode: 'L' | 'RGB';
  progressive: boolean;
  subsampling: string;
  orientation: number;
  hasIcc: boolean;
  components: number;
}

export interface JpegDecodeGolden {
  mode: 'L' | 'RGB';
  width: number;
  height: number;
  sha256: string;
  /** Pillow's pixels, for the small ones. */
  pixels?: Uint8Array;
}

export interface JpegFileGolden {
  /** corpus/…, photos/… or skimage/…. */
  name: string;
  probe: JpegProbeGolden | { error: string };
  decode: Record<'1' | '2' | '4' | '8', JpegDecodeGolden | { error: string }>;
  oriented?: { width: number; height: number; sha256: string };
}

/** Where a golden's file is; undefined when it is not on this machine (scikit-image's). */
export function jpegPath(name: string): string | undefined {
  const [group, file] = name.split('/') as [string, string];
  const path = group === 'corpus' ? new URL(`test/fixtures/jpeg/corpus/${file}`, ROOT).pathname
    : group === 'photos' ? new URL(`bench/fixtures/photos/${file}`, ROOT).pathname
      : `/usr/lib/python3/dist-packages/skimage/data/${file}`;
  return existsSync(path) ? path : undefined;
}

export function loadJpegGoldens(): JpegFileGolden[] {
  const manifest = JSON.parse(readFileSync(new URL('jpeg-decode.json', GOLDENS), 'utf8'));
  const blob = gunzipSync(readFileSync(new URL(manifest.pixels.file, GOLDENS)));
  expect(blob.length).toBe(manifest.pixels.length);
  expect(sha256(blob)).toBe(manifest.pixels.sha256);
  return Object.entries(manifest.files).map(([name, entry]) => {
    const file = entry as JpegFileGolden;
    for (const result of Object.values(file.decode) as Array<JpegDecodeGolden & { offset?: number; length?: number }>) {
      if (result.offset !== undefined) result.pixels = blob.subarray(result.offset, result.offset + result.length!);
    }
    return { ...file, name };
  });
}

/** The corpus files, for seeds of the fuzzer (test/fixtures/jpeg/corpus.json). */
export function jpegCorpus(): string[] {
  const names: string[] = JSON.parse(readFileSync(new URL('test/fixtures/jpeg/corpus.json', ROOT), 'utf8'));
  return names.map((n) => new URL(`test/fixtures/jpeg/corpus/${n}`, ROOT).pathname);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Expects `image` to be Pillow's decode, and says where it differs when it is not. */
export function expectDecode(what: string, image: Image, golden: JpegDecodeGolden): void {
  expect([image.mode, image.width, image.height], `${what}: mode and size`).toEqual([golden.mode, golden.width, golden.height]);
  const pixels = image.toPixels();
  const hash = sha256(pixels);
  if (hash === golden.sha256) return;
  let where = '';
  if (golden.pixels) {
    const bands = golden.mode === 'L' ? 1 : 3;
    let count = 0, first = -1;
    for (let i = 0; i < pixels.length; i++) if (pixels[i] !== golden.pixels[i]) { count++; if (first < 0) first = i; }
    const pixel = Math.floor(first / bands);
    where = ` (${count} samples differ, first at x=${pixel % golden.width} y=${Math.floor(pixel / golden.width)} band ${first % bands}: ${pixels[first]} instead of ${golden.pixels[first]})`;
  }
  expect.fail(`${what}: the pixels differ from Pillow's${where}`);
}

/** What arena.stats() says about memory held, to compare before and after a call. */
export function held(arena: Arena) {
  const s = arena.stats();
  return { bytesInUse: s.bytesInUse, blocksInUse: s.blocksInUse, imagesLive: s.imagesLive };
}
