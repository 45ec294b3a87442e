// QOI (assembly/codecs/qoi.ts): RGB and RGBA, both ways.

import { FORMAT_QOI } from '../layout.js';
import type { Codec } from './codec.js';

const MAGIC = [0x71, 0x6f, 0x69, 0x66]; // "qoif"

export const qoi: Codec<null> = {
  format: 'qoi',
  code: FORMAT_QOI,
  signature: (bytes) => bytes.length >= MAGIC.length && MAGIC.every((byte, i) => bytes[i] === byte),
  probe: (core, input, length) => core.exports.qoiProbe(input, length),
  describe() {},
  decode: (core, input, length, maxPixels) => core.exports.qoiDecode(input, length, maxPixels),
  settings: () => null,
  encode: (core, address) => core.exports.qoiEncode(address),
};
