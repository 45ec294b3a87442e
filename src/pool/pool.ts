// The Pool: workers attached to one arena, to which images go as handles and from which
// results come back as handles; no pixel is copied between threads. This file is the
// public class; the parts are:
//
//   options.ts     options and their defaults
//   scheduler.ts   the queue, and sending jobs to idle workers
//   supervisor.ts  workers: start, death, reclaim, replacement, close
//   memory.ts      jobs that ran out of arena memory wait and run again
//   aborts.ts      signals: before a job starts, and while it runs
//   bands.ts       a kernel's plan split into bands across the workers
//   jobs.ts        what a job is, and how it ends
//   marshal.ts     Images inside task arguments and results, as handles
//   protocol.ts    the messages between pool and workers; worker.ts the worker side
//
// A job holds references of its own to its images, and shares them afresh for each
// attempt: the handles of an attempt are used up by the worker that adopts them.

import type { Arena } from '../arena.js';
import { closed, expectedFor, unsupported } from '../errors.js';
import { wrapImage, type Image } from '../image.js';
import { coreOf, createReference, imageAddress, isImage, rowAddress } from '../state.js';
import { FILL_NONE, type Mode } from '../layout.js';
import { runtime } from '../runtime/runtime.js';
import * as check from '../validate.js';
import type { Box, Point } from '../validate.js';
import { planKernel, type KernelArgs, type KernelName } from '../kernels/table.js';
import type { ResizeOptions } from '../kernels/resize.js';
import type { TransposeMethod } from '../kernels/geometry.js';
import { decodeRequest, encodeRequest, type DecodeOptions, type EncodeOptions, type Format } from '../codecs/codecs.js';
import { abortError } from './aborts.js';
import { runPlanInBands } from './bands.js';
import { adoptResult, hold, releaseQuietly } from './jobs.js';
import { checkImages, encode } from './marshal.js';
import { resolveOptions, signalOf, type JobOptions, type PoolOptions } from './options.js';
import { Scheduler } from './scheduler.js';
import { Supervisor } from './supervisor.js';

export type { JobOptions, PoolOptions } from './options.js';

/**
 * Workers over one arena.
 *
 * @example
 * const pool = await Pool.create({ arena, workers: 4, tasks: new URL('./tasks.js', import.meta.url) });
 * const thumbnail = await pool.resize(photo, 256, 171, { filter: 'lanczos' });
 * const stats = await pool.run('histogram', { image: photo });
 * await pool.close();
 */
export class Pool {
  readonly arena: Arena;
  readonly #scheduler: Scheduler;
  readonly #supervisor: Supervisor;
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(arena: Arena, scheduler: Scheduler, supervisor: Supervisor) {
    this.arena = arena;
    this.#scheduler = scheduler;
    this.#supervisor = supervisor;
  }

  /**
   * Starts the workers and waits until all have attached to the arena (or the first,
   * with `waitFor: 'first'`).
   * @throws {ArenaError} INVALID_ARGUMENT for a bad option; UNSUPPORTED where the runtime
   *   has no workers or the arena is not shared; WORKER_FAILED when a worker cannot start
   *   (for example, the tasks module does not load).
   */
  static async create(options: PoolOptions): Promise<Pool> {
    const o = check.options<PoolOptions>('options', options);
    if (o.arena === undefined || o.arena === null || typeof o.arena !== 'object' || typeof (o.arena as Arena).alloc !== 'function') {
      throw check.invalid('options.arena', 'Arena', o.arena);
    }
    const host = runtime();
    const resolved = resolveOptions(o, host);
    if (host.spawnPoolWorker === undefined) throw unsupported('Pool', `this runtime (${host.name}) has no workers`);
    o.arena.shared; // throws UNSUPPORTED for an arena whose memory is not shared
    if (!host.exitMeansStopped && !o.arena.tracksCalls) {
      // A terminated worker runs on for a moment here: without tracked calls, what it held
      // could be reclaimed while it still uses it.
      throw expectedFor('options.arena', `an arena that tracks calls in this runtime (${host.name}), whose terminated workers run on for a moment (create it with trackCalls left to its default, or true)`, 'one created with trackCalls: false', 'Pool.create');
    }
    const scheduler = new Scheduler(o.arena, resolved);
    const supervisor = new Supervisor(o.arena, resolved, scheduler);
    scheduler.supervisor = supervisor;
    try {
      await supervisor.start();
    } catch (error) {
      await supervisor.terminate();
      throw error;
    }
    return new Pool(o.arena, scheduler, supervisor);
  }

