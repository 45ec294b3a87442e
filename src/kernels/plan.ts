// Kernels as plans of stages. A plan names its inputs, its output, its temporary images
// and its steps; each step runs one stage of the core into one image from others, over an
// extent of rows (or columns), and any part of that extent may run on its own:
// [start, end). One thread runs every step over its whole extent (executor.ts); a pool
// splits each step into bands across its workers and waits for all of them before the
// next step. Both run the same stage code on the same numbers, so they give the same bytes.
//
// A planner checks its arguments, computes everything that does not depend on pixels
// (Pillow's box arithmetic, coefficient tables) and returns a Plan; the core trusts it.

import type { Image } from '../image.js';
import type { Mode } from '../layout.js';

/**
 * What one step runs. Tables (Int32Array) are written once per plan into the plan's data
 * block in the arena; the stage that reaches a worker names them by offset (BoundStage).
 */
export type Stage =
  /** Target = source from (left, top), zero outside the source (cropImage). */
  | { readonly op: 'crop'; readonly left: number; readonly top: number }
  /** Target = source premultiplied / unpremultiplied (may be in place). */
  | { readonly op: 'premultiply' }
  | { readonly op: 'unpremultiply' }
  /** Premultiply and unpremultiply in place: Pillow's lossy RGBa round trip. */
  | { readonly op: 'roundTrip' }
  | { readonly op: 'transpose'; readonly method: number }
  | { readonly op: 'convert' }
  | {
    readonly op: 'reduce'; readonly factorX: number; readonly factorY: number;
    readonly boxX: number; readonly boxY: number; readonly boxWidth: number; readonly boxHeight: number;
  }
  | { readonly op: 'nearest'; readonly columns: Int32Array; readonly rows: Int32Array }
  | {
    readonly op: 'resample'; readonly horizontal: Int32Array | null; readonly vertical: Int32Array | null;
    readonly premultiplied: boolean;
  }
  /** Every horizontal box-blur pass of rows [start, end). */
  | { readonly op: 'blurRows'; readonly radius: number; readonly passes: number }
  /** Every vertical box-blur pass of columns [start, end) (a column stage). */
  | { readonly op: 'blurColumns'; readonly radius: number; readonly passes: number }
  /**
   * Target = base (source 0) with `overlay` (source 1) composited over the region of
   * width × height at (dx, dy), read from (sx, sy) of the overlay.
   */
  | { readonly op: 'alphaComposite'; readonly region: Region }
  /** Target = base (source 0) with source 1 pasted into the region, through the mask (source 2) if `masked`. */
  | { readonly op: 'paste'; readonly region: Region; readonly masked: boolean }
  /** Target = base (source 0) with a colour filled into the region, through the mask (source 1) if `masked`. */
  | { readonly op: 'fill'; readonly ink: number; readonly region: Region; readonly masked: boolean };

/** A clipped region: width × height pixels at (dx, dy) of the target, from (sx, sy) of the source. */
export interface Region {
  readonly dx: number;
  readonly dy: number;
  readonly sx: number;
  readonly sy: number;
  readonly width: number;
  readonly height: number;
}

/** A stage as it travels: tables replaced by byte offsets into the plan's data block (-1: none). */
export type BoundStage =
  | Exclude<Stage, { op: 'nearest' } | { op: 'resample' }>
  | { readonly op: 'nearest'; readonly columns: number; readonly rows: number }
  | { readonly op: 'resample'; readonly horizontal: number; readonly vertical: number; readonly premultiplied: boolean };

/** The images of a plan: inputs are -1, -2, ..., the output 0, temporaries 1, 2, .... */
export const INPUT = -1;
export const OUTPUT = 0;
/** Plan index of input `k` (0: the image the operation was called on). */
export function inputIndex(k: number): number {
  return -1 - k;
}

export interface ImageSpec {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

export interface Step {
  readonly stage: Stage;
  readonly target: number;
  /** Plan indices of the images the stage reads, in the order the stage names them. */
  readonly sources: readonly number[];
  /** Rows (or columns, for column stages) the step covers: [0, extent). */
  readonly extent: number;
}

export interface Plan {
  /** What the calling operation is called, for messages. */
  readonly what: string;
  /** The images the plan reads: the one the operation was called on first. */
  readonly inputs: readonly Image[];
  /** Output first, then the temporaries. */
  readonly images: readonly ImageSpec[];
  readonly steps: readonly Step[];
}

/** Builds a plan step by step. */
export class PlanBuilder {
  readonly images: ImageSpec[];
  readonly steps: Step[] = [];
  readonly inputs: readonly Image[];

  constructor(readonly what: string, inputs: Image | readonly Image[], output: ImageSpec) {
    this.inputs = Array.isArray(inputs) ? inputs : [inputs as Image];
    this.images = [output];
  }

  /** A temporary image; returns its index. */
  temporary(spec: ImageSpec): number {
    this.images.push(spec);
    return this.images.length - 1;
  }

  /** The spec of plan image `index` (an input, the output or a temporary). */
  spec(index: number): ImageSpec {
    return index < 0 ? this.inputs[-1 - index]! : this.images[index]!;
  }

  /** A step over all rows of the target. */
  rows(stage: Stage, source: number | readonly number[], target: number): this {
    this.steps.push({ stage, target, sources: typeof source === 'number' ? [source] : source, extent: this.images[target]!.height });
    return this;
  }

  /** A step over all columns of the target. */
  columns(stage: Stage, source: number, target: number): this {
    this.steps.push({ stage, target, sources: [source], extent: this.images[target]!.width });
    return this;
  }

  plan(): Plan {
    return { what: this.what, inputs: this.inputs, images: this.images, steps: this.steps };
  }
}
