// Memory layout of an arena: where the allocator keeps its state inside the shared memory.
//
// Glossary
//   arena       one shared WebAssembly.Memory plus the allocator state inside it
//   page        the allocator's unit, PAGE_SIZE bytes (not the 64 KiB wasm page)
//   run         a contiguous range of pages taken from the page heap: a page block, a
//               slab or a chunk of reference records
//   block       a contiguous run of bytes handed out by the allocator: a run of whole
//               pages ("page block"), or a run of granules inside a slab ("small block")
//   slab        a page cut into GRANULE_SIZE granules for small blocks
//   attachment  one thread's instance of the core over the shared memory; it owns a slot
//   tag         a 48-bit number, unique in the arena: a slot's own counter above the slot
//               index. Every hand-out writes a fresh tag, so that a stale handle never
//               matches again (until a slot has made 2^40 hand-outs)
//   frame       an intent: the operation a thread is in the middle of, written in its slot
//               before the step that matters, so that `reclaim` can finish or undo it if
//               the thread dies there (recover.ts)
//
// How a thread can die, and why frames are enough: engines stop a wasm thread only at a
// function entry or a loop header (where they poll for termination), and the schedule
// explorer kills its virtual threads just before an atomic operation. The core records
// the outcome of every atomic operation in its frame by plain stores right after it, with
// no atomic operation, call or loop header in between; so whatever happens, the frame says
// which atomic steps landed.
//
// Everything mutable lives at fixed addresses below the module's static data, or in the
// dynamic region above it; nothing mutable is in a data segment, because every
// instantiation re-copies the data segments into the shared memory.
//
//  0            1 KiB        2 KiB                      FIXED_END      MEMORY_BASE
//  ┌────────────┬────────────┬──────────────────────────┬──────────────┬────────────┐
//  │ never used │ arena      │ attachment slots         │ free (the    │ static     │
//  │ (null)     │ header     │ MAX_ATTACHMENTS×SLOT_SIZE│ explorer's)  │ data (ro)  │
//  └────────────┴────────────┴──────────────────────────┴──────────────┴────────────┘
//
//  __heap_base (aligned)                                      HEAP_START          maxBytes
//  ┌────────────────────────┬──────────────────────────────────┬─────────────────────┐
//  │ page bitmap (a hint)   │ page map (the truth)             │ heap: PAGE_COUNT    │
//  │ 1 bit per page, 1=taken│ 16 bytes per page                │ pages               │
//  └────────────────────────┴──────────────────────────────────┴─────────────────────┘
//
// The TypeScript side mirrors the constants it needs in src/layout.ts; a test checks that
// both agree with what the module exports.

/** Bump when any offset below changes. */
export const LAYOUT_VERSION: u32 = 4;
export const ARENA_MAGIC: u32 = 0x52415850; // "PXAR"

export const PAGE_SIZE: usize = 4096;
export const PAGE_SHIFT: usize = 12;
export const WASM_PAGE: usize = 65536;

// ── arena header ──────────────────────────────────────────────────────────────────
//
//  +0    u32 magic                 written once by the creating thread
//  +4    u32 state                 0 empty, 1 initialising, 2 ready (CAS)
//  +8    u32 layout version
//  +12   u32 flags                 FLAG_SHARED | FLAG_DEBUG of the creating module;
//                                  FLAG_TRACK_CALLS: each call publishes that its thread is in
//  +16   u32 max wasm pages        the memory's maximum
//  +20   u32 block size            largest block of one image (bytes)
//  +24   u32 alignment             row alignment of images (bytes)
//  +28   u32 page count            pages in the heap
//  +32   u32 heap start            address of page 0
//  +36   u32 bitmap                address of the page bitmap
//  +40   u32 bitmap words          u64 words in the bitmap
//  +44   u32 page map              address of the page map
//  +48   u32 arena id              random; image handles carry it
//  +52   u32 next token            source of attach tokens (any thread)
//  +64   u32 blocks max            the cache bound (setBlocksMax, any thread)
//  +128  i64 credit pool           cache places no slot holds (any thread)
//  +192  u64 pages held            pages taken from the page heap (any thread)
//  +200  u64 peak pages held       high-water mark of the above (any thread, max)
//  +256  u64 × 3 partial slabs     Treiber heads, 64 bytes apart: stacks of listed slabs
//  +448  u32 reference chunks      head of the push-only list of record chunks
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
export const HEADER_ARENA_ID: usize = 48;
export const HEADER_NEXT_TOKEN: usize = 52;
export const HEADER_BLOCKS_MAX: usize = 64;
export const HEADER_CREDIT_POOL: usize = 128;
export const HEADER_PAGES_HELD: usize = 192;
export const HEADER_PEAK_PAGES: usize = 200;
export const HEADER_PARTIAL_SLABS: usize = 256;
export const HEADER_REF_CHUNKS: usize = 448;