  /**
   * Starts the threads of a pool before its arena exists. A Node.js worker thread takes
   * tens of milliseconds to boot and load its modules; started first, that overlaps
   * whatever the caller does next (create the arena, read the input). The next
   * {@link Pool.create} with the same `tasks` and `resourceLimits` takes them, up to its
   * `workers`, and starts the rest as usual. Calls top the waiting threads of the same
   * tasks and limits up to `workers` (they do not add up). Threads no pool has taken never
   * keep the process alive, and end after a minute. Returns how many threads were started:
   * 0 in runtimes where a worker cannot wait unreferenced (browsers, Deno, Bun), where
   * Pool.create starts them all.
   * @throws {ArenaError} INVALID_ARGUMENT for a bad option.
   * @example
   * Pool.prestart({ workers: 4, tasks: new URL('./tasks.js', import.meta.url) });
   * const arena = await Arena.create({ maxBytes: 512 * 2 ** 20 });
   * const pool = await Pool.create({ arena, workers: 4, tasks: new URL('./tasks.js', import.meta.url) });
   */
  static prestart(options: Omit<PoolOptions, 'arena'>): number {
    const o = check.options<Omit<PoolOptions, 'arena'>>('options', options);
    const host = runtime();
    const resolved = resolveOptions(o, host);
    if (host.prestartPoolWorkers === undefined) return 0;
    return host.prestartPoolWorkers(resolved.workers, resolved.tasks, resolved.resourceLimits);
  }

  /** Workers alive now. */
  get size(): number {
    return this.#supervisor.alive;
  }

  // ── user tasks ────────────────────────────────────────────────────────────────

