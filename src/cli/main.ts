// `pixel-arena thumbs`: the main thread finds the images, sends one job per file to a pool
// of workers over one arena (src/cli/tasks.ts reads, decodes, resizes and encodes), and
// writes what comes back. The arena's size (--max-memory) bounds the memory images take;
// a job that finds it full waits for others to finish (the pool's back-pressure). A file
// that fails is reported with its code and skipped; the others go on.

import { rmSync } from 'node:fs';
import { lstat, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { Arena, Pool } from '../entry/node.js';
import type { Format } from '../codecs/codecs.js';
import { extensionOf } from '../thumbnail.js';
import { parseCommand, UsageError, USAGE, type ThumbsOptions } from './args.js';
import { findImages, formatOfName, type Found, type InputFile } from './walk.js';
import { jobOrder } from './work.js';
import { Progress, formatBytes, formatDuration, megapixelsPerSecond } from './progress.js';
import type { ThumbnailAnswer, ThumbnailJob } from './tasks.js';

declare const PIXEL_ARENA_VERSION: string;

export interface ThumbsReport {
  ok: Array<{ input: string; output: string; width: number; height: number }>;
  failed: Array<{ input: string; code: string; message: string }>;
  seconds: number;
  megapixelsPerSecond: number;
  peakBytes: number;
}

const TASKS = new URL('./cli-tasks.js', import.meta.url);

const workersOf = (options: ThumbsOptions) => options.workers ?? availableParallelism();

async function startPool(options: ThumbsOptions): Promise<{ arena: Arena; pool: Pool }> {
  // The worker threads boot while the arena is made and the folders are walked.
  const workers = workersOf(options);
  Pool.prestart({ workers, tasks: TASKS });
  const arena = await Arena.create({ maxBytes: options.maxBytes });
  try {
    // Jobs start on the first worker that is ready; the others join as they are.
    // The main thread holds no arena memory: a job that finds none while no other job runs
    // would wait for nothing (idleMemoryTimeout 0).
    return { arena, pool: await Pool.create({ arena, workers, tasks: TASKS, waitFor: 'first', idleMemoryTimeout: 0 }) };
  } catch (error) {
    arena.close();
    throw error;
  }
}

/**
 * Temporary files being written: a thumbnail is written beside its final name and renamed
 * onto it when whole, so that a failed or interrupted write leaves no broken file under the
 * name. An interrupt removes the ones in flight.
 */
const writing = new Set<string>();

function removeUnfinished(): void {
  for (const path of writing) rmSync(path, { force: true });
  writing.clear();
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    removeUnfinished();
    process.exit(status);
  });
}

// A reader that went away (EPIPE) or a full disk: the report cannot be written. Said once on
// stderr (not for EPIPE: the reader left on purpose), with exit status 1.
function stdoutFailed(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') process.stderr.write(`pixel-arena: cannot write to stdout: ${error.message}\n`);
  removeUnfinished();
  process.exit(1);
}
process.stdout.on('error', stdoutFailed);
// Progress and the summary on stderr are for a person watching: a stderr that cannot take
// them (a full disk) does not stop the run, whose outcome is in the files, the report on
// stdout and the exit status.
process.stderr.on('error', () => {});

class OutputConflict extends Error {
  readonly code = 'OUTPUT_CONFLICT';
}

/**
 * The thumbnails written so far, one at a time. Two outputs that the plan keeps apart can
 * still be one file: on a case-insensitive file system (`A.jpg`, `a.jpg`), with names in
 * two Unicode normalizations, or through a linked folder under --out. Each write looks at
 * the file it would replace first (the name itself: the rename replaces a link there, and
 * what it points to stays, unless that is an input); the writes queue up, so that none
 * runs between that look and the rename. A file is known by device:inode, which a file
 * system that gives one file another inode under each spelling (FAT through FUSE) defeats.
 */
class Writer {
  /** Every input file by device:inode (the walk's `looked`), each with its path. */
  readonly #inputs: Map<string, string>;
  /** Thumbnails written by this run, by device:inode, each with its input and path. */
  readonly #written = new Map<string, { input: string; output: string }>();
  #queue: Promise<unknown> = Promise.resolve();
  #temporaries = 0;

