// Images inside task arguments and results cross threads as handles: `encode` replaces
// every Image (at the top level, or inside plain objects and arrays) by a marker carrying
// a new reference; `decode` adopts each marker back into an Image.

import { Image, isImageHandle, type ImageHandle } from '../image.js';
import type { Arena } from '../arena.js';
import type { ImageMarker } from './protocol.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function isImageMarker(value: unknown): value is ImageMarker {
  return isPlainObject(value) && isImageHandle((value as { $pixelArenaImage?: unknown }).$pixelArenaImage);
}

/**
 * A copy of `value` with every Image replaced by a marker; `shared` collects the handles
 * made (each carries a reference the receiver must adopt, or the sender discard), and
 * `images` the Images replaced. If a share fails, the handles made so far are in `shared`.
 */
export function encode(value: unknown, shared: ImageHandle[], images: Image[] = []): unknown {
  if (value instanceof Image) {
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
