// Running a plan: its images made (all or none), its tables written once into one data
// block of the arena, then each step through the core. One thread runs every step over
// its whole extent here; a pool binds the plan the same way and splits each step into
// bands (src/pool/bands.ts). Both call runBand, so both give the same bytes.

import type { Core } from '../core.js';
import { FILL_NONE } from '../layout.js';
import {
  coreOf, imageAddress, checkImageSize, createReference, releaseReference, rowAddress, type ImageReference,
} from '../state.js';
import type { Plan, BoundStage } from './plan.js';

/** A plan's step with its images resolved: plan indices as before, stage tables as data offsets. */
export interface BoundStep {
  readonly stage: BoundStage;
  readonly target: number;
  readonly sources: readonly number[];
  readonly extent: number;
}

/** A plan whose images exist: the references this thread holds for them. */
export interface BoundPlan {
  readonly what: string;
  readonly core: Core;
  /** Plan images 0.. (output, temporaries). */
  readonly images: readonly ImageReference[];
  /** The block of the plan's tables (an L image of one row), if it has any. */
  readonly data: ImageReference | undefined;
  /** Address of byte 0 of the tables (0 when none); a worker finds it from its own reference. */
  readonly dataAddress: number;
  readonly steps: readonly BoundStep[];
}

/** Tables start at multiples of this in the data block. */
const TABLE_ALIGN = 16;

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Gives each table of the plan an offset in the data block; returns the bound stages and the block's size. */
function layTables(plan: Plan): { stages: BoundStage[]; tables: Array<[number, Int32Array]>; bytes: number } {
  const tables: Array<[number, Int32Array]> = [];
  let bytes = 0;
  const place = (table: Int32Array | null): number => {
    if (table === null) return -1;
    const offset = bytes;
    tables.push([offset, table]);
    bytes = alignUp(bytes + table.byteLength, TABLE_ALIGN);
    return offset;
  };
  const stages = plan.steps.map(({ stage }): BoundStage => {
    switch (stage.op) {
      case 'nearest': return { op: 'nearest', columns: place(stage.columns), rows: place(stage.rows) };
      case 'resample':
        return { op: 'resample', horizontal: place(stage.horizontal), vertical: place(stage.vertical), premultiplied: stage.premultiplied };
      default: return stage;
    }
  });
  return { stages, tables, bytes };
}

/**
 * Makes the plan's output and temporaries (checked against the pixel limit) and its data
 * block, with nothing left behind if one of them cannot be made.
 */
export function bindPlan(plan: Plan): BoundPlan {
  const arena = plan.inputs[0]!.arena;
  const core = coreOf(arena);
  for (const spec of plan.images) checkImageSize(arena, spec.mode, spec.width, spec.height);
  const { stages, tables, bytes } = layTables(plan);
  const made: ImageReference[] = [];
  try {
    for (const spec of plan.images) {
      made.push(createReference(core, spec.mode, spec.width, spec.height, { kind: FILL_NONE, value: 0 }, `${plan.what}()`));
    }
    let data: ImageReference | undefined;
    let dataAddress = 0;
    if (bytes > 0) {
      // Room to start the tables on a TABLE_ALIGN boundary whatever the row alignment.
      data = createReference(core, 'L', bytes + TABLE_ALIGN, 1, { kind: FILL_NONE, value: 0 }, `${plan.what}()`);
      made.push(data);
      dataAddress = tablesAddress(core, data.address);
      for (const [offset, table] of tables) {
        core.bytes(dataAddress + offset, table.byteLength).set(new Uint8Array(table.buffer, table.byteOffset, table.byteLength));
      }
    }
    return {
      what: plan.what, core, images: made.slice(0, plan.images.length), data, dataAddress,
      steps: plan.steps.map((step, i) => ({ stage: stages[i]!, target: step.target, sources: step.sources, extent: step.extent })),
    };
  } catch (error) {
    made.forEach((reference) => releaseReference(core, reference));
    throw error;
  }
}

/** Where the tables start in a plan's data block (an image at `address`). */
export function tablesAddress(core: Core, address: number): number {
  return alignUp(rowAddress(core, address, 0), TABLE_ALIGN);
}

/** Drops the plan's temporaries and data block, and its output too unless `keepOutput`. */
export function releasePlan(bound: BoundPlan, keepOutput: boolean): void {
  bound.images.forEach((reference, index) => {
    if (index > 0 || !keepOutput) releaseReference(bound.core, reference);
  });
  if (bound.data) releaseReference(bound.core, bound.data);
}

/** Runs a plan in this thread, every step over its whole extent; returns the output's reference. */
export function runPlan(plan: Plan): ImageReference {
  const inputs = plan.inputs.map((image) => imageAddress(image, `${plan.what}()`));
  const bound = bindPlan(plan);
  const address = (index: number) => (index < 0 ? inputs[-1 - index]! : bound.images[index]!.address);
  try {
    for (const step of bound.steps) {
      runBand(bound.core, step.stage, address(step.target), step.sources.map(address), bound.dataAddress, 0, step.extent, plan.what);
    }
  } catch (error) {
    releasePlan(bound, false);
    throw error;
  }
  releasePlan(bound, true);
  return bound.images[0]!;
}

/**
 * Runs rows (or columns) [start, end) of one stage in this thread's core: `target` and
 * `sources` are image addresses, `data` the address of the plan's tables.
 */
export function runBand(core: Core, stage: BoundStage, target: number, sources: readonly number[], data: number,
  start: number, end: number, what: string): void {
  core.check(runStage(core, stage, target, sources, data, start, end), `${what}()`);
}

/** One stage in the core; returns its status. */
function runStage(core: Core, stage: BoundStage, target: number, sources: readonly number[], data: number, start: number, end: number): number {
  const k = core.exports;
  const source = sources[0]!;
  const table = (offset: number) => (offset < 0 ? 0 : data + offset);
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
    case 'nearest': return k.nearestImage(target, source, table(stage.columns), table(stage.rows), start, end);
    case 'resample':
      return k.resampleImage(target, source, table(stage.horizontal), table(stage.vertical), stage.premultiplied ? 1 : 0, start, end);
    case 'blurRows': return k.blurRows(target, source, stage.radius, stage.passes, start, end);
    case 'blurColumns': return k.blurColumns(target, source, stage.radius, stage.passes, start, end);
    case 'alphaComposite': {
      const r = stage.region;
      return k.alphaCompositeImage(target, source, sources[1]!, r.dx, r.dy, r.sx, r.sy, r.width, r.height, start, end);
    }
    case 'paste': {
      const r = stage.region;
      return k.pasteImage(target, source, sources[1]!, stage.masked ? sources[2]! : 0, r.dx, r.dy, r.sx, r.sy, r.width, r.height, start, end);
    }
    case 'fill': {
      const r = stage.region;
      return k.fillImage(target, source, stage.ink, stage.masked ? sources[1]! : 0, r.dx, r.dy, r.sx, r.sy, r.width, r.height, start, end);
    }
  }
}
