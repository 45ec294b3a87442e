// The CLI's work inside a pool worker: read one file, make its thumbnail, encode it, and
// hand the bytes back for the main thread to write. A file that cannot be made into a
// thumbnail is an answer, not an exception (so that its code crosses the thread intact),
// except ARENA_FULL: thrown, it makes the pool run the job again once memory is released.

import { readFile } from 'node:fs/promises';
import type { TaskContext } from '../pool/worker.js';
import type { Format } from '../codecs/codecs.js';
import type { Filter } from '../kernels/resize.js';
import { limitExceeded } from '../errors.js';
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

export async function thumbnail(job: ThumbnailJob, { arena }: TaskContext): Promise<ThumbnailAnswer> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(job.input);
  } catch (error) {
    return { ok: false, code: codeOf(error), message: messageOf(error) };
  }
  try {
    const info = arena.probe(bytes);
    const plan = planThumbnail(info, job);
    // Memory that another job's release could give back is worth waiting for; memory the
    // arena can never hold is not.
    const bytesMax = bytesMaxOf(arena);
    if (plan.bytesNeeded + bytes.length > bytesMax * 0.9) {
      throw limitExceeded('thumbs',
        `a ${info.width}×${info.height} ${info.format.toUpperCase()} needs about ${mib(plan.bytesNeeded + bytes.length)} of arena memory, more than --max-memory ${mib(bytesMax)} allows`);
    }
    const format = job.format ?? info.format;
    let image = runThumbnail(arena, bytes, plan, job.filter);
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
  }
}

/** The arena's size, read once per worker (stats() sums every thread's counters). */
const sizes = new WeakMap<TaskContext['arena'], number>();
function bytesMaxOf(arena: TaskContext['arena']): number {
  let bytes = sizes.get(arena);
  if (bytes === undefined) sizes.set(arena, bytes = arena.stats().bytesMax);
  return bytes;
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)} MiB`;
}
