// Images inside task arguments and results cross threads as handles: `encode` replaces
// every Image (at the top level, or inside plain objects and arrays) by a marker carrying
// a new reference; `decode` adopts each marker back into an Image. `checkImages` looks at
// every Image before anything is shared, so that a value that cannot go is refused whole.

import { isImageHandle, type Image, type ImageHandle } from '../image.js';
import type { Arena } from '../arena.js';
import { expectedFor, releasedInside, type ArenaError } from '../errors.js';
import { isImage } from '../state.js';
import type { ImageMarker } from './protocol.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function isImageMarker(value: unknown): value is ImageMarker {
  return isPlainObject(value) && isImageHandle((value as { $pixelArenaImage?: unknown }).$pixelArenaImage);
}

/** `args.images[2]`, `args.image`, or `args['a b']`. */
function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every Image inside `value` (named `name` in messages, e.g. `args`), checked before
 * anything is shared: each must be a live Image of `arena`, and the walk must not meet a
 * cycle. Returns them in the order `encode` meets them.
 * @throws {ArenaError} INVALID_ARGUMENT naming the place of an Image of another arena, or
 *   of a cycle; INVALID_HANDLE naming the place of a released Image.
 */
export function checkImages(value: unknown, arena: Arena, name: string, what: string): Image[] {
  const found: Image[] = [];
  const ancestors: object[] = [];
  const keys: Array<string | number> = [];
  const path = () => keys.reduce<string>(pathOf, name);
  const visit = (item: unknown): void => {
    if (isImage(item)) {
      if (item.arena !== arena) throw expectedFor(path(), "an Image of the pool's arena", 'an Image of another arena', what);
      if (item.released) throw releasedInside(what, path());
      found.push(item);
      return;
    }
    const isArray = Array.isArray(item);
    if (!isArray && !isPlainObject(item)) return;
    if (ancestors.includes(item as object)) {
      throw expectedFor(name, 'plain objects and arrays without cycles', `a cycle at ${path()}`, what);
    }
    ancestors.push(item as object);
    if (isArray) {
      (item as unknown[]).forEach((element, index) => { keys.push(index); visit(element); keys.pop(); });
    } else {
      for (const [key, element] of Object.entries(item as object)) { keys.push(key); visit(element); keys.pop(); }
    }
    ancestors.pop();
  };
  visit(value);
  return found;
}

/**
 * A copy of `value` with every Image replaced by a marker; `shared` collects the handles
 * made (each carries a reference the receiver must adopt, or the sender discard), and
 * `images` the Images replaced. If a share fails, the handles made so far are in `shared`.
 */
export function encode(value: unknown, shared: ImageHandle[], images: Image[] = []): unknown {
  if (isImage(value)) {
    const handle = value.share();
    shared.push(handle);
    images.push(value);
    return { $pixelArenaImage: handle } satisfies ImageMarker;
  }
  if (Array.isArray(value)) return value.map((item) => encode(item, shared, images));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = encode(item, shared, images);
    return copy;
  }
  return value;
}

/** Every Image inside `value` (where `encode` would find them). */
export function imagesIn(value: unknown, found: Image[] = [], walking = new Set<object>()): Image[] {
  if (isImage(value)) {
    found.push(value);
  } else if ((Array.isArray(value) || isPlainObject(value)) && !walking.has(value)) {
    walking.add(value);
    (Array.isArray(value) ? value : Object.values(value)).forEach((item) => imagesIn(item, found, walking));
    walking.delete(value);
  }
  return found;
}

/**
 * A copy of `value` with every marker adopted into an Image; `adopted` collects them. If
 * an adoption fails, the ones made so far stay in `adopted` for the caller to release.
 */
export function decode(value: unknown, arena: Arena, adopted: Image[]): unknown {
  if (isImageMarker(value)) {
    const image = arena.adopt(value.$pixelArenaImage);
    adopted.push(image);
    return image;
  }
  if (Array.isArray(value)) return value.map((item) => decode(item, arena, adopted));
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = decode(item, arena, adopted);
    return copy;
  }
  return value;
}

/** Every marker inside `value` (without adopting them). */
export function markersIn(value: unknown, found: ImageHandle[] = []): ImageHandle[] {
  if (isImageMarker(value)) found.push(value.$pixelArenaImage);
  else if (Array.isArray(value)) value.forEach((item) => markersIn(item, found));
  else if (isPlainObject(value)) Object.values(value).forEach((item) => markersIn(item, found));
  return found;
}

/**
 * The error for a value that postMessage refused (a function, a class instance with
 * private state, ...): INVALID_ARGUMENT naming what was being sent.
 */
export function unsendable(error: unknown, name: string, what: string): ArenaError {
  const reason = error instanceof Error ? error.message : String(error);
  return expectedFor(name, 'only structured-cloneable values', `one that cannot be cloned (${reason})`, what, error);
}
