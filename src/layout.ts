// Layout constants shared with the core. The authoritative diagrams are in
// assembly/alloc/layout.ts and assembly/image/layout.ts; test/layout.test.ts checks that
// these numbers equal the ones the compiled module exports.

export const LAYOUT_VERSION = 4;
export const ARENA_HEADER = 1024;
export const SLOTS_BASE = 2048;
export const SLOT_SIZE = 3584;
export const SLOT_RESULTS = 16;
export const SLOT_RESULT_TAG = 32;
export const SLOT_STATS = 256;
export const SLOT_STATE = 0;
export const SLOT_IN_CORE = 8;
export const MAX_ATTACHMENTS = 128;
export const MEMORY_BASE = 524288;
export const FIXED_END = 460800;
export const PAGE_SIZE = 4096;
export const SMALL_MAX_BYTES = 2040;
export const HEADER_PAGE_COUNT = 28;
export const HEADER_HEAP_START = 32;
export const HEADER_PAGE_MAP = 44;
export const HEADER_FLAGS = 12;
export const FLAG_TRACK_CALLS = 4;
export const IMAGE_HEADER_SIZE = 64;
export const IMAGE_ROWS = 40;
export const IMAGE_STRIDE = 20;
export const IMAGE_MODE = 8;
export const IMAGE_WIDTH = 12;
export const IMAGE_HEIGHT = 16;
// tags: a slot's counter above TAG_SLOT_BITS bits of slot index, TAG_BITS in all
export const TAG_SLOT_BITS = 8;
export const TAG_BITS = 48;
/** Tags and attachment ids are integers below these (ids: a 32-bit generation above the slot byte). */
export const TAG_LIMIT = 2 ** TAG_BITS;
export const ATTACHMENT_ID_LIMIT = 2 ** (32 + TAG_SLOT_BITS);

/** Largest width or height of an image (a JS-side limit: row and header arithmetic stays in safe ranges). */
export const MAX_SIDE = 0x3fffffff;

export const WASM_PAGE = 65536;
/** Largest memory a 32-bit wasm module may declare: 4 GiB − 64 KiB. */
export const MAX_MEMORY_BYTES = 65535 * WASM_PAGE;

// result words of a slot (u32 index); the tag result is an f64 at SLOT_RESULT_TAG
export const RESULT_SIZE = 0;
export const RESULT_ERROR = 1;
export const RESULT_AUX = 2;

// stats of a slot (f64 index), filled by statsCollect
export const STAT_BYTES_COMMITTED = 0;
export const STAT_BYTES_IN_USE = 1;
export const STAT_PEAK_BYTES = 2;
export const STAT_BLOCKS_IN_USE = 3;
export const STAT_BLOCKS_CACHED = 4;
export const STAT_IMAGES_LIVE = 5;
export const STAT_ALLOCATED = 6;
export const STAT_REUSED = 7;
export const STAT_FREED = 8;
export const STAT_RECLAIMED = 9;
export const STAT_BYTES_HELD = 10;
export const STAT_BLOCKS_MAX = 11;
export const STAT_ATTACHMENTS = 12;

// heap walk results (f64 index), filled by heapCheck
export const WALK_LIVE_BLOCKS = 0;
export const WALK_LIVE_BYTES = 1;
export const WALK_CACHED_BLOCKS = 2;
export const WALK_FREE_PAGES = 3;
export const WALK_SLAB_PAGES = 4;
export const WALK_REF_CHUNKS = 5;
export const WALK_LIVE_REFERENCES = 6;
export const WALK_LIVE_IMAGES = 7;
export const WALK_WHERE = 8;
export const WALK_SMALL_BLOCKS = 9;
export const WALK_PAGES_HELD = 10;

export const VIOLATIONS: Record<number, string> = {
  1: 'a taken page that no run covers (a claim or a give left behind)',
  2: 'the page bitmap calls a free page taken (lost to searches)',
  3: 'a page inside a run that is not an inner page, or a run past the heap',
  4: 'a free page whose entry is not empty',
  5: 'a cache stack holds a block that is not cached',
  6: 'cached blocks found differ from the count (or a block is on two stacks)',
  7: 'slab granules and small-block headers disagree',
  8: 'blocks in use differ from allocations minus frees',
  9: 'cached blocks plus credits differ from blocksMax',
  10: 'bytes held differ from the pages taken',
  11: 'a live reference names a dead image',
  12: 'image reference counts or live images disagree',
  13: 'an operation left unfinished (an open intent frame, or a slot fenced or being reclaimed)',
};

// image modes
export const MODES = ['L', 'LA', 'RGB', 'RGBA'] as const;
export type Mode = (typeof MODES)[number];
export const MODE_CODE: Record<Mode, number> = { L: 0, LA: 1, RGB: 2, RGBA: 3 };
/** Bytes per pixel of the packed form (toPixels / fromPixels). */
export const PACKED_SIZE: Record<Mode, number> = { L: 1, LA: 2, RGB: 3, RGBA: 4 };

// fill kinds of imageCreate
export const FILL_NONE = 0;
export const FILL_ZERO = 1;
export const FILL_VALUE = 2;

// mode codes of the core (MODE_CODE maps names to them)
export const MODE_L = 0;
export const MODE_LA = 1;
export const MODE_RGB = 2;
export const MODE_RGBA = 3;

/** Violations the heap walker reports are 1 .. VIOLATION_COUNT. */
export const VIOLATION_COUNT = 13;

/** The slot index of an attachment id (generation × 256 + slot: assembly/alloc/state.ts). */
export function attachmentSlot(id: number): number {
  return id % 2 ** TAG_SLOT_BITS;
}

// codecs (assembly/codecs/common.ts): format codes, and the header a probe leaves in the stats area
export const FORMAT_PNG = 1;
export const FORMAT_JPEG = 2;
export const FORMAT_QOI = 3;
export const INFO_FORMAT = 0;
export const INFO_WIDTH = 1;
export const INFO_HEIGHT = 2;
export const INFO_MODE = 3;
export const INFO_BIT_DEPTH = 4;
export const INFO_INTERLACED = 5;
export const INFO_PROGRESSIVE = 6;
export const INFO_SAMPLING = 7;
export const INFO_ORIENTATION = 8;
export const INFO_HAS_ICC = 9;
export const INFO_COMPONENTS = 10;
export const INFO_COLOR = 11;
