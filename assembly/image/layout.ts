// Memory layout of an image and of the references that keep it alive.
//
// An image is a header, a row table and blocks of whole rows, as Pillow's
// ImagingAllocateArray: rows never cross a block, a block holds at most `blockSize`
// bytes, and a small image takes one small block. Kernels address rows only through the
// row table, so an image made of many blocks works everywhere.
//
// Pixels are stored as Pillow stores them: L is 1 byte per pixel; LA, RGB and RGBA are 4
// bytes per pixel (LA as L,L,L,A and RGB as R,G,B,255 when written by this library;
// kernels read only the bands a mode has).
//
//  header block:
//  ┌──────────────────────────┬────────────────────────────┬──────────────────────────┐
//  │ image header (64 bytes)  │ block table                │ row table                │
//  │                          │ count × (u32 addr, u32 pad,│ height × u32 row address │
//  │                          │          u64 tag)          │                          │
//  └──────────────────────────┴────────────────────────────┴──────────────────────────┘
//   +0   u32 magic          IMAGE_LIVE while live, IMAGE_DEAD before and after
//   +4   u32 references     count of live reference records (any thread, atomic)
//   +8   u8  mode           MODE_L, MODE_LA, MODE_RGB, MODE_RGBA
//   +9   u8  bands          1..4
//   +10  u8  pixel size     1 or 4
//   +12  u32 width
//   +16  u32 height
//   +20  u32 row stride     bytes from one row to the next inside a block
//   +24  u32 block count
//   +28  u32 rows per block
//   +32  u64 header tag     tag of the block holding this header
//   +40  u32 row table      address
//   +44  u32 block table    address
//   +48  u32 checked        the heap walker's count (no one else touches it)
//
// Written once by the creating thread before the image's first reference is published;
// only `references` and `magic` change afterwards.
export const IMAGE_MAGIC: usize = 0;
export const IMAGE_REFERENCES: usize = 4;
export const IMAGE_MODE: usize = 8;
export const IMAGE_BANDS: usize = 9;
export const IMAGE_PIXEL_SIZE: usize = 10;
export const IMAGE_WIDTH: usize = 12;
export const IMAGE_HEIGHT: usize = 16;
export const IMAGE_STRIDE: usize = 20;
export const IMAGE_BLOCK_COUNT: usize = 24;
export const IMAGE_ROWS_PER_BLOCK: usize = 28;
export const IMAGE_HEADER_TAG: usize = 32;
export const IMAGE_ROWS: usize = 40;
export const IMAGE_BLOCKS: usize = 44;
export const IMAGE_CHECKED: usize = 48;
export const IMAGE_HEADER_SIZE: usize = 64;
export const BLOCK_ENTRY_SIZE: usize = 16;

export const IMAGE_LIVE: u32 = 0x494D4147; // "IMAG"
export const IMAGE_DEAD: u32 = 0x44454144; // "DEAD"

export const MODE_L: u32 = 0;
export const MODE_LA: u32 = 1;
export const MODE_RGB: u32 = 2;
export const MODE_RGBA: u32 = 3;

// ── reference records ─────────────────────────────────────────────────────────────
//
// Every reference to an image (an Image object in some thread, or a handle on its way to
// another thread) is a 16-byte record that names its holder's slot, so that the
// references of a thread that died can be found and dropped. A slot is not handed to a
// new thread while any record names it (threads.ts).
//
//  chunk page: ┌──────────────┬──────────────┬─────┬──────────────┐
//              │ u32 next     │ record 1     │ ... │ record 255   │
//              │ chunk        │              │     │              │
//              └──────────────┴──────────────┴─────┴──────────────┘
//  record:  +0  u64 state | holder slot << 8 | tag << 16   (CAS; any thread)
//           +8  u32 image
//           +12 u32 link (on its slot's free list)
//
// Every hand-out of a record gets a fresh tag, so a handle that was adopted, released or
// reclaimed no longer matches.
export const REF_SIZE: usize = 16;
export const REF_WORD: usize = 0;
export const REF_IMAGE: usize = 8;
export const REF_LINK: usize = 12;
export const REFS_PER_CHUNK: u32 = 256;
export const CHUNK_NEXT: usize = 0;

export const REF_FREE: u32 = 0;
/** Held by the thread of the slot named in the record. */
export const REF_HELD: u32 = 1;
/** Shared: on its way to another thread; still counted to the sender until adopted. */
export const REF_SENT: u32 = 2;
