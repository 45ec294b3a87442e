// The public Image: one reference to an image in the arena. Its kernel methods are
// one-line calls into the kernel table (src/kernels/table.ts); the reference it holds is
// kept in src/state.ts, where kernels, codecs and the pool read it.

import { errorFromStatus, releasedTwice, STATUS_OK, invalid } from './errors.js';
import { RESULT_ERROR, PACKED_SIZE, MODES, TAG_LIMIT, type Mode } from './layout.js';
import type { Arena } from './arena.js';
import type { Core } from './core.js';
import {
  coreOf, imageAddress, liveReference, markReleased, referenceOf, registerImage, type ImageReference,
} from './state.js';
import { planKernel, type KernelArgs, type KernelName } from './kernels/table.js';
import { runPlan } from './kernels/executor.js';
import type { TransposeMethod } from './kernels/geometry.js';
import type { ResizeOptions } from './kernels/resize.js';
import type { Box, Point } from './validate.js';
import { encode, type EncodeOptions, type Format } from './codecs/codecs.js';

/**
 * A postable value that carries one reference to an image: `image.share()` makes it, the
 * receiving thread passes it to `arena.adopt()`, which uses it up. Everything in it is
 * verified on adoption, not trusted: a handle of another arena, or one whose mode or size
 * was altered, is refused (INVALID_HANDLE) and nothing changes.
 */
export interface ImageHandle {
  readonly kind: 'pixel-arena/image';
  /** The identity of the arena the image lives in (a random 32-bit number chosen at creation). */
  readonly arena: number;
  readonly record: number;
  readonly tag: number;
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

/** Has `value` the shape of an ImageHandle (each field of its type and range)? Whether it names a live image is the core's to say. */
export function isImageHandle(value: unknown): value is ImageHandle {
  const h = value as ImageHandle;
  return h !== null && typeof h === 'object' && h.kind === 'pixel-arena/image'
    && isUint(h.arena, 2 ** 32) && isUint(h.record, 2 ** 32) && isUint(h.tag, TAG_LIMIT)
    && (MODES as readonly unknown[]).includes(h.mode) && isUint(h.width, 2 ** 30) && isUint(h.height, 2 ** 30);
}

function isUint(value: unknown, limit: number): boolean {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) < limit;
}

const creating = Symbol('creating');

/**
 * One reference to an image in an arena. Operations return new images and never change
 * their input. Release every image you own (or use `using`): memory returns when the
 * last reference anywhere is released.
 */
export class Image {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
  readonly arena: Arena;

  /** @internal Images come from Arena methods and kernels. */
  constructor(token: typeof creating, arena: Arena, reference: ImageReference) {
    if (token !== creating) throw invalid('token', 'no call of new Image() (images are made by arena.image(), arena.fromPixels(), arena.decode(), arena.adopt() or a kernel)', token);
    this.arena = arena;
    this.mode = reference.mode;
    this.width = reference.width;
    this.height = reference.height;
    registerImage(this, reference);
  }

  /**
   * A handle carrying one new reference, for another thread's `arena.adopt()`. This
   * image stays valid here; the receiver owns what it adopts.
   * @throws {ArenaError} INVALID_HANDLE when this image was released; ARENA_FULL.
   * @example worker.postMessage(image.share());
   */
  share(): ImageHandle {
    const state = liveReference(this, 'share()');
    return shareReference(coreOf(this.arena), { ...state, mode: this.mode, width: this.width, height: this.height });
  }

  /**
   * Drops this reference; the image's memory returns when the last reference is released.
   * @throws {ArenaError} DOUBLE_FREE when this reference was already released.
   */
  release(): void {
    const state = referenceOf(this);
    if (state.released) throw releasedTwice('release()');
    const core = coreOf(this.arena);
    const status = core.exports.imageRelease(state.record, state.tag);
    markReleased(this);
    if (status !== STATUS_OK) throw errorFromStatus(status, 'release()');
  }