  /**
   * Runs task `task` of the tasks module in a worker, as `fn(args, { arena, signal })`
   * (sync or async). Images anywhere in `args` reach the task as Images (its references to
   * them go when it settles); Images in the result come back as Images the caller owns.
   * The caller may release its own Images once `run` has returned its promise.
   * @throws {ArenaError} (rejects) INVALID_ARGUMENT for a bad task name or option, an Image
   *   of another arena in `args` (the message names where), a cycle, or a value that
   *   cannot be cloned; INVALID_HANDLE for a released Image in `args`, or a closed pool;
   *   ABORTED when `signal` fires (at once if it had fired already, and then nothing is
   *   shared); WORKER_FAILED when the worker dies; LIMIT_EXCEEDED when the queue is full;
   *   ARENA_FULL after waiting memoryTimeout for memory, or at once for a request larger
   *   than the arena; the task's own errors, rebuilt.
   * @example const { width } = await pool.run('measure', { image }, { signal: AbortSignal.timeout(5000) });
   */
  async run<T = unknown>(task: string, args?: unknown, options?: JobOptions): Promise<T> {
    if (typeof task !== 'string' || task === '') throw check.invalid('task', 'name of a function of the tasks module', task);
    const what = `run('${task}')`;
    this.#checkOpen(what);
    const signal = signalOf(options);
    this.#scheduler.checkQueue(what);
    const images = checkImages(args, this.arena, 'args', what);
    if (signal?.aborted) throw abortError(what, signal, true);
    const held: Image[] = [];
    try {
      const template = images.length === 0 ? args : await this.#hold(what, args, held, signal);
      return await this.#scheduler.enqueue(what, (handles) => ({
        type: 'task', task, args: images.length === 0 ? args : encode(template, handles),
      }), signal, (result) => adoptResult(this.arena, result)) as T;
    } catch (error) {
      throw this.#failure(what, error);
    } finally {
      releaseQuietly(held);
    }
  }

  // ── codecs ────────────────────────────────────────────────────────────────────

  /**
   * `arena.decode(bytes, options)` in a worker: the bytes are copied into the arena once,
   * and the decoded image comes back as an Image the caller owns.
   * @throws {ArenaError} (rejects) as Arena.decode, and as {@link Pool.run}.
   * @example const photo = await pool.decode(await readFile('photo.jpg'), { reduce: 2 });
   */
  async decode(bytes: Uint8Array, options?: DecodeOptions & JobOptions): Promise<Image> {
    const what = 'decode()';
    this.#checkOpen(what);
    const signal = signalOf(options);
    const request = decodeRequest(this.arena, bytes, options);
    this.#scheduler.checkQueue(what);
    if (signal?.aborted) throw abortError(what, signal, true);
    // The compressed bytes as an L image of one row: the worker holds its own reference
    // while it reads them, so nothing it reads can be freed under it.
    const core = coreOf(this.arena);
    const input = wrapImage(this.arena, await this.#scheduler.whenMemory(what, signal,
      () => createReference(core, 'L', bytes.length, 1, { kind: FILL_NONE, value: 0 }, `decode(${request.format})`)));
    try {
      core.bytes(rowAddress(core, imageAddress(input, what), 0), bytes.length).set(bytes);
      return await this.#scheduler.enqueue(what, (handles) => {
        const handle = input.share();
        handles.push(handle);
        return { type: 'decode', input: handle, length: bytes.length, request };
      }, signal, (result) => adoptResult(this.arena, result)) as Image;
    } catch (error) {
      throw this.#failure(what, error);
    } finally {
      releaseQuietly([input]);
    }
  }

  /**
   * `image.encode(format, options)` in a worker; the file's bytes come back without a copy.
   * @throws {ArenaError} (rejects) as Image.encode, and as {@link Pool.run}.
   * @example await writeFile('thumb.jpg', await pool.encode(thumbnail, 'jpeg', { quality: 80 }));
   */
  async encode(image: Image, format: Format, options?: EncodeOptions & JobOptions): Promise<Uint8Array> {
    const what = `encode(${typeof format === 'string' ? format : ''})`;
    this.#checkOpen(what);
    this.#checkImage(image, 'encode');
    const signal = signalOf(options);
    const request = encodeRequest(format, options);
    this.#scheduler.checkQueue(what);
    if (signal?.aborted) throw abortError(what, signal, true);
    const held: Image[] = [];
    try {
      const own = await this.#hold(what, image, held, signal) as Image;
      const result = await this.#scheduler.enqueue(what, (handles) => {
        const handle = own.share();
        handles.push(handle);
        return { type: 'encode', image: handle, request };
      }, signal);
      return result as Uint8Array;
    } catch (error) {
      throw this.#failure(what, error);
    } finally {
      releaseQuietly(held);
    }
  }

  // ── band-parallel kernels ─────────────────────────────────────────────────────

  /**
   * Runs kernel `name` of the table with every step of its plan split into bands across
   * the workers. Arguments are checked at the edge, in order: the pool, the image, the
   * options, the kernel's own (by its planner), the queue, then the signal.
   */
  async #kernel<K extends KernelName>(name: K, image: Image, args: KernelArgs<K>, options: unknown): Promise<Image> {
    const what = `${name}()`;
    this.#checkOpen(what);
    this.#checkImage(image, name);
    const signal = signalOf(options);
    const plan = planKernel(name, image, args);
    this.#scheduler.checkQueue(what);
    if (signal?.aborted) throw abortError(what, signal, true);
    // Our own references to the inputs: the caller may release theirs while the bands run.
    const held: Image[] = [];
    try {
      const inputs = await this.#hold(what, plan.inputs, held, signal) as Image[];
      const output = await runPlanInBands({ ...plan, inputs }, this.#supervisor.workers.length, name, this.#scheduler, signal);
      return wrapImage(this.arena, output);
    } catch (error) {
      throw this.#failure(what, error);
    } finally {
      releaseQuietly(held);
    }
  }

  /**
   * `image.resize(width, height, options)` split across the workers by output rows: the
   * same bytes, each worker computing its own band in place in the shared output.
   * @throws {ArenaError} (rejects) as Image.resize; INVALID_ARGUMENT for an image of another
   *   arena or a bad signal; LIMIT_EXCEEDED when the queue is full; WORKER_FAILED; ABORTED.
   * @example const small = await pool.resize(photo, 1000, 750, { filter: 'lanczos' });
   */
  resize(image: Image, width: number, height: number, options?: ResizeOptions & JobOptions): Promise<Image> {
    return this.#kernel('resize', image, [width, height, options], options);
  }

  /** `image.transpose(method)` split across the workers. @throws {ArenaError} (rejects) as Image.transpose, and as {@link Pool.resize}. */
  transpose(image: Image, method: TransposeMethod, options?: JobOptions): Promise<Image> {
    return this.#kernel('transpose', image, [method], options);
  }

  /** `image.crop(box)` split across the workers. @throws {ArenaError} (rejects) as Image.crop, and as {@link Pool.resize}. */
  crop(image: Image, box: Box, options?: JobOptions): Promise<Image> {
    return this.#kernel('crop', image, [box], options);
  }

  /**
   * `image.convert(mode)` split across the workers by rows.
   * @throws {ArenaError} (rejects) as Image.convert, and as {@link Pool.resize}.
   * @example const grey = await pool.convert(photo, 'L');
   */
  convert(image: Image, mode: Mode, options?: JobOptions): Promise<Image> {
    return this.#kernel('convert', image, [mode], options);
  }

  /**
   * `image.reduce(factor, box)` split across the workers by output rows.
   * @throws {ArenaError} (rejects) as Image.reduce, and as {@link Pool.resize}.
   * @example const quarter = await pool.reduce(photo, 4);
   */
  reduce(image: Image, factor: number | [number, number], box?: Box, options?: JobOptions): Promise<Image> {
    return this.#kernel('reduce', image, [factor, box], options);
  }

  /**
   * `image.boxBlur(radius)` split across the workers: rows, then columns.
   * @throws {ArenaError} (rejects) as Image.boxBlur, and as {@link Pool.resize}.
   * @example const soft = await pool.boxBlur(photo, 3);
   */
  boxBlur(image: Image, radius: number, options?: JobOptions): Promise<Image> {
    return this.#kernel('boxBlur', image, [radius], options);
  }

  /**
   * `image.gaussianBlur(radius)` split across the workers: rows, then columns.
   * @throws {ArenaError} (rejects) as Image.gaussianBlur, and as {@link Pool.resize}.
   * @example const background = await pool.gaussianBlur(photo, 10);
   */
  gaussianBlur(image: Image, radius?: number, options?: JobOptions): Promise<Image> {
    return this.#kernel('gaussianBlur', image, [radius], options);
  }

  /** `image.alphaComposite(over, dest, source)` split across the workers by rows. @throws {ArenaError} (rejects) as Image.alphaComposite, and as {@link Pool.resize}. */
  alphaComposite(image: Image, over: Image, dest?: Point, source?: Point | Box, options?: JobOptions): Promise<Image> {
    return this.#kernel('alphaComposite', image, [over, dest, source], options);
  }

  /** `image.paste(source, box, mask)` split across the workers by rows. @throws {ArenaError} (rejects) as Image.paste, and as {@link Pool.resize}. */
  paste(image: Image, source: Image | number | number[], box?: Point | Box, mask?: Image, options?: JobOptions): Promise<Image> {
    return this.#kernel('paste', image, [source, box, mask], options);
  }

  /**
   * References of the pool's own to the Images in `value` (see jobs.ts `hold`), waiting for
   * memory when there is no room for them yet.
   */
  #hold(what: string, value: unknown, held: Image[], signal: AbortSignal | undefined): Promise<unknown> {
    return this.#scheduler.whenMemory(what, signal, () => hold(this.arena, value, held));
  }

  // ── checks ────────────────────────────────────────────────────────────────────

  /**
   * The error a call ends with: a handle or image refused because this thread closed the
   * pool's arena meanwhile says so, for the call (a worker's death still says that).
   */
  #failure(what: string, error: unknown): unknown {
    // A call on this thread's detached core reads no error of its own (any code may come
    // back): when the arena was closed meanwhile, that is what the caller needs to hear.
    const code = (error as { code?: string } | undefined)?.code;
    if (code === undefined || code === 'ABORTED' || code === 'WORKER_FAILED') return error;
    try {
      coreOf(this.arena);
      return error;
    } catch {
      return closed(what, 'the pool\'s arena was closed in this thread while the call ran');
    }
  }

  /** A call is refused on a closed pool, or when its arena was closed in this thread. */
  #checkOpen(what: string): void {
    if (this.#closing) throw closed(what, 'the pool is closed');
    try {
      coreOf(this.arena);
    } catch {
      throw closed(what, 'the pool\'s arena was closed in this thread');
    }
  }

  #checkImage(image: Image, name: string): void {
    if (!isImage(image)) throw check.invalid('image', 'Image', image);
    if (image.arena !== this.arena) {
      throw expectedFor('image', "an Image of the pool's arena", 'an Image of another arena', `${name}()`);
    }
    imageAddress(image, `${name}()`);
  }

  // ── closing ───────────────────────────────────────────────────────────────────

  /**
   * Lets queued and running jobs finish, then ends the workers (they detach from the
   * arena). Settles in any order with `arena.close()`: jobs that no worker is left to run fail.
   */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.#closing = true;
    this.#supervisor.stopReplacing();
    while (this.#scheduler.busy) {
      this.#scheduler.dispatch();
      await new Promise((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
    }
    // Workers terminated earlier (aborts, deaths) are reclaimed before close() settles.
    await this.#supervisor.close();
  }
}

/** How often close() looks whether the last jobs have finished, in ms. */
const CLOSE_POLL_MS = 5;
