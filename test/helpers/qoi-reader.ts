// A QOI reader written from the specification (qoiformat.org, 1.0), sharing nothing with the
// library's decoder, for tests that check QOI files the library wrote.

/** Packed pixels of a QOI file: 3 or 4 bytes each, as its header says. */
export function readQoi(file: Uint8Array): { width: number; height: number; channels: 3 | 4; pixels: Uint8Array } {
  if (String.fromCharCode(...file.subarray(0, 4)) !== 'qoif') throw new Error('not a QOI file');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const width = view.getUint32(4), height = view.getUint32(8);
  const channels = file[12];
  if (channels !== 3 && channels !== 4) throw new Error(`bad channel count ${channels}`);
  const seen = new Uint8Array(64 * 4);
  const pixels = new Uint8Array(width * height * channels);
  const pixel = Uint8Array.of(0, 0, 0, 255);
  let at = 14;
  let repeat = 0;
  const byte = () => {
    if (at >= file.length - 8) throw new Error('QOI data runs into the end marker');
    return file[at++]!;
  };
  for (let i = 0; i < width * height; i++) {
    if (repeat > 0) {
      repeat--;
    } else {
      const tag = byte();
      if (tag === 0xfe) {
        pixel[0] = byte(); pixel[1] = byte(); pixel[2] = byte();
      } else if (tag === 0xff) {
        pixel[0] = byte(); pixel[1] = byte(); pixel[2] = byte(); pixel[3] = byte();
      } else if (tag < 0x40) {
        pixel.set(seen.subarray(tag * 4, tag * 4 + 4));
      } else if (tag < 0x80) {
        pixel[0] = pixel[0]! + ((tag >> 4) & 3) - 2;
        pixel[1] = pixel[1]! + ((tag >> 2) & 3) - 2;
        pixel[2] = pixel[2]! + (tag & 3) - 2;
      } else if (tag < 0xc0) {
        const green = (tag & 0x3f) - 32;
        const next = byte();
        pixel[0] = pixel[0]! + green + (next >> 4) - 8;
        pixel[1] = pixel[1]! + green;
        pixel[2] = pixel[2]! + green + (next & 15) - 8;
      } else {
        repeat = tag & 0x3f;
      }
      const slot = (pixel[0]! * 3 + pixel[1]! * 5 + pixel[2]! * 7 + pixel[3]! * 11) % 64;
      seen.set(pixel, slot * 4);
    }
    pixels.set(pixel.subarray(0, channels), i * channels);
  }
  const end = file.subarray(file.length - 8);
  if (at !== file.length - 8 || !end.every((b, i) => b === (i === 7 ? 1 : 0))) throw new Error('bad QOI end marker');
  return { width, height, channels, pixels };
}