  /** Same as {@link Image.release}, for `using`; does nothing if already released. */
  [Symbol.dispose](): void {
    if (!referenceOf(this).released) this.release();
  }

  /** Has this reference been released? */
  get released(): boolean {
    return referenceOf(this).released;
  }

  /**
   * A packed row-major copy of the pixels: 1, 2, 3 or 4 bytes per pixel by mode.
   * @throws {ArenaError} INVALID_HANDLE when this image was released; ARENA_FULL.
   * @example const rgba = image.toPixels();
   */
  toPixels(): Uint8Array {
    const address = imageAddress(this, 'toPixels()');
    const length = this.width * this.height * PACKED_SIZE[this.mode];
    if (length === 0) return new Uint8Array(0);
    const core = coreOf(this.arena);
    const staging = core.scratch(length, 'toPixels');
    try {
      core.check(core.exports.imagePack(address, staging), 'toPixels()');
      return core.bytes(staging, length).slice();
    } finally {
      core.releaseScratch(staging);
    }
  }

  /**
   * The image resampled to `width` × `height`, exactly as Pillow's `Image.resize`: filters
   * 'nearest', 'box', 'bilinear', 'hamming', 'bicubic' (default) and 'lanczos'; `box`
   * selects a source region (fractions allowed); `reducingGap` reduces by an integer factor
   * first (for L and RGB, as Pillow); LA and RGBA are resampled premultiplied.
   * @throws {ArenaError} INVALID_ARGUMENT for a bad size, filter, box or gap; LIMIT_EXCEEDED; INVALID_HANDLE; ARENA_FULL.
   * @example const thumbnail = photo.resize(256, 171, { filter: 'lanczos' });
   */
  resize(width: number, height: number, options?: ResizeOptions): Image {
    return this.#apply('resize', [width, height, options]);
  }

  /**
   * The image flipped or rotated, as Pillow's `Image.transpose`: 'flipLeftRight',
   * 'flipTopBottom', 'rotate90' (counter-clockwise), 'rotate180', 'rotate270',
   * 'transpose' (swap x and y), 'transverse' (swap and turn 180°).
   * @throws {ArenaError} INVALID_ARGUMENT for another method; INVALID_HANDLE; ARENA_FULL.
   * @example const upright = photo.transpose('rotate270');
   */
  transpose(method: TransposeMethod): Image {
    return this.#apply('transpose', [method]);
  }

  /**
   * The pixels inside `box` = [left, top, right, bottom], as Pillow's `Image.crop`:
   * coordinates are rounded half to even, and parts of the box outside the image are zero
   * (transparent black).
   * @throws {ArenaError} INVALID_ARGUMENT when right < left or bottom < top; INVALID_HANDLE; ARENA_FULL.
   * @example const face = photo.crop([120, 40, 320, 260]);
   */
  crop(box: Box): Image {
    return this.#apply('crop', [box]);
  }

  /**
   * The image in another mode, as Pillow's `Image.convert`: L to a colour mode repeats
   * the grey level; colour to L takes the ITU-R 601-2 luma
   * `(r*19595 + g*38470 + b*7471 + 0x8000) >> 16`; a mode gaining alpha gets 255; a mode
   * losing alpha drops it without compositing. Converting to the same mode makes a copy.
   * @throws {ArenaError} INVALID_ARGUMENT for a mode other than 'L', 'LA', 'RGB', 'RGBA';
   *   INVALID_HANDLE when this image was released; ARENA_FULL; LIMIT_EXCEEDED.
   * @example const grey = photo.convert('L');
   */
  convert(mode: Mode): Image {
    return this.#apply('convert', [mode]);
  }

