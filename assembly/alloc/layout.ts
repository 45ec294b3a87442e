// Memory layout of an arena: where the allocator keeps its state inside the shared memory.
//
// Glossary
//   arena       one shared WebAssembly.Memory plus the allocator state inside it
//   page        the allocator's unit, PAGE_SIZE bytes (not the 64 KiB wasm page)
//   block       a contiguous run of bytes handed out by the allocator: a run of whole
//               pages ("page block"), or a run of granules inside a slab ("small block")
//   slab        a page cut into GRANULE_SIZE granules for small blocks
//   attachment  one thread's instance of the core over the shared memory; it owns a slot
//   tag         a generation number stamped on every hand-out, so that a stale handle
//               is told apart from the live block that now sits at the same address
//
// Everything mutable lives at fixed addresses below the module's static data, or in the
// dynamic region above it; nothing mutable is in a data segment, because every
// instantiation re-copies the data segments into the shared memory.
//
//  0            1 KiB        2 KiB                                   MEMORY_BASE
//  ┌────────────┬────────────┬───────────────────────────────────────┬────────────┐
//  │ never used │ arena      │ attachment slots                      │ static     │
//  │ (null)     │ header     │ MAX_ATTACHMENTS × SLOT_SIZE           │ data (ro)  │
//  └────────────┴────────────┴───────────────────────────────────────┴────────────┘
//
//  __heap_base (aligned)                                      HEAP_START          maxBytes
//  ┌────────────────────────┬──────────────────────────────────┬─────────────────────┐
//  │ page bitmap            │ page map                         │ heap: PAGE_COUNT    │
//  │ 1 bit per page, 1=taken│ one u64 entry per page           │ pages               │
//  └────────────────────────┴──────────────────────────────────┴─────────────────────┘
//
// The TypeScript side mirrors the constants of this file in src/layout.ts; a test checks
// that both agree with what the module reports.

/** Bump when any offset below changes. */
export const LAYOUT_VERSION: u32 = 2;
export const ARENA_MAGIC: u32 = 0x52415850; // "PXAR"

export const PAGE_SIZE: usize = 4096;
export const PAGE_SHIFT: usize = 12;
export const WASM_PAGE: usize = 65536;

// ── arena header ──────────────────────────────────────────────────────────────────
//
//  +0    u32 magic                 written once by the creating thread
//  +4    u32 state                 0 empty, 1 initialising, 2 ready (CAS)
//  +8    u32 layout version
//  +12   u32 build flags           FLAG_SHARED | FLAG_DEBUG of the creating module
//  +16   u32 max wasm pages        the memory's maximum
//  +20   u32 block size            largest block of one image (bytes)
//  +24   u32 alignment             row alignment of images (bytes)
//  +28   u32 page count            pages in the heap
//  +32   u32 heap start            address of page 0
//  +36   u32 bitmap                address of the page bitmap
//  +40   u32 bitmap words          u64 words in the bitmap
//  +44   u32 page map              address of the page map
//  +64   u32 blocks max            cache bound; written by setBlocksMax (any thread)
//  +128  i64 cache credits         cache places not handed to any slot (any thread)
//  +512  u64 × 3 partial slabs     Treiber heads, one per small-block bin, 64 bytes apart:
//                                  slabs with free granules (any thread)
//  +256  u64 bytes held            bytes of pages taken from the page heap (any thread)
//  +264  u64 peak bytes held       high-water mark of the above (any thread)
//  +320  u64 × 2 live slots        bit per slot that is attached (any thread)
//  +384  u32 ref chunks            head of the push-only list of reference chunks
//
// Words that many threads write sit on their own 64-byte line.
export const ARENA_HEADER: usize = 1024;
export const HEADER_MAGIC: usize = 0;
export const HEADER_STATE: usize = 4;
export const HEADER_LAYOUT: usize = 8;
export const HEADER_FLAGS: usize = 12;
export const HEADER_MAX_WASM_PAGES: usize = 16;
export const HEADER_BLOCK_SIZE: usize = 20;
export const HEADER_ALIGNMENT: usize = 24;
export const HEADER_PAGE_COUNT: usize = 28;
export const HEADER_HEAP_START: usize = 32;
export const HEADER_BITMAP: usize = 36;
export const HEADER_BITMAP_WORDS: usize = 40;
export const HEADER_PAGE_MAP: usize = 44;
export const HEADER_BLOCKS_MAX: usize = 64;
export const HEADER_CACHE_CREDITS: usize = 128;
export const HEADER_PARTIAL_SLABS: usize = 512;
export const HEADER_BYTES_HELD: usize = 256;
export const HEADER_PEAK_BYTES_HELD: usize = 264;
export const HEADER_LIVE_SLOTS: usize = 320;
export const HEADER_REF_CHUNKS: usize = 384;

