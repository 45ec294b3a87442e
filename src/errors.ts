// The one catalogue of errors. Every error the library raises is an ArenaError with a
// stable code; errors that cross threads travel as { code, message, stack } and are
// rebuilt here on the other side.

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
  | 'ABORTED';

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'INVALID_ARGUMENT', 'ARENA_FULL', 'DOUBLE_FREE', 'INVALID_HANDLE', 'DECODE_FAILED',
  'UNSUPPORTED', 'LIMIT_EXCEEDED', 'WORKER_FAILED', 'ABORTED',
]);

/** An error raised by pixel-arena. `code` is stable across versions; `message` is for people. */
export class ArenaError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArenaError';
    this.code = code;
  }
}

const neverFitting = new WeakSet<Error>();

/**
 * The ARENA_FULL error of a request larger than the arena's whole heap: unlike memory that
 * is only taken now, waiting cannot help (a pool fails such a job at once).
 */
export function tooLargeForArena(what: string, bytes: number, heapBytes: number): ArenaError {
  const error = new ArenaError('ARENA_FULL', `${what}: the arena has no free memory that can hold it, and never will: it needs at least ${bytes} bytes, more than the arena's whole heap of ${heapBytes} bytes`);
  neverFitting.add(error);
  return error;
}

/** Is `error` an ARENA_FULL that waiting cannot cure (see {@link tooLargeForArena})? */
export function canNeverFit(error: unknown): boolean {
  return error instanceof Error && neverFitting.has(error);
}

/** The plain form of an error for postMessage. */
export interface SerializedError {
  name: string;
  code?: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : undefined,
      message: error.message,
      stack: error.stack,
    };
  }
  return { name: 'Error', message: String(error) };
}

/** Rebuilds an error that crossed a thread: ArenaError when it carries one of our codes. */
export function deserializeError(data: SerializedError): Error {
  const error = data.code !== undefined && CODES.has(data.code)
    ? new ArenaError(data.code as ErrorCode, data.message)
    : Object.assign(new Error(data.message), { name: data.name });
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}

// Status codes of the core (assembly/alloc/layout.ts).
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

/** The ArenaError for a status code the core returned; `what` says what was being done. */
export function errorFromStatus(status: number, what: string): ArenaError {
  switch (status) {
    case STATUS_ARENA_FULL:
      return new ArenaError('ARENA_FULL', `${what}: the arena has no free memory that can hold it, even after flushing the block cache`);
    case STATUS_DOUBLE_FREE:
      return new ArenaError('DOUBLE_FREE', `${what}: it was already freed or released`);
    case STATUS_INVALID_HANDLE:
      return new ArenaError('INVALID_HANDLE', `${what}: the handle or image is no longer live`);
    case STATUS_NOT_A_BLOCK:
      return new ArenaError('INVALID_ARGUMENT', `${what}: the address is not a block of this arena`);
    case STATUS_NOT_READY:
      return new ArenaError('INVALID_ARGUMENT', `${what}: the memory does not hold a ready arena of this version`);
    case STATUS_NO_SLOT:
      return new ArenaError('LIMIT_EXCEEDED', `${what}: every attachment slot of the arena is taken`);
    case STATUS_LIMIT:
      return new ArenaError('LIMIT_EXCEEDED', `${what}: the request is larger than the arena`);
    case STATUS_FENCED:
      return new ArenaError('INVALID_HANDLE', `${what}: this thread's attachment to the arena was reclaimed (its calls are refused)`);
    case STATUS_DECODE:
      return new ArenaError('DECODE_FAILED', `${what}: the data is malformed or truncated`);
    case STATUS_UNSUPPORTED:
      return new ArenaError('UNSUPPORTED', `${what}: the data is valid but uses a feature this library does not handle`);
    default:
      return new ArenaError('INVALID_ARGUMENT', `${what}: unexpected status ${status}`);
  }
}
