// The CLI's work inside a pool worker: read one file, make its thumbnail, encode it, and
// hand the bytes back for the main thread to write. A file that cannot be made into a
// thumbnail is an answer, not an exception (so that its code crosses the thread intact),
// except ARENA_FULL: thrown, it makes the pool run the job again once memory is released.

import { open } from 'node:fs/promises';
import type { TaskContext } from '../pool/worker.js';
import type { Format } from '../codecs/codecs.js';
import type { Filter } from '../kernels/resize.js';
import { limitExceeded } from '../errors.js';
import type { Arena, Block } from '../arena.js';
import { planThumbnail, runThumbnail, type Fit } from '../thumbnail.js';

export interface ThumbnailJob {
  input: string;
  /** Output format; undefined: the input's own. */
  format: Format | undefined;
  width: number;
  height: number;
  fit: Fit;
  filter: Filter;
  quality: number;
}

export type ThumbnailAnswer =
  | { ok: true; format: Format; bytes: Uint8Array; width: number; height: number; pixels: number }
  | { ok: false; code: string; message: string };

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The most one read asks for. */
const READ_PART = 1 << 30;

/** The file, read straight into a block of the arena (no copy on the way to the decoder). */
interface FileInArena {
  block: Block;
  length: number;
}

/**
 * Reads `path` into a new arena block. A file larger than the arena could ever hold is
 * LIMIT_EXCEEDED at once; ARENA_FULL (thrown) waits for memory like any other job.
 */
async function readIntoArena(arena: Arena, path: string): Promise<FileInArena> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    // An empty file gives a block of one byte that holds nothing: the probe says so (length 0).
    const bytesMax = bytesMaxOf(arena);
    if (size > bytesMax * IMAGE_SHARE) {
      throw limitExceeded('thumbs', `the file has ${mib(size)}, more than ${imageLimit(bytesMax)}`);
    }
    const block = arena.alloc(Math.max(size, 1));
    try {
      const view = arena.view(block);
      let length = 0;
      while (length < size) {
        // One read takes at most 2^31 - 1 bytes: a larger file is read in parts.
        const part = Math.min(size - length, READ_PART);
        const { bytesRead } = await file.read(view.subarray(length, length + part), 0, part, length);
        if (bytesRead === 0) break; // the file shrank meanwhile: what was read is the file
        length += bytesRead;
      }
      return { block, length };
    } catch (error) {
      arena.free(block);
      throw error;
    }
  } finally {
    await file.close();
  }
}

export async function thumbnail(job: ThumbnailJob, { arena }: TaskContext): Promise<ThumbnailAnswer> {
  let file: FileInArena;
  try {
    file = await readIntoArena(arena, job.input);
  } catch (error) {
    if (codeOf(error) === 'ARENA_FULL') throw error;
    return { ok: false, code: codeOf(error), message: messageOf(error) };
  }
  try {
    const { block, length } = file;
    const info = arena.probe(block, { length });
    const plan = planThumbnail(info, job);
    // Memory that another job's release could give back is worth waiting for; memory the
    // arena can never hold is not.
    const bytesMax = bytesMaxOf(arena);
    if (plan.bytesNeeded + length > bytesMax * IMAGE_SHARE) {
      throw limitExceeded('thumbs',
        `a ${info.width}×${info.height} ${info.format.toUpperCase()} needs about ${mib(plan.bytesNeeded + length)} of arena memory, more than ${imageLimit(bytesMax)}`);
    }
    const format = job.format ?? info.format;
    let image = runThumbnail(arena, block, plan, job.filter, length);
    try {
      // JPEG has no alpha: it is dropped, as Pillow's convert('RGB') / convert('L') drops it.
      if (format === 'jpeg' && (image.mode === 'RGBA' || image.mode === 'LA')) {
        const opaque = image.convert(image.mode === 'RGBA' ? 'RGB' : 'L');
        image.release();
        image = opaque;
      }
      const encoded = image.encode(format, format === 'jpeg' ? { quality: job.quality } : undefined);
      return { ok: true, format, bytes: encoded, width: image.width, height: image.height, pixels: info.width * info.height };
    } finally {
      image.release();
    }
  } catch (error) {
    if (codeOf(error) === 'ARENA_FULL') throw error;
    return { ok: false, code: codeOf(error), message: messageOf(error) };
  } finally {
    arena.free(file.block);
  }
}

/** The arena's size, read once per worker (stats() sums every thread's counters). */
const sizes = new WeakMap<Arena, number>();
function bytesMaxOf(arena: Arena): number {
  let bytes = sizes.get(arena);
  if (bytes === undefined) sizes.set(arena, bytes = arena.stats().bytesMax);
  return bytes;
}

/** MiB to one decimal, rounded up (a need) or down (`round` Math.floor: a bound). */
function mib(bytes: number, round: (x: number) => number = Math.ceil): string {
  const tenths = round(bytes / 2 ** 20 * 10);
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)} MiB`;
}

/**
 * The share of the arena one image may plan for: the rest is for the arena's own pages
 * (records, small blocks) and the slack of whole-page blocks.
 */
const IMAGE_SHARE = 0.9;

/** The bound an image's memory is held to, in words. */
function imageLimit(bytesMax: number): string {
  return `the ${mib(bytesMax * IMAGE_SHARE, Math.floor)} one image may take (nine tenths of --max-memory ${mib(bytesMax)})`;
}
