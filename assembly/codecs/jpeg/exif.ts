// EXIF orientation (tag 0x0112 of IFD0) read as Pillow 9.4 reads it: Image.getexif on
// the first APP1 that starts with "Exif\0", then ImageOps.exif_transpose looks the value
// up among 2..8.
//
// What that means in detail (TiffImagePlugin.ImageFileDirectory_v2.load):
// - "Exif\0\0" is stripped; the rest must start with a TIFF header (II*\0, MM\0*, or the
//   swapped-magic forms II\0* and MM*\0, which Pillow accepts too).
// - IFD0 is read entry by entry; a short read stops the walk, keeping what came before.
// - An entry of an unknown type or with no data is skipped; a later entry for the same
//   tag replaces an earlier one. Data larger than 4 bytes sits at an offset; an offset
//   past the end stops the walk.
// - Orientation is declared with one value, so its first value is taken whatever the
//   count. Numeric types (SHORT, LONG, SBYTE, SSHORT, SLONG, IFD, LONG8, FLOAT, DOUBLE,
//   RATIONAL, SRATIONAL) compare by numeric value; BYTE, ASCII and UNDEFINED give bytes
//   or text, which never match.

/** The orientation (1..8; 1 when absent or not one of 2..8) in an APP1 segment's data. */
export function exifOrientation(data: usize, length: usize): u32 {
  if (length < 6 || load<u8>(data + 5) != 0) return 1; // "Exif\0" then not \0: no TIFF
  let tiff = data + 6;
  let size = length - 6;
  if (size < 8) return 1;
  let b0 = load<u8>(tiff), b1 = load<u8>(tiff + 1), b2 = load<u8>(tiff + 2), b3 = load<u8>(tiff + 3);
  let big: bool;
  if (b0 == 0x4D && b1 == 0x4D && ((b2 == 0 && b3 == 0x2A) || (b2 == 0x2A && b3 == 0))) big = true;
  else if (b0 == 0x49 && b1 == 0x49 && ((b2 == 0x2A && b3 == 0) || (b2 == 0 && b3 == 0x2A))) big = false;
  else return 1; // BigTIFF headers and anything else
  let offset = <u64>read32(tiff + 4, big);
  if (offset + 2 > <u64>size) return 1;
  let entries = read16(tiff + <usize>offset, big);
  let result: u32 = 1;
  let at = <usize>offset + 2;
  for (let i: u32 = 0; i < entries; i++, at += 12) {
    if (at + 12 > size) break;
    let tag = read16(tiff + at, big);
    let type = read16(tiff + at + 2, big);
    let count = read32(tiff + at + 4, big);
    let unit = typeSize(type);
    if (unit == 0) continue;
    let bytes = <u64>count * <u64>unit;
    let value = tiff + at + 8;
    if (bytes > 4) {
      let place = <u64>read32(value, big);
      if (place + bytes > <u64>size) break; // Pillow's truncated read ends the walk
      value = tiff + <usize>place;
    }
    if (bytes == 0 || tag != 0x0112) continue;
    result = orientationValue(value, type, big);
  }
  return result;
}

/** Bytes per value of a TIFF type Pillow loads (0: a type it skips). */
function typeSize(type: u32): u32 {
  switch (type) {
    case 1: case 2: case 6: case 7: return 1;
    case 3: case 8: return 2;
    case 4: case 9: case 11: case 13: return 4;
    case 5: case 10: case 12: case 16: return 8;
  }
  return 0;
}

/** The first value, as an orientation 2..8, or 1 when it is none of those. */
function orientationValue(value: usize, type: u32, big: bool): u32 {
  let number: f64;
  switch (type) {
    case 3: number = <f64>read16(value, big); break;
    case 8: number = <f64><i16>read16(value, big); break;
    case 4: case 13: number = <f64>read32(value, big); break;
    case 9: number = <f64><i32>read32(value, big); break;
    case 6: number = <f64>load<i8>(value); break;
    case 16: {
      let high = read32(value, big), low = read32(value + 4, big);
      if (!big) { let swap = high; high = low; low = swap; }
      number = high != 0 ? 0 : <f64>low;
      break;
    }
    case 11: number = <f64>reinterpret<f32>(read32(value, big)); break;
    case 12: {
      let high = read32(value, big), low = read32(value + 4, big);
      if (!big) { let swap = high; high = low; low = swap; }
      number = reinterpret<f64>((<u64>high << 32) | <u64>low);
      break;
    }
    case 5: case 10: {
      let numerator = <i64>read32(value, big), denominator = <i64>read32(value + 4, big);
      if (type == 10) { numerator = <i64><i32>numerator; denominator = <i64><i32>denominator; }
      if (denominator == 0 || numerator % denominator != 0) return 1;
      number = <f64>(numerator / denominator);
      break;
    }
    default: return 1; // bytes or text
  }
  if (number >= 2 && number <= 8 && number == Math.floor(number)) return <u32>number;
  return 1;
}

// @ts-ignore: decorator
@inline function read16(at: usize, big: bool): u32 {
  let value = <u32>load<u16>(at);
  return big ? <u32>bswap<u16>(<u16>value) : value;
}

// @ts-ignore: decorator
@inline function read32(at: usize, big: bool): u32 {
  let value = load<u32>(at);
  return big ? bswap<u32>(value) : value;
}
