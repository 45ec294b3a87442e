// alphaComposite, paste and colour fills as Pillow's Image.alpha_composite (in-place form),
// Image.paste and ImagingFill2, on a copy: the input never changes
// (assembly/kernels/composite.ts). Pillow's box arithmetic and clipping happen here; the
// kernels get the clipped region.

import { Image } from '../image.js';
import { ArenaError, errorFromStatus, STATUS_OK } from '../errors.js';
import type { Mode } from '../layout.js';
import * as check from '../validate.js';
import { input, otherInput, produce, type Input } from './common.js';

/** A point [x, y]. */
export type Point = [x: number, y: number];
/** A rectangle [x0, y0, x1, y1]: x0, y0 inside, x1, y1 just outside. */
export type Rectangle = [x0: number, y0: number, x1: number, y1: number];

/** A clipped region: width × height pixels at (dx, dy) of the target, from (sx, sy) of the source. */
interface Region {
  dx: number; dy: number; sx: number; sy: number; width: number; height: number;
}

function integers(name: string, value: unknown, lengths: readonly number[], expected: string): number[] {
  if (!Array.isArray(value) || !lengths.includes(value.length) || !value.every(check.isInteger)) {
    throw check.invalid(name, expected, value);
  }
  return value as number[];
}

/**
 * Pillow's clipping (Paste.c): the rectangle of `width` × `height` at (x, y) cut to the
 * target; the source start moves by what was cut on the left and top.
 */
function clip(x: number, y: number, width: number, height: number, targetWidth: number, targetHeight: number): Region {
  let sx = 0, sy = 0;
  if (x < 0) { width += x; sx = -x; x = 0; }
  if (x + width > targetWidth) width = targetWidth - x;
  if (y < 0) { height += y; sy = -y; y = 0; }
  if (y + height > targetHeight) height = targetHeight - y;
  if (width <= 0 || height <= 0) return { dx: 0, dy: 0, sx: 0, sy: 0, width: 0, height: 0 };
  return { dx: x, dy: y, sx, sy, width, height };
}

// ── alphaComposite ────────────────────────────────────────────────────────────────

export function alphaComposite(image: Image, over: Image, dest?: Point, source?: Point | Rectangle): Image {
  const what = 'alphaComposite';
  const { core, address } = input(image, what);
  const overlay = otherInput(image, over, 'over', what);
  if (image.mode !== 'RGBA') throw check.invalid('the mode of the image', "'RGBA' (alpha compositing takes RGBA only)", image.mode);
  if (over.mode !== 'RGBA') throw check.invalid('the mode of over', "'RGBA' (alpha compositing takes RGBA only)", over.mode);
  const [destX, destY] = dest === undefined ? [0, 0] : integers('dest', dest, [2], 'array of 2 integers [x, y]');
  const corners = source === undefined ? [0, 0]
    : integers('source', source, [2, 4], 'array of 2 or 4 integers [x, y] or [x0, y0, x1, y1]');
  if (!corners.every((v) => v >= 0)) throw check.invalid('source', 'non-negative coordinates', source);
  const [x0, y0, x1 = over.width, y1 = over.height] = corners as [number, number, number?, number?];
  if (x1 < x0 || y1 < y0) {
    throw new ArenaError('INVALID_ARGUMENT', `${what}(): Expected source right >= left and bottom >= top but received [${[x0, y0, x1, y1].join(', ')}]`);
  }
  // Pillow crops the source rectangle out of `over` (zero, so transparent, outside it),
  // composites it over the same-size crop of the image at `dest`, and pastes the result
  // back, clipped. Transparent overlay pixels change nothing, so only the part where the
  // rectangle overlaps both images is composited.
  const [dx, dy] = [destX!, destY!];
  const left = Math.max(dx, 0);
  const top = Math.max(dy, 0);
  const right = Math.min(dx + x1 - x0, image.width, dx - x0 + over.width);
  const bottom = Math.min(dy + y1 - y0, image.height, dy - y0 + over.height);
  const width = Math.max(0, right - left);
  const height = Math.max(0, bottom - top);
  return produce(image, 'RGBA', image.width, image.height, what, (target) => {
    core.check(core.exports.alphaCompositeImage(target, address, overlay.address, left, top,
      x0 + left - dx, y0 + top - dy, width, height, 0, image.height), `${what}()`);
  });
}

// ── paste ─────────────────────────────────────────────────────────────────────────

const MASK_MODES: readonly Mode[] = ['L', 'LA', 'RGBA'];
const FILL_MASK_MODES: readonly Mode[] = ['L', 'RGBA'];

