// alphaComposite, paste and colour fills as Pillow's Image.alpha_composite (in-place form),
// Image.paste and ImagingFill2, on a copy: the input never changes
// (assembly/kernels/composite.ts). Pillow's box arithmetic and clipping happen here; the
// kernels get the clipped region.

import type { Image } from '../image.js';
import { mismatch } from '../errors.js';
import type { Mode } from '../layout.js';
import { isImage } from '../state.js';
import * as check from '../validate.js';
import type { Box, Point } from '../validate.js';
import { input, otherInput } from './common.js';
import { PlanBuilder, OUTPUT, inputIndex, type Plan, type Region } from './plan.js';

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

export function planAlphaComposite(image: Image, over: Image, dest?: Point, source?: Point | Box): Plan {
  const what = 'alphaComposite';
  input(image, what);
  otherInput(image, over, 'over', what);
  if (image.mode !== 'RGBA') throw check.invalid('the mode of the image', "'RGBA' (alpha compositing takes RGBA only)", image.mode);
  if (over.mode !== 'RGBA') throw check.invalid('the mode of over', "'RGBA' (alpha compositing takes RGBA only)", over.mode);
  const [destX, destY] = dest === undefined ? [0, 0] : check.point('dest', dest);
  const corners = source === undefined ? [0, 0] : check.pointOrBox('source', source);
  const [x0, y0, x1 = over.width, y1 = over.height] = corners as [number, number, number?, number?];
  if (!corners.every((v) => v >= 0)) throw check.invalid('source', 'non-negative coordinates', source);
  if (x1 < x0 || y1 < y0) throw check.invalid('source', 'box [x0, y0, x1, y1] with x1 >= x0 and y1 >= y0', [x0, y0, x1, y1]);
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
  const region: Region = { dx: left, dy: top, sx: x0 + left - dx, sy: y0 + top - dy, width, height };
  return new PlanBuilder(what, [image, over], { mode: 'RGBA', width: image.width, height: image.height })
    .rows({ op: 'alphaComposite', region }, [inputIndex(0), inputIndex(1)], OUTPUT).plan();
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

export function planPaste(image: Image, source: Image | number | number[], box?: Point | Box, mask?: Image): Plan {
  const what = 'paste';
  input(image, what);
  const from = isImage(source) ? otherInput(image, source, 'source', what) : undefined;
  const ink = from ? 0 : inkOf(image.mode, source);
  if (mask !== undefined) otherInput(image, mask, 'mask', what);
  // The box: none is [0, 0]; a corner takes the size of the source image, else of the mask.
  const sized = from ?? mask;
  const [x0, y0, x1, y1] = box === undefined ? [0, 0] : check.pointOrBox('box', box);
  let width: number, height: number;
  if (x1 !== undefined && y1 !== undefined) {
    [width, height] = [x1 - x0!, y1 - y0!];
  } else if (sized !== undefined) {
    [width, height] = [sized.width, sized.height];
  } else {
    throw check.invalid('box', 'array of 4 integers [x0, y0, x1, y1] (a colour fill without a mask has no size of its own)', box);
  }
  for (const [name, other] of [['source', from], ['mask', mask]] as const) {
    if (other !== undefined && (other.width !== width || other.height !== height)) {
      throw mismatch(`${what}()`, `images do not match: Expected ${name} of ${Math.max(0, width)}×${Math.max(0, height)} for the box but received ${other.width}×${other.height}`);
    }
  }
  const region = clip(x0!, y0!, width, height, image.width, image.height);
  // As Pillow (Paste.c): the mask's mode matters only once something is left to paste.
  if (mask !== undefined && region.width > 0 && region.height > 0) {
    const allowed = from ? MASK_MODES : FILL_MASK_MODES;
    if (!allowed.includes(mask.mode)) {
      throw mismatch(`${what}()`, `bad transparency mask: Expected mode ${allowed.map((m) => `'${m}'`).join(', ')} for mask${from ? '' : ' of a colour fill'} but received '${mask.mode}'`);
    }
  }
  const masked = mask !== undefined;
  const builder = new PlanBuilder(what, [image, ...(from ? [from] : []), ...(mask ? [mask] : [])],
    { mode: image.mode, width: image.width, height: image.height });
  const sources = builder.inputs.map((_, k) => inputIndex(k));
  return builder.rows(from ? { op: 'paste', region, masked } : { op: 'fill', ink, region, masked }, sources, OUTPUT).plan();
}
