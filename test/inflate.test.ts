// The core's zlib streams on their own (zlibDeflate, zlibInflate): our output inflated by
// node:zlib and by ourselves at every level, node:zlib's output (every level and
// strategy, raw stored, fixed and dynamic blocks) inflated by us, and malformed streams
// refused with DECODE_FAILED, oversized ones with LIMIT_EXCEEDED, nothing left allocated.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Arena } from '../dist/node.js';
import { rawCodecs, STATUS } from './helpers/codecs.js';
import { expectSameBytes } from './helpers/bytes.js';
import { noise } from './helpers/images.js';
import { seededRandom } from './helpers/random.mjs';

function dataSets(): Array<[string, Uint8Array]> {
  const random = seededRandom(5);
  const text = new Uint8Array(readFileSync(new URL('../README.md', import.meta.url)));
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(42)],
    ['zeros', new Uint8Array(300_000)],
    ['random', new Uint8Array(randomBytes(150_000))],
    ['text', text],
    ['skewed', Uint8Array.from({ length: 400_000 }, () => Math.floor(random.next() ** 4 * 40))],
    ['period 259', Uint8Array.from({ length: 300_000 }, (_, i) => Math.floor(i / 37) % 7)],
    ['period 3', Uint8Array.from({ length: 100_000 }, (_, i) => [1, 2, 3][i % 3]!)],
    ['noise then repeats', Uint8Array.from(noise(600_000, 4), (v, i) => (i < 200_000 ? v : (i * 31) % 253))],
    ['large', Uint8Array.from(noise(3_000_000, 9), (v, i) => (i % 1000 < 600 ? v & 0x0f : v))],
  ];
}

/** A zlib stream from bit fields: [value, bits] LSB first, or ['huffman', code, bits] MSB first. */
function zlibOf(fields: Array<[number, number] | ['huffman', number, number]>, adler = 1): Uint8Array {
  const bytes = [0x78, 0x9c];
  let buffer = 0, count = 0;
  const put = (bit: number) => {
    buffer |= bit << count++;
    if (count === 8) { bytes.push(buffer); buffer = 0; count = 0; }
  };
  for (const field of fields) {
    if (field[0] === 'huffman') for (let i = field[2] - 1; i >= 0; i--) put((field[1] >> i) & 1);
    else for (let i = 0; i < field[1]; i++) put((field[0] >> i) & 1);
  }
  if (count > 0) bytes.push(buffer);
  bytes.push(adler >>> 24, (adler >>> 16) & 255, (adler >>> 8) & 255, adler & 255);
  return Uint8Array.from(bytes);
}

