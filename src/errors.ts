// The one catalogue of errors. Every error the library raises is an ArenaError with a
// stable code, made by one of the factories below, so that a message reads the same
// wherever it comes from:
//
//   argument checks (sharp's form):  Expected <what> for <parameter> but received <value>
//   everything else:                 <operation>: <what happened>
//
// Errors that cross threads travel as { code, message, operation, stack } and are rebuilt
// here on the other side, still an ArenaError with its code and operation.

/** Stable error codes. */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'ARENA_FULL'
  | 'DOUBLE_FREE'
  | 'INVALID_HANDLE'
  | 'DECODE_FAILED'
  | 'UNSUPPORTED'
  | 'LIMIT_EXCEEDED'
  | 'WORKER_FAILED'
  | 'ABORTED'
  | 'HEAP_CORRUPT';

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_ARGUMENT', 'ARENA_FULL', 'DOUBLE_FREE', 'INVALID_HANDLE', 'DECODE_FAILED',
  'UNSUPPORTED', 'LIMIT_EXCEEDED', 'WORKER_FAILED', 'ABORTED', 'HEAP_CORRUPT',
]);

/** An error raised by pixel-arena. `code` is stable across versions; `message` is for people. */
export class ArenaError extends Error {
  readonly code: ErrorCode;
  /** The operation that failed ('resize', 'decode(jpeg)', 'pool.run(histogram)'), when one was running. */
  readonly operation: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; operation?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ArenaError';
    this.code = code;
    this.operation = options?.operation;
  }
}

// ── argument checks ───────────────────────────────────────────────────────────────

/** `1.5 of type number`, `'abc' of type string`, `[1, 2, 0] of type object`, `undefined`. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}' of type string`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} of type ${typeof value}`;
  }
  if (Array.isArray(value)) {
    const short = value.length <= 8 && value.every((v) => typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean');
    return short ? `[${value.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ')}] of type object`
      : `an array of length ${value.length}`;
  }
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (typeof value === 'function') return 'a function';
  const kind = Object.prototype.toString.call(value).slice(8, -1);
  const constructor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return `${typeof constructor === 'string' && constructor !== 'Object' ? constructor : kind} of type object`;
}

/** INVALID_ARGUMENT: `Expected <expected> for <name> but received <value>`; `operation` names the call, if known. */
export function invalid(name: string, expected: string, value: unknown, operation?: string): ArenaError {
  return new ArenaError('INVALID_ARGUMENT', `Expected ${expected} for ${name} but received ${describe(value)}`, { operation });
}

/**
 * INVALID_ARGUMENT in the same form, for a value better described in words than shown
 * (`an Image of another arena`); `what` names the operation and leads the message.
 */
export function expectedFor(name: string, expected: string, received: string, what?: string, cause?: unknown): ArenaError {
  const text = `Expected ${expected} for ${name} but received ${received}`;
  return new ArenaError('INVALID_ARGUMENT', what === undefined ? text : `${what}: ${text}`, { operation: what, cause });
}

/** An Image inside a value (task arguments, a result) that was released. */
export function releasedInside(what: string, path: string): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: ${path} is an Image that was released`, { operation: what });
}

// ── what the library says about images, blocks and arenas ─────────────────────────

/** An Image (or block) used after this thread released it. */
export function released(what: string): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: this image was released`, { operation: what });
}

/** An Image released a second time. */
export function releasedTwice(what: string): ArenaError {
  return new ArenaError('DOUBLE_FREE', `${what}: this image reference was already released`, { operation: what });
}

/** An arena object used after close(). */
export function arenaClosed(): ArenaError {
  return new ArenaError('INVALID_HANDLE', 'this arena was closed in this thread');
}

/** A block that is no longer live. */
export function blockNotLive(what: string): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: the block is not live (freed, or never of this arena)`, { operation: what });
}

/** A handle of another arena. */
export function foreignHandle(what: string, theirs: number, ours: number): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: the handle belongs to another arena (id ${theirs}; this arena's id is ${ours})`, { operation: what });
}