export const STATE_EMPTY: u32 = 0;
export const STATE_INITIALISING: u32 = 1;
export const STATE_READY: u32 = 2;

export const FLAG_SHARED: u32 = 1;
export const FLAG_DEBUG: u32 = 2;
/**
 * Every call of every thread publishes that its thread is inside the core (SLOT_IN_CORE,
 * two sequentially consistent stores a call), so that reclaim can wait for a thread its
 * host may still run after terminating it. Without it a thread is reclaimed only once it
 * has stopped for certain (Node's 'exit').
 */
export const FLAG_TRACK_CALLS: u32 = 4;

// ── attachment slots ──────────────────────────────────────────────────────────────
//
// One per attached thread. A slot's counters are written only by the thread that owns
// the slot (plain stores); effects one thread has on another's blocks are counted in the
// acting thread's slot, and stats are sums over all slots. That keeps the hot path free
// of shared counters, and every sum exact once the threads are quiet.
//
//  +0     u64 state word    state | token << 8 | generation << 32 (CAS; any thread)
//  +8     u32 in core       1 while the owner runs a core call (owner; reclaim reads it)
//  +12    u32 frame depth   intent frames in use (owner)
//  +16    u32 × 4 results   second return values of the last call (owner writes, JS reads)
//  +32    f64 result tag    the tag of what the last call handed out
//  +40    u32 × 3 active    the slabs this slot allocates small blocks from, per bin (owner)
//  +52    u32 ref free      free reference records (owner only)
//  +64    u32 credits       cache places this slot may fill (owner; any thread revokes)
//  +72    u64 tag counter   the slot's tag source (owner)
//  +128   u64 × 16 counters owner only; see COUNTER_*
//  +256   f64 × 16 stats    filled by the owner on request, read by JS
//  +384   frames            FRAME_COUNT × FRAME_SIZE intents (owner; reclaim reads)
//  +1152  scratch           SCRATCH_ENTRIES × (u32 address, u32 pad, u64 tag): blocks the
//                           core took for its own temporaries (owner), freed by reclaim
//  +1408  u64 × CLASS_COUNT cache: one Treiber head per size class
//                           (owner pushes and pops; any thread may pop)
export const MAX_ATTACHMENTS: u32 = 128;
export const SLOTS_BASE: usize = 2048;
export const SLOT_SIZE: usize = 3584;
export const SLOT_STATE: usize = 0;
export const SLOT_IN_CORE: usize = 8;
export const SLOT_FRAME_DEPTH: usize = 12;
export const SLOT_RESULTS: usize = 16;
export const SLOT_RESULT_TAG: usize = 32;
export const SLOT_ACTIVE_SLABS: usize = 40;
export const SLOT_REF_FREE: usize = 52;
export const SLOT_CREDITS: usize = 64;
export const SLOT_TAG_COUNTER: usize = 72;

