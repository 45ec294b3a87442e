// Kernels as plans of stages. A plan names its output, its temporary images and its
// steps; each step runs one stage of the core from one image to another over an extent
// of rows (or columns), and any part of that extent may run on its own: [start, end).
// One thread runs every step over its whole extent; a pool splits each step into bands
// across its workers and waits for all of them before the next step. Both run the same
// stage code on the same numbers, so they give the same bytes.
//
// Stages are plain data (they travel to workers in messages); arguments were checked
// when the plan was made, and the core trusts them.

import type { Core } from '../core.js';
import { ArenaError, errorFromStatus, STATUS_OK } from '../errors.js';
import { coreOf, createImage, checkImageSize } from '../arena.js';
import { imageAddress, type Image } from '../image.js';
import { FILL_NONE, type Mode } from '../layout.js';

export type BandStage =
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
  | { readonly op: 'blurColumns'; readonly radius: number; readonly passes: number };

/** The images of a plan: -1 is the input, 0 the output, 1.. the temporaries. */
export const INPUT = -1;
export const OUTPUT = 0;

export interface ImageSpec {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

export interface Step {
  readonly stage: BandStage;
  readonly source: number;
  readonly target: number;
  /** Rows (or columns, for column stages) the step covers: [0, extent). */
  readonly extent: number;
}

export interface Plan {
  /** What the calling operation is called, for messages. */
  readonly what: string;
  /** Output first, then the temporaries. */
  readonly images: ImageSpec[];
  readonly steps: Step[];
}

/** Builds a plan step by step. */
export class PlanBuilder {
  readonly images: ImageSpec[];
  readonly steps: Step[] = [];

  constructor(readonly what: string, output: ImageSpec) {
    this.images = [output];
  }

  /** A temporary image; returns its index. */
  temporary(spec: ImageSpec): number {
    this.images.push(spec);
    return this.images.length - 1;
  }

  /** A step over all rows of the target. */
  rows(stage: BandStage, source: number, target: number): this {
    this.steps.push({ stage, source, target, extent: this.images[target]!.height });
    return this;
  }

  /** A step over all columns of the target. */
  columns(stage: BandStage, source: number, target: number): this {
    this.steps.push({ stage, source, target, extent: this.images[target]!.width });
    return this;
  }

  plan(): Plan {
    return { what: this.what, images: this.images, steps: this.steps };
  }
}

/** Copies an Int32Array into a scratch block of the core; returns its address. */
function toScratch(core: Core, data: Int32Array, what: string): number {
  const address = core.scratch(Math.max(4, data.byteLength), what);
  new Int32Array(core.memory.buffer, address, data.length).set(data);
  return address;
}

/** Runs rows (or columns) [start, end) of one stage in this thread's core. */
export function runBand(core: Core, stage: BandStage, target: number, source: number, start: number, end: number, what: string): void {
  core.check(runStage(core, stage, target, source, start, end, what), `${what}()`);
}

/** One stage in the core; returns its status. */
function runStage(core: Core, stage: BandStage, target: number, source: number, start: number, end: number, what: string): number {
  const k = core.exports;
  switch (stage.op) {
    case 'crop': return k.cropImage(target, source, stage.left, stage.top, start, end);
    case 'premultiply': return k.premultiplyImage(target, source, start, end);
    case 'unpremultiply': return k.unpremultiplyImage(target, source, start, end);
    case 'roundTrip':
      return k.premultiplyImage(target, source, start, end) || k.unpremultiplyImage(target, target, start, end);
    case 'transpose': return k.transposeImage(target, source, stage.method, start, end);
    case 'convert': return k.convertImage(target, source, start, end);
    case 'reduce':
      return k.reduceImage(target, source, stage.factorX, stage.factorY, stage.boxX, stage.boxY, stage.boxWidth, stage.boxHeight, start, end);
    case 'nearest': {
      const columns = toScratch(core, stage.columns, what);
      try {
        const rows = toScratch(core, stage.rows, what);
        try {
          return k.nearestImage(target, source, columns, rows, start, end);
        } finally {
          core.releaseScratch(rows);
        }
      } finally {
        core.releaseScratch(columns);
      }
    }
    case 'resample': {
      const horizontal = stage.horizontal ? toScratch(core, stage.horizontal, what) : 0;
      let vertical = 0;
      try {
        vertical = stage.vertical ? toScratch(core, stage.vertical, what) : 0;
        return k.resampleImage(target, source, horizontal, vertical, stage.premultiplied ? 1 : 0, start, end);
      } finally {
        if (vertical) core.releaseScratch(vertical);
        if (horizontal) core.releaseScratch(horizontal);
      }
    }
    case 'blurRows': return k.blurRows(target, source, stage.radius, stage.passes, start, end);
    case 'blurColumns': return k.blurColumns(target, source, stage.radius, stage.passes, start, end);
  }
}

/**
 * Makes the plan's output and temporaries (checked against the pixel limit), with nothing
 * left behind if one of them cannot be made. Returns them in plan order.
 */
export function createPlanImages(input: Image, plan: Plan): Image[] {
  const made: Image[] = [];
  try {
    for (const spec of plan.images) {
      checkImageSize(input.arena, spec.mode, spec.width, spec.height);
      made.push(createImage(input.arena, spec.mode, spec.width, spec.height, FILL_NONE, 0, plan.what));
    }
  } catch (error) {
    made.forEach((image) => image.release());
    throw error;
  }
  return made;
}

/** Runs a plan in this thread: every step over its whole extent. */
export function runPlan(input: Image, plan: Plan): Image {
  imageAddress(input, plan.what);
  const core = coreOf(input.arena);
  const images = createPlanImages(input, plan);
  try {
    const address = (index: number) => imageAddress(index === INPUT ? input : images[index]!, plan.what);
    for (const step of plan.steps) {
      runBand(core, step.stage, address(step.target), address(step.source), 0, step.extent, plan.what);
    }
  } catch (error) {
    images.forEach((image) => image.release());
    throw error;
  }
  images.slice(1).forEach((image) => image.release());
  return images[0]!;
}