describe('zlib streams', () => {
  it('deflates at every level into streams that node:zlib and our inflate give back', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
    const codecs = await rawCodecs(arena);
    for (const [name, data] of dataSets()) {
      for (let level = 0; level <= 9; level++) {
        const stream = codecs.deflate(data, level);
        if (typeof stream === 'number') throw new Error(`${name} level ${level}: status ${stream}`);
        expectSameBytes(new Uint8Array(inflateSync(stream)), data, `${name} level ${level} by node:zlib`);
        const back = codecs.inflate(stream);
        if (typeof back === 'number') throw new Error(`${name} level ${level}: inflate status ${back}`);
        expectSameBytes(back, data, `${name} level ${level} by us`);
        if (level === 0) expect(stream.length).toBeLessThanOrEqual(data.length + 11 + 5 * Math.ceil(data.length / 65535));
      }
    }
    codecs.close();
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('inflates what node:zlib writes at every level and strategy', async () => {
    const arena = await Arena.create({ maxBytes: 256 << 20, debug: true });
    const codecs = await rawCodecs(arena);
    const strategies = [constants.Z_DEFAULT_STRATEGY, constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED];
    for (const [name, data] of dataSets()) {
      for (const level of [0, 1, 2, 4, 6, 9]) {
        if (name === 'large' && level !== 6) continue;
        for (const strategy of strategies) {
          for (const windowBits of level === 6 ? [15, 9] : [15]) {
            const stream = new Uint8Array(deflateSync(data, { level, strategy, windowBits }));
            const back = codecs.inflate(stream);
            if (typeof back === 'number') throw new Error(`${name} level ${level} strategy ${strategy}: status ${back}`);
            expectSameBytes(back, data, `${name} level ${level} strategy ${strategy} window ${windowBits}`);
          }
        }
      }
    }
    codecs.close();
    arena.checkHeap();
    arena.close();
  });

  it('refuses malformed and truncated streams with DECODE_FAILED, and long ones with LIMIT_EXCEEDED', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const codecs = await rawCodecs(arena);
    const data = Uint8Array.from({ length: 300_000 }, (_, i) => Math.floor(i / 37) % 7);
    const stream = new Uint8Array(deflateSync(data));
    for (let cut = 0; cut < stream.length; cut += Math.max(1, Math.floor(stream.length / 300))) {
      expect(codecs.inflate(stream.subarray(0, cut)), `cut at ${cut}`).toBe(STATUS.DECODE);
    }
    const cases: Array<[string, number[]]> = [
      ['not deflate', [0x79, 0x9c, 0x03, 0x00, 0, 0, 0, 1]],
      ['bad header check', [0x78, 0x9d, 0x03, 0x00, 0, 0, 0, 1]],
      ['a preset dictionary', [0x78, 0xbb, 0, 0, 0, 1, 0x03, 0x00, 0, 0, 0, 1]],
      ['block type 3', [0x78, 0x9c, 0x07, 0, 0, 0, 0, 0]],
      ['stored length without its complement', [0x78, 0x9c, 0x01, 0x01, 0x00, 0xfe, 0xfe, 0x41, 0, 0, 0, 0]],
      // fixed block: length 3 (symbol 257), distance 1, with nothing written yet
      ['a distance before the start', Array.from(zlibOf([[1, 1], [1, 2], ['huffman', 1, 7], ['huffman', 0, 5], ['huffman', 0, 7]]))],
      // fixed block: literal 'a', then length 3 at distance 2
      ['a distance past the output', Array.from(zlibOf([[1, 1], [1, 2], ['huffman', 0x30 + 97, 8], ['huffman', 1, 7], ['huffman', 1, 5], ['huffman', 0, 7]]))],
      // fixed block: symbol 286, which no length has
      ['length symbol 286', Array.from(zlibOf([[1, 1], [1, 2], ['huffman', 0xc6, 8], ['huffman', 0, 7]]))],
      ['wrong Adler-32', [0x78, 0x9c, 0x03, 0x00, 0, 0, 0, 2]],
      ['no Adler-32', [0x78, 0x9c, 0x03, 0x00, 0, 0]],
      // dynamic block whose code-length code gives 0 and 16 one bit each; 16 (repeat) comes first
      ['a repeat before any length', Array.from(zlibOf([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [1, 3], [0, 3], [0, 3], [1, 3], ['huffman', 1, 1], [0, 2]]))],
      // dynamic block with 29 literal/length codes over 286 (HLIT 30)
      ['too many length codes', Array.from(zlibOf([[1, 1], [2, 2], [30, 5], [0, 5], [0, 4]]))],
      // dynamic block whose code-length code is over-subscribed (three one-bit codes)
      ['an over-subscribed code', Array.from(zlibOf([[1, 1], [2, 2], [0, 5], [0, 5], [0, 4], [1, 3], [1, 3], [1, 3], [0, 3]]))],
    ];
    for (const [what, bytes] of cases) expect(codecs.inflate(Uint8Array.from(bytes)), what).toBe(STATUS.DECODE);
    expect(codecs.inflate(Uint8Array.of(0x78, 0x9c, 0x03, 0x00, 0, 0, 0, 1))).toEqual(new Uint8Array(0));
    expect(codecs.inflate(stream, data.length - 1)).toBe(STATUS.LIMIT);
    expect(codecs.inflate(stream, data.length)).toEqual(data);
    const bomb = new Uint8Array(deflateSync(new Uint8Array(32 << 20)));
    const start = performance.now();
    expect(codecs.inflate(bomb, 1 << 20)).toBe(STATUS.LIMIT);
    expect(performance.now() - start).toBeLessThan(500);
    codecs.close();
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });

  it('never traps on random and mutated streams', async () => {
    const arena = await Arena.create({ maxBytes: 64 << 20, debug: true });
    const codecs = await rawCodecs(arena);
    const random = seededRandom(77);
    const seeds = dataSets().slice(4, 8).map(([, data]) => new Uint8Array(deflateSync(data.subarray(0, 20_000), { level: random.int(1, 9) })));
    seeds.push(...seeds.map((stream) => new Uint8Array(deflateSync(inflateSync(stream), { strategy: constants.Z_FIXED }))));
    for (let i = 0; i < 3000; i++) {
      const stream = random.pick(seeds).slice();
      for (let k = random.int(1, 4); k > 0; k--) stream[random.int(2, stream.length - 1)]! ^= 1 << random.int(0, 7);
      const back = codecs.inflate(stream, 1 << 20);
      if (typeof back === 'number') expect([STATUS.DECODE, STATUS.LIMIT]).toContain(back);
    }
    codecs.close();
    expect(arena.stats().bytesInUse).toBe(0);
    arena.checkHeap();
    arena.close();
  });
});