export const STATE_EMPTY: u32 = 0;
export const STATE_INITIALISING: u32 = 1;
export const STATE_READY: u32 = 2;

export const FLAG_SHARED: u32 = 1;
export const FLAG_DEBUG: u32 = 2;

// ── attachment slots ──────────────────────────────────────────────────────────────
//
// One per attached thread. A slot's counters are written only by the thread that owns
// the slot (plain stores); effects one thread has on another's blocks are counted in the
// acting thread's slot, and stats are sums over all slots. That keeps the hot path free
// of shared counters, and every sum exact once the threads are quiet.
//
//  +0     u32 state         0 free, 1 live; claimed with CAS (any thread)
//  +4     u32 generation    bumped at each claim; attachment id = generation << 8 | slot
//  +8     u32 credits       cache places this slot may fill (owner; revoked by any thread)
//  +48    u32 × 3 active    the slabs this slot allocates small blocks from, per bin (owner)
//  +16    u32 × 4 results   second return values of the last call (owner writes, JS reads)
//  +64    u64 × 16 counters owner only; see COUNTER_*
//  +192   u32 ref free      free reference records (owner only)
//  +256   f64 × 16 stats    filled by the owner on request, read by JS
//  +384   u64 × CLASS_COUNT cache: one Treiber head per size class
//                           (owner pushes and pops; any thread may pop)
//  +2560  (u32, u32) × 16   scratch: blocks the core took for its own temporaries
//                           (address, tag; owner only), freed by reclaim if it dies
export const MAX_ATTACHMENTS: u32 = 128;
export const SLOTS_BASE: usize = 2048;
export const SLOT_SIZE: usize = 2688;
export const SLOT_STATE: usize = 0;
export const SLOT_GENERATION: usize = 4;
export const SLOT_CREDITS: usize = 8;
export const SLOT_ACTIVE_SLABS: usize = 48;
export const SLOT_RESULTS: usize = 16;
export const SLOT_COUNTERS: usize = 64;
export const SLOT_REF_FREE: usize = 192;
export const SLOT_STATS: usize = 256;
export const SLOT_CACHE: usize = 384;
export const SLOT_SCRATCH: usize = 2560;
export const SCRATCH_ENTRIES: u32 = 16;

export const SLOT_FREE: u32 = 0;
export const SLOT_LIVE: u32 = 1;

// results (u32 index into SLOT_RESULTS)
export const RESULT_SIZE: usize = 0;
export const RESULT_TAG: usize = 1;
export const RESULT_ERROR: usize = 2;
export const RESULT_AUX: usize = 3;

// counters (u64 index into SLOT_COUNTERS)
export const COUNTER_ALLOCATED: usize = 0;
export const COUNTER_REUSED: usize = 1;
export const COUNTER_FREED: usize = 2;
export const COUNTER_RECLAIMED: usize = 3;
export const COUNTER_BYTES_ALLOCATED: usize = 4;
export const COUNTER_BYTES_FREED: usize = 5;
export const COUNTER_CACHE_PUSHED: usize = 6;
export const COUNTER_CACHE_POPPED: usize = 7;
export const COUNTER_IMAGES_CREATED: usize = 8;
export const COUNTER_IMAGES_DESTROYED: usize = 9;
export const COUNTER_TAGS: usize = 10;
export const COUNTER_COUNT: usize = 16;

// stats (f64 index into SLOT_STATS), the order of ArenaStats in src/arena.ts
export const STAT_BYTES_COMMITTED: usize = 0;
export const STAT_BYTES_IN_USE: usize = 1;
export const STAT_PEAK_BYTES: usize = 2;
export const STAT_BLOCKS_IN_USE: usize = 3;
export const STAT_BLOCKS_CACHED: usize = 4;
export const STAT_IMAGES_LIVE: usize = 5;
export const STAT_ALLOCATED: usize = 6;
export const STAT_REUSED: usize = 7;
export const STAT_FREED: usize = 8;
export const STAT_RECLAIMED: usize = 9;
export const STAT_BYTES_HELD: usize = 10;
export const STAT_BLOCKS_MAX: usize = 11;
export const STAT_ATTACHMENTS: usize = 12;
export const STAT_COUNT: usize = 16;

export const FIXED_END: usize = SLOTS_BASE + <usize>MAX_ATTACHMENTS * SLOT_SIZE;
/** Static data starts here (asc --memoryBase); must be >= FIXED_END. */
export const MEMORY_BASE: usize = 393216;