  constructor(inputs: Map<string, string>) {
    this.#inputs = inputs;
  }

  /**
   * Writes `bytes` as `output`, the thumbnail of `input`. A file already there that is one
   * of the inputs, or a thumbnail this run wrote, reached by another name, is left alone:
   * OutputConflict.
   */
  write(output: string, bytes: Uint8Array, input: string): Promise<void> {
    const done = this.#queue.then(() => this.#write(output, bytes, input));
    this.#queue = done.catch(() => {});
    return done;
  }

  async #write(output: string, bytes: Uint8Array, input: string): Promise<void> {
    const here = await lstat(output).catch(() => undefined);
    const id = here === undefined ? undefined : `${here.dev}:${here.ino}`;
    // A link there to an input is left alone too: replacing it would lose nothing, but
    // whoever put it there meant the input.
    const target = here?.isSymbolicLink() ? await fileId(output, true) : id;
    const other = (id === undefined ? undefined : this.#inputs.get(id)) ?? (target === undefined ? undefined : this.#inputs.get(target));
    if (other !== undefined) throw new OutputConflict(`its thumbnail would overwrite the input ${other} (${output} is the same file)`);
    const earlier = id === undefined ? undefined : this.#written.get(id);
    // Still there under its own name (not a number another process's file now has).
    if (earlier !== undefined && await fileId(earlier.output) === id) {
      throw new OutputConflict(`its thumbnail would replace that of ${earlier.input} (${output} is the same file as ${earlier.output})`);
    }
    // A short name: the output's name and more could pass the file system's limit.
    const temporary = join(dirname(output), `.pixel-arena-${process.pid}-${++this.#temporaries}.tmp`);
    writing.add(temporary);
    try {
      await writeFile(temporary, bytes);
      await rename(temporary, output);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => {});
      throw error;
    } finally {
      writing.delete(temporary);
    }
    const written = await fileId(output);
    if (written !== undefined) this.#written.set(written, { input, output });
  }
}

/** device:inode of the file named `path` (a link itself, or with `follow` what it points to), if any. */
async function fileId(path: string, follow = false): Promise<string | undefined> {
  const info = await (follow ? stat(path) : lstat(path)).catch(() => undefined);
  return info === undefined ? undefined : `${info.dev}:${info.ino}`;
}

/**
 * Each input's output path, or why it has none: a path two inputs would share goes to the
 * first only (also when one's thumbnail would be a file where another's needs a folder),
 * and no thumbnail is ever written over an input file (an image or not: every file the walk
 * looked at) or an input folder, nor needs a folder where an input file is. Paths are
 * compared resolved; the outputs keep the form of --out.
 */
function planOutputs(files: InputFile[], found: Found, out: string, format: Format | undefined): Map<InputFile, string | { conflict: string }> {
  const root = resolve(out);
  const inputs = new Set(found.looked.map((file) => resolve(file.path)));
  const inputFolders = new Set(found.folders);
  /** Accepted thumbnails (resolved), each with its input. */
  const owners = new Map<string, InputFile>();
  /** Folders below `out` that accepted thumbnails need (resolved), each with the first file that needs it. */
  const folders = new Map<string, InputFile>();
  const outputs = new Map<InputFile, string | { conflict: string }>();
  for (const file of files) {
    const target = format ?? file.format ?? formatOfName(file.path) ?? 'png';
    const { dir, name } = parse(file.relative);
    const output = join(out, dir, name + extensionOf(target));
    const at = resolve(root, dir, name + extensionOf(target));
    // The folders between the thumbnail and --out.
    const parents: string[] = [];
    for (let parent = dirname(at); parent.length > root.length && parent !== dirname(parent); parent = dirname(parent)) parents.push(parent);
    const fileAbove = parents.map((parent) => owners.get(parent)).find((f) => f !== undefined);
    const inputAbove = parents.find((parent) => inputs.has(parent));
    const owner = owners.get(at);
    const folderUser = folders.get(at);
    let conflict: string | undefined;
    if (inputs.has(at)) conflict = `its thumbnail would overwrite the input ${output}`;
    else if (inputFolders.has(at)) conflict = `its thumbnail would be written where the input folder ${output} is`;
    else if (inputAbove !== undefined) conflict = `its thumbnail needs a folder where the input ${inputAbove} is`;
    else if (owner) conflict = `its thumbnail would overwrite the one of ${owner.path}`;
    else if (fileAbove) conflict = `its thumbnail needs a folder where the thumbnail of ${fileAbove.path} goes`;
    else if (folderUser) conflict = `its thumbnail would be written where the thumbnail of ${folderUser.path} needs a folder`;
    if (conflict !== undefined) {
      outputs.set(file, { conflict });
      continue;
    }
    owners.set(at, file);
    for (const parent of parents) if (!folders.has(parent)) folders.set(parent, file);
    outputs.set(file, output);
  }
  return outputs;
}