export function foreignBlock(what: string, theirs: unknown, ours: number): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: the block belongs to another arena (id ${String(theirs)}; this arena's id is ${ours})`, { operation: what });
}

/** A handle the core refused: it cannot tell a used-up handle from an altered one. */
export function deadHandle(what: string): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: the handle names no live shared image of this mode and size (adopted or discarded already, reclaimed, or altered)`, { operation: what });
}

/** An image with more pixels than the arena's limit (or a decode's own maxPixels, for `what`). */
export function tooManyPixels(width: number, height: number, limit: number, what?: string): ArenaError {
  const pixels = `${width}×${height} is ${width * height} pixels`;
  return what === undefined
    ? new ArenaError('LIMIT_EXCEEDED', `${pixels}, more than the arena's limit of ${limit} (options.maxPixels)`)
    : new ArenaError('LIMIT_EXCEEDED', `${what}: ${pixels}, more than the limit of ${limit} (options.maxPixels)`, { operation: what });
}

/** Valid input over a limit the library or a format has. */
export function limitExceeded(what: string, message: string): ArenaError {
  return new ArenaError('LIMIT_EXCEEDED', `${what}: ${message}`, { operation: what });
}

/** Something this runtime or build cannot do. */
export function unsupported(what: string, message: string): ArenaError {
  return new ArenaError('UNSUPPORTED', `${what}: ${message}`, { operation: what });
}

/** Input that is not a file the decoder can read. */
export function decodeFailed(what: string, message: string): ArenaError {
  return new ArenaError('DECODE_FAILED', `${what}: ${message}`, { operation: what });
}

/** An argument whose fault lies in its relation to the data, not its type ("images do not match"). */
export function mismatch(what: string, message: string): ArenaError {
  return new ArenaError('INVALID_ARGUMENT', `${what}: ${message}`, { operation: what });
}

/** The heap walker found a broken invariant. */
export function heapCorrupt(violation: string, where: number): ArenaError {
  return new ArenaError('HEAP_CORRUPT', `checkHeap(): ${violation} (at ${where})`, { operation: 'checkHeap' });
}

const neverFitting = new WeakSet<Error>();

/**
 * The ARENA_FULL error of a request larger than the arena's whole heap: unlike memory that
 * is only taken now, waiting cannot help (a pool fails such a job at once).
 */
export function tooLargeForArena(what: string, bytes: number, heapBytes: number): ArenaError {
  const error = new ArenaError('ARENA_FULL', `${what}: the arena has no free memory that can hold it, and never will: it needs at least ${bytes} bytes, more than the arena's whole heap of ${heapBytes} bytes`, { operation: what });
  neverFitting.add(error);
  return error;
}

/** Is `error` an ARENA_FULL that waiting cannot cure (see {@link tooLargeForArena})? */
export function canNeverFit(error: unknown): boolean {
  return error instanceof Error && neverFitting.has(error);
}

// ── pools ─────────────────────────────────────────────────────────────────────────

/** A job that waited for arena memory longer than the pool's memoryTimeout. */
export function arenaFullFor(what: string, timeout: number): ArenaError {
  return new ArenaError('ARENA_FULL', `${what}: the job found no arena memory for ${timeout} ms`, { operation: what });
}

/** ARENA_FULL for a job that waited for memory while no other job ran that could release any. */
export function arenaFullIdle(what: string): ArenaError {
  return new ArenaError('ARENA_FULL', `${what}: the job found no arena memory, and no other job was running that could release any`
    + ' (the memory is held outside the pool, or split by blocks that stay)', { operation: what });
}

/** A call on a pool (or arena) that is closed. */
export function closed(what: string, message: string): ArenaError {
  return new ArenaError('INVALID_HANDLE', `${what}: ${message}`, { operation: what });
}

/** The worker running a job died. */
export function workerFailed(what: string, message: string): ArenaError {
  return new ArenaError('WORKER_FAILED', `${what}: ${message}`, { operation: what });
}

