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

/** What a container other than a plain object or an array is called in messages ("a Map", "an instance of Box"). */
function containerName(value: object): string | undefined {
  if (Array.isArray(value) || isPlainObject(value)) return undefined;
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  const constructor = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof constructor === 'string' && constructor !== '' ? `an instance of ${constructor}` : 'an object with a prototype';
}

/** The values inside a container: elements, property values, a Map's keys and values, a Set's members. */
function contents(value: object): Array<[string | number, unknown]> {
  if (Array.isArray(value)) return value.map((element, index) => [index, element]);
  if (value instanceof Map) return [...value].flatMap(([key, element], i) => [[`<key ${i}>`, key], [`<value ${i}>`, element]] as Array<[string, unknown]>);
  if (value instanceof Set) return [...value].map((element, i) => [`<member ${i}>`, element]);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return [];
  return Object.entries(value);
}

/**
 * Every Image inside `value` (named `name` in messages, e.g. `args`), checked before
 * anything is shared: each must be a live Image of `arena`, at the top level or inside
 * plain objects and arrays (what `encode` replaces; anywhere else postMessage would clone
 * the Image object as a plain one), and the walk must not meet a cycle of plain objects
 * and arrays. Returns them in the order `encode` meets them.
 * @throws {ArenaError} INVALID_ARGUMENT naming the place of an Image of another arena, of
 *   an Image inside another kind of container, or of a cycle; INVALID_HANDLE naming the
 *   place of a released Image.
 */
export function checkImages(value: unknown, arena: Arena, name: string, what: string): Image[] {
  const found: Image[] = [];
  const ancestors: object[] = [];
  const seen = new Set<object>();
  const keys: Array<string | number> = [];
  const path = () => keys.reduce<string>(pathOf, name);
  const visit = (item: unknown, inside: string | undefined): void => {
    if (isImage(item)) {
      if (inside !== undefined) {
        throw expectedFor(path(), 'Images only at the top level or inside plain objects and arrays', `an Image inside ${inside}`, what);
      }
      if (item.arena !== arena) throw expectedFor(path(), "an Image of the pool's arena", 'an Image of another arena', what);
      if (item.released) throw releasedInside(what, path());
      found.push(item);
      return;
    }
    if (item === null || typeof item !== 'object') return;
    const container = inside ?? containerName(item);
    if (container === undefined) {
      if (ancestors.includes(item)) {
        throw expectedFor(name, 'plain objects and arrays without cycles', `a cycle at ${path()}`, what);
      }
    } else {
      // Inside other containers only an Image is looked for; postMessage clones the rest.
      if (seen.has(item)) return;
      seen.add(item);
    }
    ancestors.push(item);
    for (const [key, element] of contents(item)) {
      keys.push(key);
      visit(element, container);
      keys.pop();
    }
    ancestors.pop();
  };
  visit(value, undefined);
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

/** Every Image inside `value`, in any container (to release them all when a value is refused). */
export function imagesIn(value: unknown, found: Image[] = [], walking = new Set<object>()): Image[] {
  if (isImage(value)) {
    found.push(value);
  } else if (value !== null && typeof value === 'object' && !walking.has(value)) {
    walking.add(value);
    for (const [, item] of contents(value)) imagesIn(item, found, walking);
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