  /**
   * The image shrunk by whole factors, as Pillow's `Image.reduce`: each output pixel is
   * the rounded mean of a block of `factor` × `factor` pixels (or `[x, y]`), blocks at the
   * right and bottom edges cut short. The output is ceil(w / x) × ceil(h / y) of the box.
   * LA and RGBA are averaged premultiplied by alpha, as Pillow does.
   * @param factor integer ≥ 1, or [x, y] of integers ≥ 1.
   * @param box [x0, y0, x1, y1] in integers, the part of the image to reduce; default the
   *   whole image. With factor 1 and a smaller box this is a crop (premultiplied round
   *   trip for LA and RGBA, as Pillow).
   * @throws {ArenaError} INVALID_ARGUMENT for a factor that is not an integer ≥ 1, a box
   *   that is not 4 integers, reaches outside the image, or is empty; INVALID_HANDLE when
   *   this image was released; ARENA_FULL; LIMIT_EXCEEDED.
   * @example const thumbnail = photo.reduce(4);
   * @example const strip = photo.reduce([2, 1], [0, 0, 640, 100]);
   */
  reduce(factor: number | [number, number], box?: Box): Image {
    return this.#apply('reduce', [factor, box]);
  }

  /**
   * A copy of this image with `over` composited on top ("over" operator), as Pillow's
   * in-place `im.alpha_composite(over, dest, source)` applied to a copy. `source` picks
   * the part of `over` to use ([x, y] up to its bottom-right corner, or [x0, y0, x1, y1];
   * outside `over` counts as transparent), `dest` is where its top-left corner lands (may
   * be negative); whatever falls outside this image is dropped. With the defaults and
   * images of the same size this equals `Image.alpha_composite(image, over)`.
   * @param dest default [0, 0].
   * @param source default [0, 0] (all of `over`).
   * @throws {ArenaError} INVALID_ARGUMENT when either image is not RGBA (LA too, as Pillow),
   *   `over` belongs to another arena, `source` has a negative coordinate or right < left,
   *   or a point is not integers; INVALID_HANDLE; LIMIT_EXCEEDED; ARENA_FULL.
   * @example const framed = photo.alphaComposite(logo, [photo.width - logo.width - 16, 16]);
   */
  alphaComposite(over: Image, dest?: Point, source?: Point | Box): Image {
    return this.#apply('alphaComposite', [over, dest, source]);
  }

  /**
   * A copy of this image with `source` pasted in, as Pillow's `im.paste(source, box,
   * mask)` applied to a copy. `source` is an image (converted to this image's mode as
   * Pillow converts it; RGBA and LA go into RGB unconverted, as in Pillow) or a colour as
   * Pillow reads one: an array of band values ([l, a] for LA, [r, g, b] or [r, g, b, a]
   * for RGB and RGBA; RGBA's alpha defaults to 255), or a number, which for L is the
   * value and for the other modes a packed 0xAABBGGRR (unlike `arena.image`'s fill,
   * which repeats a number in every band). `box` is [x, y] (sized as the source image, or
   * as the mask for a colour) or [x0, y0, x1, y1] (which must match the source image's
   * size); parts outside this image are clipped. Through a `mask` (L, or the alpha of LA
   * or RGBA; a colour fill takes L or RGBA) every byte of a pixel, alpha included, moves
   * towards the source by mask/255: this is not an "over" composite (see
   * {@link Image.alphaComposite}).
   * @param box default [0, 0].
   * @throws {ArenaError} INVALID_ARGUMENT for an RGB mask or an LA mask with a colour
   *   ("bad transparency mask"), a box whose size differs from the source or mask
   *   ("images do not match"), a colour fill with neither a 4-item box nor a mask, a
   *   colour that does not fit the mode, or images of another arena; INVALID_HANDLE;
   *   LIMIT_EXCEEDED; ARENA_FULL.
   * @example const marked = photo.paste([255, 0, 0], [10, 10, 30, 30]);
   * @example const stamped = photo.paste(stamp, [40, 40], stamp); // the stamp through its own alpha
   */
  paste(source: Image | number | number[], box?: Point | Box, mask?: Image): Image {
    return this.#apply('paste', [source, box, mask]);
  }