/** The job's AbortSignal fired (or the pool closed under it). */
export function aborted(what: string, message: string, cause?: unknown): ArenaError {
  return new ArenaError('ABORTED', `${what}: ${message}`, { operation: what, cause });
}

// ── across threads ────────────────────────────────────────────────────────────────

/** The plain form of an error for postMessage. */
export interface SerializedError {
  name: string;
  code?: string;
  operation?: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const { code, operation } = error as { code?: unknown; operation?: unknown };
    return {
      name: error.name,
      code: typeof code === 'string' ? code : undefined,
      operation: typeof operation === 'string' ? operation : undefined,
      message: error.message,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * Rebuilds an error that crossed a thread: an ArenaError when it carries one of our codes,
 * else an Error of the same name and message (a user task's own error).
 */
export function deserializeError(data: SerializedError): Error {
  const error = data.code !== undefined && CODES.has(data.code)
    ? new ArenaError(data.code as ErrorCode, data.message, { operation: data.operation })
    : Object.assign(new Error(data.message), { name: data.name });
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

// ── status codes of the core (assembly/alloc/layout.ts ERR_*; exported by the core) ──

export const STATUS_OK = 0;
export const STATUS_ARENA_FULL = 1;
export const STATUS_DOUBLE_FREE = 2;
export const STATUS_INVALID_HANDLE = 3;
export const STATUS_NOT_A_BLOCK = 4;
export const STATUS_NOT_READY = 5;
export const STATUS_NO_SLOT = 6;
export const STATUS_LIMIT = 7;
export const STATUS_DECODE = 9;
export const STATUS_UNSUPPORTED = 10;
export const STATUS_FENCED = 11;
export const STATUS_BUSY = 12;
export const STATUS_UNTRACKED = 13;

/** What each status means, and the code it maps to. */
const STATUSES: Record<number, [ErrorCode, string]> = {
  [STATUS_ARENA_FULL]: ['ARENA_FULL', 'the arena has no free memory that can hold it, even after flushing the block cache'],
  [STATUS_DOUBLE_FREE]: ['DOUBLE_FREE', 'it was already freed or released'],
  [STATUS_INVALID_HANDLE]: ['INVALID_HANDLE', 'the handle or image is no longer live'],
  [STATUS_NOT_A_BLOCK]: ['INVALID_ARGUMENT', 'the address is not a block of this arena'],
  [STATUS_NOT_READY]: ['INVALID_ARGUMENT', 'the memory does not hold a ready arena of this version'],
  [STATUS_NO_SLOT]: ['LIMIT_EXCEEDED', 'every attachment slot of the arena is taken'],
  [STATUS_LIMIT]: ['LIMIT_EXCEEDED', 'the request is larger than the arena'],
  [STATUS_DECODE]: ['DECODE_FAILED', 'the data is malformed or truncated'],
  [STATUS_UNSUPPORTED]: ['UNSUPPORTED', 'the data is valid but uses a feature this library does not handle'],
  [STATUS_FENCED]: ['INVALID_HANDLE', 'this thread\'s attachment to the arena was reclaimed (its calls are refused)'],
  [STATUS_BUSY]: ['INVALID_ARGUMENT', 'the thread is inside a call of the core'],
  [STATUS_UNTRACKED]: ['UNSUPPORTED', 'this arena does not track its threads\' calls (trackCalls: false), so it cannot tell when a running thread has left the core: reclaim a thread once it has stopped (Node: at its worker\'s \'exit\' event), or create the arena with trackCalls: true'],
};

/** Every status the core returns, for the test that each has a mapping. */
export const CORE_STATUSES: readonly number[] = Object.keys(STATUSES).map(Number);

/** The ArenaError for a status code the core returned; `what` says what was being done. */
export function errorFromStatus(status: number, what: string): ArenaError {
  const known = STATUSES[status];
  if (known === undefined) return new ArenaError('INVALID_ARGUMENT', `${what}: unexpected status ${status}`, { operation: what });
  return new ArenaError(known[0], `${what}: ${known[1]}`, { operation: what });
}