/**
 * The four ink bytes (byte 0 lowest) of a colour for `mode`, as Pillow's getink reads it:
 * for L a number is the value; for the other modes a number is packed 0xAABBGGRR (so
 * 200 is red 200 with green, blue and alpha 0). Arrays give the bands: L [v]; LA [l, a]
 * or [l] (alpha 0); RGB and RGBA [r, g, b, a], [r, g, b] (alpha 255) or [r] (the rest 0).
 */
export function inkOf(mode: Mode, colour: unknown): number {
  const band = (name: string, value: unknown) => check.integer(name, value, 0, 255);
  let bands: number[];
  if (typeof colour === 'number') {
    if (mode === 'L') return band('source', colour);
    const v = check.integer('source', colour, 0, 0xffffffff);
    bands = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  } else {
    const lengths = { L: [1], LA: [1, 2], RGB: [1, 3, 4], RGBA: [1, 3, 4] }[mode];
    if (!Array.isArray(colour) || !lengths.includes(colour.length)) {
      throw check.invalid('source', `Image, integer or array of ${lengths.join(', ').replace(/, (\d)$/, ' or $1')} integers 0..255 (mode ${mode})`, colour);
    }
    bands = colour.map((v, i) => band(`source[${i}]`, v));
    if (mode === 'L') return bands[0]!;
    if (mode === 'LA') bands = [bands[0]!, 0, 0, bands[1] ?? 0];
    else if (bands.length === 1) bands = [bands[0]!, 0, 0, 0];
    else if (bands.length === 3) bands.push(255);
  }
  // LA is stored L, L, L, A.
  if (mode === 'LA') bands = [bands[0]!, bands[0]!, bands[0]!, bands[3]!];
  return (bands[0]! | (bands[1]! << 8) | (bands[2]! << 16) | (bands[3]! << 24)) >>> 0;
}

export function paste(image: Image, source: Image | number | number[], box?: Point | Rectangle, mask?: Image): Image {
  const what = 'paste';
  const { core, address } = input(image, what);
  const from: Input | undefined = source instanceof Image ? otherInput(image, source, 'source', what) : undefined;
  const ink = source instanceof Image ? 0 : inkOf(image.mode, source);
  const masking: Input | undefined = mask === undefined ? undefined : otherInput(image, mask, 'mask', what);
  // The box: none is [0, 0]; a corner takes the size of the source image, else of the mask.
  const sized = source instanceof Image ? source : mask;
  const [x0, y0, x1, y1] = box === undefined ? [0, 0] : integers('box', box, [2, 4], 'array of 2 or 4 integers [x, y] or [x0, y0, x1, y1]');
  let width: number, height: number;
  if (x1 !== undefined && y1 !== undefined) {
    [width, height] = [x1 - x0!, y1 - y0!];
  } else if (sized !== undefined) {
    [width, height] = [sized.width, sized.height];
  } else {
    throw check.invalid('box', 'array of 4 integers [x0, y0, x1, y1] (a colour fill without a mask has no size of its own)', box);
  }
  for (const [name, other] of [['source', source], ['mask', mask]] as const) {
    if (other instanceof Image && (other.width !== width || other.height !== height)) {
      throw new ArenaError('INVALID_ARGUMENT', `${what}(): images do not match: Expected ${name} of ${Math.max(0, width)}×${Math.max(0, height)} for the box but received ${other.width}×${other.height}`);
    }
  }
  const r = clip(x0!, y0!, width, height, image.width, image.height);
  // As Pillow (Paste.c): the mask's mode matters only once something is left to paste.
  if (mask !== undefined && r.width > 0 && r.height > 0) {
    const allowed = from ? MASK_MODES : FILL_MASK_MODES;
    if (!allowed.includes(mask.mode)) {
      throw new ArenaError('INVALID_ARGUMENT', `${what}(): bad transparency mask: Expected mode ${allowed.map((m) => `'${m}'`).join(', ')} for mask${from ? '' : ' of a colour fill'} but received '${mask.mode}'`);
    }
  }
  const maskAddress = masking?.address ?? 0;
  return produce(image, image.mode, image.width, image.height, what, (target) => {
    if (from) {
      const status = core.exports.pasteImage(target, address, from.address, maskAddress, r.dx, r.dy, r.sx, r.sy, r.width, r.height, 0, image.height);
      if (status !== STATUS_OK) throw errorFromStatus(status, `${what}()`);
    } else {
      core.check(core.exports.fillImage(target, address, ink, maskAddress, r.dx, r.dy, r.sx, r.sy, r.width, r.height, 0, image.height), `${what}()`);
    }
  });
}
