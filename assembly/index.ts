// The core's exports: what the TypeScript wrapper calls. Each function works on the
// arena this instance is attached to; addresses are plain numbers into the shared memory.

export {
  arenaInit, attach, detach, attachmentLive, allocate, release, blockLive,
  memoryMaximum, scratchAllocate, scratchRelease,
  blocksMaxSet, cacheClear, statsCollect
} from "./alloc/arena";
export { heapCheck } from "./alloc/check";
export {
  imageCreate, imageShare, imageAdopt, imageRelease, imageUnshare, imageOf, reclaim
} from "./image/image";
export { imageUnpack, imagePack } from "./image/pixels";
export { transposeImage, cropImage } from "./kernels/geometry";
export { premultiplyImage, unpremultiplyImage } from "./kernels/alpha";
export { resampleImage, nearestImage } from "./kernels/resize";
export { convertImage } from "./kernels/convert";
export { reduceImage } from "./kernels/reduce";
export { alphaCompositeImage, pasteImage, fillImage } from "./kernels/composite";
export { blurRows, blurColumns } from "./kernels/blur";
export { pngProbe, pngDecode } from "./codecs/png/decode";
export { pngEncode } from "./codecs/png/encode";
export { zlibInflate, zlibDeflate } from "./codecs/deflate/zlib";
export { qoiProbe, qoiDecode, qoiEncode } from "./codecs/qoi";

import * as A from "./alloc/layout";
import * as I from "./image/layout";

// Layout constants, exported as globals so that a test can compare them with src/layout.ts.
export const LAYOUT_VERSION = A.LAYOUT_VERSION;
export const ARENA_HEADER = A.ARENA_HEADER;
export const SLOTS_BASE = A.SLOTS_BASE;
export const SLOT_SIZE = A.SLOT_SIZE;
export const SLOT_RESULTS = A.SLOT_RESULTS;
export const SLOT_STATS = A.SLOT_STATS;
export const MAX_ATTACHMENTS = A.MAX_ATTACHMENTS;
export const MEMORY_BASE = A.MEMORY_BASE;
export const FIXED_END = A.FIXED_END;
export const PAGE_SIZE = A.PAGE_SIZE;
export const SMALL_MAX_BYTES = A.SMALL_MAX_BYTES;
export const HEADER_PAGE_COUNT = A.HEADER_PAGE_COUNT;
export const HEADER_HEAP_START = A.HEADER_HEAP_START;
export const HEADER_FLAGS = A.HEADER_FLAGS;
export const IMAGE_HEADER_SIZE = I.IMAGE_HEADER_SIZE;
export const IMAGE_ROWS = I.IMAGE_ROWS;
export const IMAGE_STRIDE = I.IMAGE_STRIDE;
