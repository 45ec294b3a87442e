// What every planner checks the same way: that its input images are live, and that a
// second image belongs to the same arena.

import type { Image } from '../image.js';
import { expectedFor, invalid } from '../errors.js';
import { imageAddress, isImage } from '../state.js';

/** Checks that `image` is live in this thread (a planner's first step). */
export function input(image: Image, what: string): void {
  imageAddress(image, `${what}()`);
}

/** A second image argument: an Image of the same arena, live. */
export function otherInput(image: Image, other: unknown, name: string, what: string): Image {
  if (!isImage(other)) throw invalid(name, 'Image', other);
  if (other.arena !== image.arena) {
    throw expectedFor(name, 'an Image of the same arena', 'an Image of another arena (or of another thread\'s attachment of it)', `${what}()`);
  }
  input(other, what);
  return other;
}
