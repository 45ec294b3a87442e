// How long a file's thumbnail will take, roughly, from what its first bytes say: the
// CLI hands out the longest jobs first, so that the workers finish together. And whether
// its decode holds the whole image in memory: such jobs side by side set the arena's peak,
// so no more than half the workers run them at once while a lighter job is left.
//
// The compressed size is a fair measure of a baseline JPEG (Huffman decoding reads every
// byte, and the scaled IDCT of a draft makes few pixels), but not of a progressive one:
// that decodes every coefficient of the whole image into memory in several passes
// whatever the draft, so a small progressive file may be the longest job of a folder.
// PNG and QOI decode every pixel at full size.

import type { Format } from '../codecs/codecs.js';

/** What a header says about the work of decoding it. */
export interface HeaderHint {
  width: number;
  height: number;
  /** JPEG progressive (or PNG interlaced): several passes over the whole image. */
  progressive: boolean;
}

const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

/** SOF markers: C0–CF but C4 (DHT), C8 (JPG) and CC (DAC); C2, C6, CA and CE are progressive. */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xC0 && marker <= 0xCF && marker !== 0xC4 && marker !== 0xC8 && marker !== 0xCC;
}

/**
 * The size and passes a file's first bytes name, or undefined when they do not say (cut
 * short, malformed: the decoder will tell what is wrong).
 */
export function headerHint(head: Uint8Array, format: Format | undefined): HeaderHint | undefined {
  if (format === 'png') {
    if (head.length < 29) return undefined;
    return { width: u32(head, 16), height: u32(head, 20), progressive: head[28] === 1 };
  }
  if (format === 'qoi') {
    if (head.length < 12) return undefined;
    return { width: u32(head, 4), height: u32(head, 8), progressive: false };
  }
  if (format !== 'jpeg') return undefined;
  let i = 2;
  while (i + 4 <= head.length) {
    if (head[i] !== 0xFF) return undefined;
    const marker = head[i + 1]!;
    if (marker === 0xFF) { i++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { i += 2; continue; }
    if (marker === 0xDA || marker === 0xD9) return undefined; // scan data before any frame header
    if (isFrameMarker(marker)) {
      if (i + 9 > head.length) return undefined;
      return { width: u16(head, i + 7), height: u16(head, i + 5), progressive: (marker & 0x03) === 0x02 };
    }
    i += 2 + u16(head, i + 2);
  }
  return undefined;
}

/**
 * The work of one thumbnail in milliseconds of one core, roughly (measured on the benchmark
 * photographs; only the order of files matters).
 */
export function workEstimate(size: number, format: Format | undefined, hint: HeaderHint | undefined): number {
  const megabytes = size / 1e6;
  const megapixels = hint === undefined ? 0 : (hint.width * hint.height) / 1e6;
  if (format === 'jpeg' || format === undefined) return 13 * megabytes + (hint?.progressive ? 12 * megapixels : 0);
  // PNG: inflate reads every byte, the filters and the resize touch every pixel.
  if (format === 'png') return 6 * megabytes + 8 * megapixels;
  return 4 * megapixels;
}

/**
 * Does decoding hold the whole image at full size, at least HEAVY_BYTES of it? A
 * progressive JPEG keeps every coefficient whatever the draft (two bytes a sample; one and
 * a half samples a pixel in the common 4:2:0 colour), PNG and QOI every pixel (four bytes);
 * a baseline JPEG decodes row by row into its draft, which the thumbnail's draft makes small.
 */
export function holdsWholeImage(format: Format | undefined, hint: HeaderHint | undefined): boolean {
  if (hint === undefined) return false;
  const pixels = hint.width * hint.height;
  if (format === 'jpeg') return hint.progressive && pixels * 3 >= HEAVY_BYTES;
  return (format === 'png' || format === 'qoi') && pixels * 4 >= HEAVY_BYTES;
}

/** A decode that holds this much at once is heavy (see holdsWholeImage). */
export const HEAVY_BYTES = 8 << 20;

/**
 * The order to hand out jobs in: the longest first, as `workers` workers would take them,
 * except that a heavy job does not start while half the workers (at least one) run heavy
 * ones if a light job is left: the longest of those goes instead. The runs are simulated
 * with the work estimates; with one worker this is the longest-first order.
 */
export function jobOrder<T extends { work: number; heavy: boolean }>(jobs: readonly T[], workers: number): T[] {
  const sorted = jobs.map((job, index) => ({ job, index })).sort((a, b) => b.job.work - a.job.work || a.index - b.index);
  if (workers <= 1) return sorted.map((entry) => entry.job);
  // Two queues, longest first, read from their heads.
  const heavy = sorted.filter((entry) => entry.job.heavy);
  const light = sorted.filter((entry) => !entry.job.heavy);
  let h = 0, l = 0;
  /** End times of the jobs running, and whether each is heavy (at most `workers`). */
  const running: Array<{ end: number; heavy: boolean }> = [];
  const heavyAtOnce = Math.max(1, Math.floor(workers / 2));
  const order: T[] = [];
  let now = 0;
  while (h < heavy.length || l < light.length) {
    if (running.length >= workers) {
      // The next worker to be free: the job that ends first leaves.
      let first = 0;
      for (let i = 1; i < running.length; i++) if (running[i]!.end < running[first]!.end) first = i;
      now = running[first]!.end;
      running.splice(first, 1);
    }
    let heavyRunning = 0;
    for (const r of running) if (r.heavy && r.end > now) heavyRunning++;
    // The longer of the two heads, by the order of `sorted` (work, then index).
    const nextHeavy = heavy[h], nextLight = light[l];
    let takeHeavy = nextLight === undefined || (nextHeavy !== undefined
      && (nextHeavy.job.work > nextLight.job.work || (nextHeavy.job.work === nextLight.job.work && nextHeavy.index < nextLight.index)));
    if (takeHeavy && heavyRunning >= heavyAtOnce && nextLight !== undefined) takeHeavy = false;
    const entry = takeHeavy ? heavy[h++]! : light[l++]!;
    order.push(entry.job);
    running.push({ end: now + entry.job.work, heavy: entry.job.heavy });
  }
  return order;
}
