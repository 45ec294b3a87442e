// The public surface of pixel-arena (the package entries add the runtime adapter).

export { Arena } from './arena.js';
export type { ArenaOptions, ArenaStats, Block, HeapReport, SharedArena } from './arena.js';
export { Image } from './image.js';
export type { ImageHandle } from './image.js';
export { ArenaError } from './errors.js';
export type { ErrorCode } from './errors.js';
export type { Mode } from './layout.js';
export type { TransposeMethod } from './kernels/geometry.js';
export type { Filter, ResizeOptions } from './kernels/resize.js';
export type { Box, Point } from './validate.js';
export type { Format, DecodeOptions, EncodeOptions, EncodedInput, ImageInfo } from './codecs/codecs.js';
export { Pool } from './pool/pool.js';
export type { PoolOptions, JobOptions } from './pool/pool.js';
export type { TaskContext, TaskFunction } from './pool/worker.js';
export { thumbnail, planThumbnail } from './thumbnail.js';
export type { Fit, ThumbnailOptions, ThumbnailPlan } from './thumbnail.js';