export const SLOT_COUNTERS: usize = 128;
export const SLOT_STATS: usize = 256;
export const SLOT_FRAMES: usize = 384;
export const SLOT_SCRATCH: usize = 1152;
export const SLOT_CACHE: usize = 1408;
export const SCRATCH_ENTRIES: u32 = 16;
export const SCRATCH_ENTRY_SIZE: usize = 16;

// slot states (bits 0..7 of the state word)
export const SLOT_FREE: u32 = 0;
/** Attached: its thread may call the core. */
export const SLOT_LIVE: u32 = 1;
/** Its thread detached while image references still name it: kept until reclaimed. */
export const SLOT_DETACHED: u32 = 2;
/** A reclaim waits for its thread to leave the core; the thread's next call is refused. */
export const SLOT_FENCED: u32 = 3;
/** Being reclaimed (by the slot named in the reclaimer's frame). */
export const SLOT_RECLAIMING: u32 = 4;

// results (u32 index into SLOT_RESULTS)
export const RESULT_SIZE: usize = 0;
export const RESULT_ERROR: usize = 1;
export const RESULT_AUX: usize = 2;

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
export const MEMORY_BASE: usize = 524288;

// ── intent frames ─────────────────────────────────────────────────────────────────
//
// A frame says what its thread is in the middle of. The owner writes it before the step
// that matters and updates `phase` after each step; `reclaim` reads it once the thread is
// gone (recover.ts). Frames nest (an image creation allocates blocks, which take pages).
//
//  +0   u32 op          OP_* (0: unused)
//  +4   u32 phase       how far the operation got
//  +8   u64 × 11 args   per operation (recover.ts names them)
export const FRAME_COUNT: u32 = 8;
export const FRAME_SIZE: usize = 96;
export const FRAME_OP: usize = 0;
export const FRAME_PHASE: usize = 4;
export const FRAME_ARGS: usize = 8;
export const FRAME_ARG_COUNT: u32 = 11;

// ── size classes of page blocks ───────────────────────────────────────────────────
//
// Classes 0..14 hold blocks of exactly 1..15 pages; above, each power of two is split in
// 16 steps (a block is at most 1/16 larger than asked). A class's blocks all have the
// same size, so any cached block of a class serves any request of that class.
export const CLASS_EXACT: u32 = 15;
export const CLASS_STEPS_LOG2: u32 = 4;
export const CLASS_COUNT: u32 = 272;

// ── page map entries (16 bytes per page) ──────────────────────────────────────────
//
//  word 0 (u64, CAS): bits 0..3 kind, bits 16..63 tag
//  word 1 (u64):      bits 0..23 page count of the run that starts here,
//                     bits 32..63 link: index + 1 of the next run on a stack (0: none)
//
// The page map is the truth about every page; the bitmap only helps to find free runs.
// Pages are claimed one entry at a time, FREE → INNER(tag of the claim), lowest first,
// and the claiming thread counts them in its frame. A run's first page then carries its
// kind; its other pages stay INNER with the claim's tag.
// Only a first page carries BLOCK, CACHED, SLAB, REFS or RELEASING: that is what makes a
// stale pointer into the middle of a newer run fail its free.
export const ENTRY_SIZE: usize = 16;
export const ENTRY_SHIFT: usize = 4;
export const KIND_FREE: u32 = 0;
export const KIND_INNER: u32 = 1;
export const KIND_BLOCK: u32 = 2;
export const KIND_CACHED: u32 = 3;
export const KIND_SLAB: u32 = 4;
export const KIND_REFS: u32 = 5;
export const KIND_RELEASING: u32 = 6;