  /**
   * The image blurred with a box of `radius` pixels on each side, as Pillow's
   * `ImageFilter.BoxBlur(radius)`: one horizontal and one vertical pass; a fractional
   * radius weighs the outermost pixels partially; edge pixels repeat. Every band is
   * blurred as stored (alpha is not premultiplied). Radius 0 returns an equal copy.
   * @throws {ArenaError} INVALID_ARGUMENT unless radius is a finite number between 0 and
   *   2^24 (Pillow gives undefined results for negative radii); INVALID_HANDLE;
   *   LIMIT_EXCEEDED; ARENA_FULL.
   * @example const soft = photo.boxBlur(3);
   */
  boxBlur(radius: number): Image {
    return this.#apply('boxBlur', [radius]);
  }

  /**
   * The image blurred with an approximate Gaussian of standard deviation `radius`, as
   * Pillow's `ImageFilter.GaussianBlur(radius)`: three box blurs of a radius derived from
   * it, all horizontal passes before all vertical ones; edge pixels repeat; alpha is not
   * premultiplied.
   * @param radius default 2.
   * @throws {ArenaError} INVALID_ARGUMENT unless radius is a finite number between 0 and
   *   2^24; INVALID_HANDLE; LIMIT_EXCEEDED; ARENA_FULL.
   * @example const background = photo.gaussianBlur(10);
   */
  gaussianBlur(radius?: number): Image {
    return this.#apply('gaussianBlur', [radius]);
  }

  /**
   * The image encoded as PNG, JPEG or QOI, copied out of the arena (ready for a file or a
   * Response). PNG: every mode, `level` 0..9 (default 6), `filter` (default 'adaptive').
   * JPEG: `quality` 1..100 (default 75), `subsampling` '4:4:4', '4:2:2' or '4:2:0'
   * (default as Pillow's: '4:2:0', and no subsampling for L and LA), `progressive`,
   * `optimize`: the bytes Pillow's `save()` writes with the same options. L is written as a
   * grayscale file, RGB as YCbCr; LA and RGBA, which Pillow refuses for JPEG, lose their
   * alpha and are written as L and RGB. QOI: RGB and RGBA (L and LA as RGB and RGBA).
   * @throws {ArenaError} INVALID_ARGUMENT for a bad format or option, or an empty image for
   *   JPEG (Pillow: "cannot write empty image as JPEG"); LIMIT_EXCEEDED for a JPEG side over
   *   65500 pixels (libjpeg's limit); INVALID_HANDLE; ARENA_FULL.
   * @example await writeFile('thumb.jpg', thumbnail.encode('jpeg', { quality: 80 }));
   */
  encode(format: Format, options?: EncodeOptions): Uint8Array {
    return encode(this, format, options);
  }

  toString(): string {
    return `Image(${this.mode} ${this.width}×${this.height}${referenceOf(this).released ? ', released' : ''})`;
  }

  /** Runs kernel `name` of the table on this image in this thread. */
  #apply<K extends KernelName>(name: K, args: KernelArgs<K>): Image {
    return wrapImage(this.arena, runPlan(planKernel(name, this, args)));
  }
}

/** A handle carrying a new reference to the image of a reference this thread holds (library internal). */
export function shareReference(core: Core, reference: ImageReference): ImageHandle {
  const record = core.exports.imageShare(reference.record, reference.tag) >>> 0;
  if (record === 0) throw errorFromStatus(core.results[RESULT_ERROR]!, 'share()');
  return {
    kind: 'pixel-arena/image', arena: core.exports.arenaId() >>> 0, record, tag: core.tag,
    mode: reference.mode, width: reference.width, height: reference.height,
  };
}

/** Wraps a reference this thread holds in an Image (library internal). */
export function wrapImage(arena: Arena, reference: ImageReference): Image {
  return new Image(creating, arena, reference);
}