async function thumbs(options: ThumbsOptions): Promise<number> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  // The workers start while the folders are walked.
  const starting = startPool(options);
  starting.catch(() => {});
  let found;
  try {
    found = await findImages(options.inputs, options.out);
  } catch (error) {
    // The workers would keep the process alive.
    const running = await starting.catch(() => undefined);
    await running?.pool.close();
    running?.arena.close();
    throw error;
  }
  const { files, failures: walkFailures } = found;
  const report: ThumbsReport = { ok: [], failed: [], seconds: 0, megapixelsPerSecond: 0, peakBytes: 0 };
  const progress = new Progress(process.stderr);
  // Inputs that failed while the folders were walked count among the finished ones.
  const counts = {
    done: 0, failed: 0, total: files.length + walkFailures.length, bytesDone: 0,
    bytesTotal: files.reduce((sum, file) => sum + file.size, 0), pixels: 0, seconds: 0,
  };
  for (const failure of walkFailures) {
    report.failed.push({ input: failure.path, code: failure.code, message: failure.message });
    counts.failed++;
    counts.seconds = seconds();
    progress.update(counts, `${failure.path}: ${failure.code} ${failure.message}`, true);
  }
  const results = new Array<ThumbsReport['ok'][number] | ThumbsReport['failed'][number] | undefined>(files.length);
  const outputs = planOutputs(files, found, options.out, options.format);
  const writer = new Writer(new Map(found.looked.filter((file) => file.id !== '').map((file) => [file.id, file.path])));
  let peakBytes = 0;

  const { arena, pool } = await starting;
  let answered = false;
  try {
    const folders = new Map<string, Promise<unknown>>();
    const makeFolder = (folder: string) => {
      let made = folders.get(folder);
      if (!made) folders.set(folder, made = mkdir(folder, { recursive: true }));
      return made;
    };

    const finish = (index: number, file: InputFile, outcome: { output: string; width: number; height: number; pixels: number } | { code: string; message: string }) => {
      counts.bytesDone += file.size;
      counts.seconds = seconds();
      if ('output' in outcome) {
        counts.done++;
        counts.pixels += outcome.pixels;
        results[index] = { input: file.path, output: outcome.output, width: outcome.width, height: outcome.height };
        progress.update(counts, `${file.path} -> ${outcome.output} ${outcome.width}x${outcome.height}`, false);
      } else {
        counts.failed++;
        results[index] = { input: file.path, code: outcome.code, message: outcome.message };
        progress.update(counts, `${file.path}: ${outcome.code} ${outcome.message}`, true);
      }
    };

    // The longest jobs first (work.ts): the last to finish are short ones, so no worker idles
    // long at the end; but no more than half the workers (at least one) run decodes that hold
    // whole images while a lighter job is left (side by side they set the arena's peak).
    const order = jobOrder(files.map((file, index) => ({ file, index, work: file.work, heavy: file.heavy })), workersOf(options));
    await Promise.all(order.map(async ({ file, index }) => {
      const output = outputs.get(file)!;
      if (typeof output !== 'string') {
        finish(index, file, { code: 'OUTPUT_CONFLICT', message: output.conflict });
        return;
      }
      const job: ThumbnailJob = {
        input: file.path, format: options.format ?? file.format,
        width: options.width, height: options.height, fit: options.fit, filter: options.filter, quality: options.quality,
      };
      let answer: ThumbnailAnswer;
      try {
        answer = await pool.run<ThumbnailAnswer>('thumbnail', job);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        answer = { ok: false, code: typeof code === 'string' ? code : 'ERROR', message: (error as Error).message };
        if (code === 'ARENA_FULL') answer.message += '; a larger --max-memory leaves room';
      }
      if (!answer.ok) {
        finish(index, file, answer);
        return;
      }
      try {
        await makeFolder(dirname(output));
        await writer.write(output, answer.bytes, file.path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        finish(index, file, { code: typeof code === 'string' ? code : 'ERROR', message: (error as Error).message });
        return;
      }
      finish(index, file, { output, width: answer.width, height: answer.height, pixels: answer.pixels });
    }));
    answered = true;
  } finally {
    peakBytes = arena.stats().peakBytesInUse;
    // Once every job has answered, the workers are idle and the process ends with them (see
    // the end of this file): closing them one by one first only delays the exit. A run
    // that stopped early closes them, so that none is left running.
    if (!answered) {
      await pool.close();
      arena.close();
    }
  }

  for (const result of results) {
    if (result === undefined) continue;
    if ('output' in result) report.ok.push(result);
    else report.failed.push(result);
  }
  progress.finish();
  report.seconds = Number(seconds().toFixed(3));
  report.megapixelsPerSecond = Number(megapixelsPerSecond(counts.pixels, report.seconds).toFixed(2));
  report.peakBytes = peakBytes;

  const summary = files.length === 0 && report.failed.length === 0
    ? 'no images found'
    : `${report.ok.length} thumbnail${report.ok.length === 1 ? '' : 's'} in ${options.out}, ${report.failed.length} failed;`
      + ` ${(counts.pixels / 1e6).toFixed(1)} MP at ${report.megapixelsPerSecond.toFixed(1)} MP/s;`
      + ` arena peak ${formatBytes(peakBytes)} of ${formatBytes(options.maxBytes)}; ${formatDuration(report.seconds)}`;
  if (options.json) {
    process.stderr.write(`${summary}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    process.stdout.write(`${summary}\n`);
  }
  return report.failed.length > 0 ? 1 : 0;
}

/**
 * --out names a folder that exists or one that can be made: anything else (a file, a link
 * to nothing, a path through a file) is a mistake of the command line, not a failure of
 * every input.
 */
async function checkOut(out: string): Promise<void> {
  let info;
  try {
    info = await stat(out);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const link = await lstat(out).catch(() => undefined);
    if (code === 'ENOENT' && link === undefined) return; // made when the first thumbnail is written
    throw new UsageError(`--out must name a folder, and ${out} cannot be one: ${link?.isSymbolicLink() && code === 'ENOENT' ? 'a symbolic link to nothing' : (error as Error).message}`);
  }
  if (!info.isDirectory()) throw new UsageError(`--out must name a folder, and ${out} is not one`);
}

/** Runs the command line `argv` (without node and the script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
    if (command.command === 'thumbs') await checkOut(command.out);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`pixel-arena: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  switch (command.command) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${PIXEL_ARENA_VERSION}\n`);
      return 0;
    case 'thumbs':
      return thumbs(command);
  }
}

let status: number;
try {
  status = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`pixel-arena: ${(error as Error)?.stack ?? String(error)}\n`);
  status = 1;
}
// The process ends as soon as stdout and stderr have taken what was written to them (a pipe
// may still hold it on some systems), ending the pool's idle workers with it. After a
// complete run every thumbnail is written and renamed by now; a run that stopped on an
// error may have left writes in flight, whose temporary files go. A failed stdout ends the
// process as its 'error' listener does (which may not have run yet).
let streams = 2;
const flushed = (stream: NodeJS.WriteStream) => (error?: Error | null) => {
  if (error && stream === process.stdout) stdoutFailed(process.stdout.errored ?? error);
  if (--streams > 0) return;
  removeUnfinished();
  process.exit(status);
};
process.stdout.write('', flushed(process.stdout));
process.stderr.write('', flushed(process.stderr));
