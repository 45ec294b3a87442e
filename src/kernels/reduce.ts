// Placeholder until the reduce kernel lands.
import type { Image } from '../image.js';
import { ArenaError } from '../errors.js';
export function reduce(_image: Image, _factor: number | [number, number], _box?: [number, number, number, number]): Image {
  throw new ArenaError('UNSUPPORTED', 'reduce is not built yet');
}
