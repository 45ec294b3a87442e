// The options of a pool and of each call, checked once at the edge, with their defaults.

import type { Arena } from '../arena.js';
import { invalid } from '../errors.js';
import type { Runtime, WorkerLimits } from '../runtime/runtime.js';
import { MAX_ATTACHMENTS } from '../layout.js';
import * as check from '../validate.js';

/** Options of {@link Pool.create}. */
export interface PoolOptions {
  /** The arena the workers attach to; it must be shared. */
  arena: Arena;
  /** Number of workers. Default: the number of cores (navigator.hardwareConcurrency / os.availableParallelism). */
  workers?: number;
  /** A module whose exported functions are the tasks of {@link Pool.run}: a path or URL. */
  tasks?: string | URL;
  /**
   * Jobs that may wait for a worker. A call that would have to wait while the queue already
   * holds this many is refused with LIMIT_EXCEEDED; a call that an idle worker takes at once
   * never waits, so `maxQueue: 0` runs jobs only on idle workers. A band-parallel kernel is
   * checked as one call. Default: no limit.
   */
  maxQueue?: number;
  /**
   * How long a job that hit ARENA_FULL keeps waiting for memory before it fails, in ms.
   * A request larger than the whole arena fails at once. Default 30000.
   */
  memoryTimeout?: number;
  /**
   * How long jobs that hit ARENA_FULL keep waiting while no job runs, so that only the
   * caller's own code could release memory, in ms (at most memoryTimeout). Default: memoryTimeout.
   * A caller that holds no arena memory of its own sets 0: such a job then fails at once
   * (its memory is taken, or split by blocks that stay) instead of waiting for nothing.
   */
  idleMemoryTimeout?: number;
  /** How long a running job whose signal fired may take to stop before its worker is terminated, in ms. Default 1000. */
  abortGrace?: number;
  /**
   * JavaScript heap limits of each worker (Node only; other runtimes ignore them), each a
   * positive number of megabytes: a worker that exceeds them dies and is replaced.
   */
  resourceLimits?: WorkerLimits;
  /**
   * When {@link Pool.create} resolves: 'all' (default) once every worker is ready, so that
   * a worker that cannot start fails the create; 'first' once one is, the others taking
   * jobs as they become ready (a worker that then fails to start is replaced, as one that
   * dies; after three failures in a row its place stays empty, and jobs fail with
   * WORKER_FAILED only when no worker is ready).
   */
  waitFor?: 'all' | 'first';
}

/** Options every pool method takes. */
export interface JobOptions {
  /** Aborts the call: before it starts, nothing is shared; while it runs, it rejects with ABORTED and releases what it took. */
  signal?: AbortSignal;
}

/** The options of a pool with every default filled in. */
export interface ResolvedOptions {
  readonly workers: number;
  readonly maxQueue: number;
  readonly memoryTimeout: number;
  readonly idleMemoryTimeout: number;
  readonly abortGrace: number;
  /** The tasks module as a URL string the workers import, or undefined. */
  readonly tasks: string | undefined;
  readonly resourceLimits: WorkerLimits | undefined;
  readonly waitFor: 'all' | 'first';
}

/** Most workers one pool starts: each takes an attachment slot, and the pool's own thread one. */
export const MAX_WORKERS = MAX_ATTACHMENTS - 1;
/** How long a job waits for arena memory by default, in ms. */
export const DEFAULT_MEMORY_TIMEOUT = 30_000;
/** How long an aborted job may take to stop by default, in ms. */
export const DEFAULT_ABORT_GRACE = 1000;
const WAIT_FOR = ['all', 'first'] as const;
/** The keys of Node's worker resourceLimits. */
const LIMIT_NAMES = ['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'] as const;
/** Smallest worker stack accepted, in MB: with much less Node cannot start the worker, and below 0.2 MB it ends the whole process. */
const MIN_STACK_MB = 1;

/** Checks the options of Pool.create (the arena aside) and fills in the defaults. */
export function resolveOptions(o: Partial<PoolOptions>, host: Runtime): ResolvedOptions {
  const workers = o.workers === undefined ? host.cores() : check.integer('options.workers', o.workers, 1, MAX_WORKERS);
  const maxQueue = o.maxQueue === undefined ? Infinity : check.integer('options.maxQueue', o.maxQueue, 0, Number.MAX_SAFE_INTEGER);
  const memoryTimeout = o.memoryTimeout === undefined ? DEFAULT_MEMORY_TIMEOUT : check.finite('options.memoryTimeout', o.memoryTimeout, 0);
  const idleMemoryTimeout = o.idleMemoryTimeout === undefined ? memoryTimeout
    : Math.min(memoryTimeout, check.finite('options.idleMemoryTimeout', o.idleMemoryTimeout, 0));
  const abortGrace = o.abortGrace === undefined ? DEFAULT_ABORT_GRACE : check.finite('options.abortGrace', o.abortGrace, 0);
  if (o.tasks !== undefined && typeof o.tasks !== 'string' && !(o.tasks instanceof URL)) {
    throw invalid('options.tasks', 'string or URL', o.tasks);
  }
  const resourceLimits = checkLimits(o.resourceLimits);
  const waitFor = o.waitFor === undefined ? 'all' : check.oneOf('options.waitFor', o.waitFor, WAIT_FOR);
  return {
    workers, maxQueue, memoryTimeout, idleMemoryTimeout, abortGrace, resourceLimits, waitFor,
    tasks: o.tasks === undefined ? undefined : host.resolveTasks(o.tasks),
  };
}

/** Worker heap limits: known names only, each a positive finite number of megabytes. */
function checkLimits(value: unknown): WorkerLimits | undefined {
  if (value === undefined) return undefined;
  const o = check.options<WorkerLimits>('options.resourceLimits', value);
  const limits: Record<string, number> = {};
  for (const [name, amount] of Object.entries(o)) {
    check.oneOf('a key of options.resourceLimits', name, LIMIT_NAMES);
    if (amount === undefined) continue;
    const least = name === 'stackSizeMb' ? MIN_STACK_MB : 0;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || (least > 0 ? amount < least : amount <= 0)) {
      throw invalid(`options.resourceLimits.${name}`, least > 0 ? `finite number of megabytes, at least ${least}` : 'positive finite number (megabytes)', amount);
    }
    limits[name] = amount;
  }
  return limits;
}

/** The signal of a method's options, checked at the edge. */
export function signalOf(options: unknown): AbortSignal | undefined {
  const o = check.options<JobOptions>('options', options);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw invalid('options.signal', 'AbortSignal', o.signal);
  return o.signal;
}
