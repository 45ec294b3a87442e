// What every codec shares: how a decoder reports a header (probe), and the contract of
// the codec entry points exported by assembly/index.ts.
//
// Decoders read compressed bytes that the caller copied into an arena block
// (`input`, `length`): wasm reads nothing else. They check every length before use and
// the pixel limit (`maxPixels`) from the header before allocating anything, then create
// the output image with imageCreate (one reference held by this thread: RESULT_AUX is the
// record, RESULT_TAG its tag) and write its rows in a stream. Temporaries come from
// scratchAllocate, so that a thread that dies mid-call leaves nothing behind once
// reclaimed. On any failure a decoder frees everything it took (the image included) and
// returns 0 with the status (ERR_DECODE, ERR_UNSUPPORTED, ERR_LIMIT, ERR_ARENA_FULL) set
// by fail().
//
// Encoders read an image and write into a scratch block that they grow as needed; they
// return its address with the byte count in RESULT_SIZE, and the caller copies the bytes
// out and frees the block with scratchRelease.
//
// Probes fill this slot's stats area (f64s, INFO_* order) and return a status.

/** Image format codes (INFO_FORMAT). */
export const FORMAT_PNG: u32 = 1;
export const FORMAT_JPEG: u32 = 2;
export const FORMAT_QOI: u32 = 3;

// f64 index into the slot's stats area, filled by a probe
export const INFO_FORMAT: usize = 0;
export const INFO_WIDTH: usize = 1;
export const INFO_HEIGHT: usize = 2;
/** The mode a plain decode gives (MODE_L, MODE_LA, MODE_RGB, MODE_RGBA). */
export const INFO_MODE: usize = 3;
/** Bits per sample as stored (PNG 1..16, JPEG 8). */
export const INFO_BIT_DEPTH: usize = 4;
/** PNG: Adam7 interlaced (1) or not (0). */
export const INFO_INTERLACED: usize = 5;
/** JPEG: progressive (1) or sequential (0). */
export const INFO_PROGRESSIVE: usize = 6;
/** JPEG: sampling factors, component i's (h << 4 | v) in byte i (up to 4 components). */
export const INFO_SAMPLING: usize = 7;
/** JPEG: EXIF orientation 1..8 (1 when absent). */
export const INFO_ORIENTATION: usize = 8;
/** JPEG: an ICC profile is present (1) or not (0). */
export const INFO_HAS_ICC: usize = 9;
/** Components in the file (PNG: channels; JPEG: 1, 3 or 4). */
export const INFO_COMPONENTS: usize = 10;
/** JPEG colour transform: 0 gray, 1 YCbCr, 2 RGB, 3 CMYK, 4 YCCK. */
export const INFO_COLOR: usize = 11;
export const INFO_COUNT: usize = 12;