// ── slabs (small blocks) ──────────────────────────────────────────────────────────
//
//  page:  ┌─────────────────┬───────┬─────────────────────── ... ──┐
//         │ slab header     │ (pad) │ 62 granules of 64 bytes       │
//         │ granule 0       │ g. 1  │ granules 2..63                │
//         └─────────────────┴───────┴─────────────────────── ... ──┘
//  +0   u64 owner    bits 0..1 UNOWNED / OWNED / LISTED / RETIRED, bits 16..63 the tag of
//                    the step that made it so (OWNED: its low 8 bits name the owner slot)
//  +8   u64 used     bit i (2..63): granule i taken (the owner alone writes it)
//  +16  u64 starts   bit i: a small block starts at granule i (the owner alone writes it)
//  +24  u32 bin      the size bin the slab serves (SMALL_BINS)
//
//  small block: ┌──────────────────────────────────────────────┬──────────┐
//               │ u64 header: tag | (granules-1)<<48 | state<<53 │ data ... │
//               │              | SMALL_MAGIC<<56                │          │
//               └──────────────────────────────────────────────┴──────────┘
//  state LIVE: handed out with `tag`; FREED: freed by the step with `tag`, its granules
//  not yet given back (the slab's owner does that); DEAD: given back.
export const GRANULE_SIZE: usize = 64;
export const GRANULE_SHIFT: usize = 6;
export const SLAB_OWNER: usize = 0;
export const SLAB_USED: usize = 8;
export const SLAB_STARTS: usize = 16;
export const SLAB_BIN: usize = 24;
export const SLAB_FIRST_GRANULE: u32 = 2;
export const SLAB_UNOWNED: u32 = 0;
export const SLAB_OWNED: u32 = 1;
export const SLAB_LISTED: u32 = 2;
export const SLAB_RETIRED: u32 = 3;
export const SLAB_DATA_MASK: u64 = 0xFFFFFFFFFFFFFFFC;
export const SMALL_HEADER: usize = 8;
export const SMALL_MAGIC: u64 = 0xB1;
export const SMALL_LIVE: u32 = 1;
export const SMALL_FREED: u32 = 2;
export const SMALL_DEAD: u32 = 3;
/** Largest small block in granules (header included): 2 KiB. */
export const SMALL_MAX_GRANULES: u32 = 32;
export const SMALL_MAX_BYTES: usize = <usize>SMALL_MAX_GRANULES * GRANULE_SIZE - SMALL_HEADER;
/**
 * Small blocks are binned by size so that a slab's free runs fit its next requests: a
 * slab serves one bin, and each thread allocates from one slab per bin.
 * Bin b takes blocks of up to SMALL_BIN_LIMIT_b granules (header included).
 */
export const SMALL_BINS: u32 = 3;
export const SMALL_BIN_LIMIT_0: u32 = 4;
export const SMALL_BIN_LIMIT_1: u32 = 12;

// ── tags ──────────────────────────────────────────────────────────────────────────
/** A tag is a slot's counter above 8 bits of slot index: 48 bits in all. */
export const TAG_SLOT_BITS: u32 = 8;
export const TAG_BITS: u32 = 48;
export const TAG_MASK: u64 = 0xFFFFFFFFFFFF;

// ── status codes (mirrored by src/errors.ts) ──────────────────────────────────────
export const OK: i32 = 0;
export const ERR_ARENA_FULL: i32 = 1;
export const ERR_DOUBLE_FREE: i32 = 2;
export const ERR_INVALID_HANDLE: i32 = 3;
export const ERR_NOT_A_BLOCK: i32 = 4;
export const ERR_NOT_READY: i32 = 5;
export const ERR_NO_SLOT: i32 = 6;
export const ERR_LIMIT: i32 = 7;
/** Malformed, truncated or lying input to a decoder. */
export const ERR_DECODE: i32 = 9;
/** Valid input the library does not handle (a JPEG coding process, a format option). */
export const ERR_UNSUPPORTED: i32 = 10;
/** This thread's attachment was reclaimed: its calls are refused. */
export const ERR_FENCED: i32 = 11;
/** Reclaim: the thread is inside a core call; try again once it has left. */
export const ERR_BUSY: i32 = 12;
/** Reclaim of a running thread in an arena whose calls are not tracked (no FLAG_TRACK_CALLS). */
export const ERR_UNTRACKED: i32 = 13;