// ── size classes of page blocks ───────────────────────────────────────────────────
//
// Classes 0..14 hold blocks of exactly 1..15 pages; above, each power of two is split in
// 16 steps (a block is at most 1/16 larger than asked). A class's blocks all have the
// same size, so any cached block of a class serves any request of that class.
export const CLASS_EXACT: u32 = 15;
export const CLASS_STEPS_LOG2: u32 = 4;
export const CLASS_COUNT: u32 = 272;

// ── page map entries (u64) ────────────────────────────────────────────────────────
//
//  bits  0..23  page count of the block that starts at this page
//  bits 24..31  kind: KIND_FREE, KIND_BLOCK, KIND_CACHED, KIND_SLAB, KIND_REFS
//  bits 32..63  tag of the current or last hand-out that started at this page
//
// Only the first page of a block, slab or reference chunk carries a kind other than
// KIND_FREE; every other page (free, or inside a block) says KIND_FREE. That is what makes
// a stale pointer into the middle of a newer block fail its free.
export const KIND_FREE: u32 = 0;
export const KIND_BLOCK: u32 = 1;
export const KIND_CACHED: u32 = 2;
export const KIND_SLAB: u32 = 3;
export const KIND_REFS: u32 = 4;

// ── slabs (small blocks) ──────────────────────────────────────────────────────────
//
//  page:  ┌─────────────────┬───────┬─────────────────────── ... ──┐
//         │ slab header     │ (pad) │ 62 granules of 64 bytes       │
//         │ granule 0       │ g. 1  │ granules 2..63                │
//         └─────────────────┴───────┴─────────────────────── ... ──┘
//  +0   u64 used     bit i (2..63): granule i taken; bit 0 ACTIVE (some thread allocates
//                    from it), bit 1 LISTED (on the partial-slab stack); ~0 = retired
//  +8   u64 starts   bit i: a small block starts at granule i
//  +16  u32 next     link while on the partial-slab stack
//  +20  u32 bin      the size bin the slab serves (SMALL_BINS)
//
//  small block: ┌──────────────────────────────┬──────────────────────┐
//               │ u64 header: tag | granules<<32 | magic<<48 │ data ... │
//               └──────────────────────────────┴──────────────────────┘
export const GRANULE_SIZE: usize = 64;
export const GRANULE_SHIFT: usize = 6;
export const SLAB_USED: usize = 0;
export const SLAB_STARTS: usize = 8;
export const SLAB_NEXT: usize = 16;
export const SLAB_BIN: usize = 20;
export const SLAB_FIRST_GRANULE: u32 = 2;
export const SLAB_ACTIVE: u64 = 1;
export const SLAB_LISTED: u64 = 2;
export const SLAB_RETIRED: u64 = 0xFFFFFFFFFFFFFFFF;
export const SLAB_DATA_MASK: u64 = 0xFFFFFFFFFFFFFFFC;
export const SMALL_HEADER: usize = 8;
/** Largest small block in granules (header included): 2 KiB. */
export const SMALL_MAX_GRANULES: u32 = 32;
export const SMALL_MAX_BYTES: usize = <usize>SMALL_MAX_GRANULES * GRANULE_SIZE - SMALL_HEADER;
/**
 * Small blocks are binned by size so that a slab's free runs fit its next requests: a
 * slab serves one bin, and each thread allocates from one active slab per bin.
 * Bin b takes blocks of up to SMALL_BIN_LIMIT_b granules (header included).
 */
export const SMALL_BINS: u32 = 3;
export const SMALL_BIN_LIMIT_0: u32 = 4;
export const SMALL_BIN_LIMIT_1: u32 = 12;
export const SMALL_LIVE: u64 = 0xB10C;
export const SMALL_DEAD: u64 = 0xDEAD;

// ── status codes (mirrored by src/errors.ts) ──────────────────────────────────────
export const OK: i32 = 0;
export const ERR_ARENA_FULL: i32 = 1;
export const ERR_DOUBLE_FREE: i32 = 2;
export const ERR_INVALID_HANDLE: i32 = 3;
export const ERR_NOT_A_BLOCK: i32 = 4;
export const ERR_NOT_READY: i32 = 5;
export const ERR_NO_SLOT: i32 = 6;
export const ERR_LIMIT: i32 = 7;
export const ERR_CORRUPT: i32 = 8;
/** Malformed, truncated or lying input to a decoder. */
export const ERR_DECODE: i32 = 9;
/** Valid input the library does not handle (a JPEG coding process, a format option). */
export const ERR_UNSUPPORTED: i32 = 10;
