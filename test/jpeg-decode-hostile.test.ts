// The JPEG decoder on hostile input: truncations, bit flips, lying lengths, bad Huffman
// tables, bad scan parameters, repeated scans, huge declared sizes, early markers and
// garbage. Every call ends with a result or the exact error code, within a time bound,
// and leaves the arena's counters as they were (nothing leaked, the image included).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Arena } from '../dist/node.js';
import { jpegPath, held } from './helpers/jpeg.js';
import { seededRandom } from './helpers/random.mjs';

const TIME_BOUND_MS = 2000;
let arena: Arena;

beforeAll(async () => {
  arena = await Arena.create({ maxBytes: 512 << 20, debug: true });
});

afterAll(() => {
  expect(arena.stats().imagesLive).toBe(0);
  arena.checkHeap();
  arena.close();
});

const corpus = (name: string) => new Uint8Array(readFileSync(jpegPath(`corpus/${name}.jpg`)!));

/** Decodes `bytes`: 'ok' or the error code; checks the time bound and that nothing is left held. */
function outcome(bytes: Uint8Array, options?: Parameters<Arena['decode']>[1]): string {
  const before = held(arena);
  const start = performance.now();
  let result: string;
  try {
    arena.decode(bytes, { format: 'jpeg', ...options }).release();
    result = 'ok';
  } catch (error) {
    result = (error as { code?: string }).code ?? String(error);
  }
  const elapsed = performance.now() - start;
  expect(elapsed, `decode took ${elapsed.toFixed(0)} ms`).toBeLessThan(TIME_BOUND_MS);
  expect(held(arena)).toEqual(before);
  return result;
}

/** A JPEG's segments: marker code, offset of the 0xFF, end (a scan's entropy-coded data included). */
function segments(bytes: Uint8Array) {
  const list: Array<{ marker: number; start: number; end: number }> = [{ marker: 0xd8, start: 0, end: 2 }];
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1]!;
    if (marker === 0xd9) { list.push({ marker, start: i, end: i + 2 }); break; }
    let end = i + 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
    if (marker === 0xda) {
      while (!(bytes[end] === 0xff && bytes[end + 1] !== 0 && !(bytes[end + 1]! >= 0xd0 && bytes[end + 1]! <= 0xd7))) end++;
    }
    list.push({ marker, start: i, end });
    i = end;
  }
  return list;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** `bytes` with the first segment of `marker` replaced by `make(segment bytes)`. */
function replaceSegment(bytes: Uint8Array, marker: number, make: (segment: Uint8Array) => Uint8Array, which = 0): Uint8Array {
  const found = segments(bytes).filter((s) => s.marker === marker)[which]!;
  return concat(bytes.subarray(0, found.start), make(bytes.slice(found.start, found.end)), bytes.subarray(found.end));
}

/** A marker segment with its length field filled in. */
function segment(marker: number, body: number[]): Uint8Array {
  const length = body.length + 2;
  return new Uint8Array([0xff, marker, length >> 8, length & 255, ...body]);
}

/** The first SOS header's offset (its 0xFF) and where its entropy-coded data starts. */
function firstScan(bytes: Uint8Array) {
  const sos = segments(bytes).find((s) => s.marker === 0xda)!;
  return { start: sos.start, data: sos.start + 2 + ((bytes[sos.start + 2]! << 8) | bytes[sos.start + 3]!), end: sos.end };
}

describe('truncated files', () => {
  for (const name of ['sample_2x2', 'progressive_420', 'restart_1row_420', 'cmyk', 'gray', 'arithmetic_restart_422',
    'arithmetic_progressive_restart']) {
    it(`${name}: DECODE_FAILED when cut anywhere before its end`, () => {
      const bytes = corpus(name);
      const progressive = name.includes('progressive');
      for (let cut = 1; cut < bytes.length - 2; cut += cut < 700 ? 7 : 61) {
        expect(outcome(bytes.subarray(0, cut)), `cut at ${cut} of ${bytes.length}`).toBe('DECODE_FAILED');
      }
      // Only EOI missing: a single Huffman scan is whole; several scans end at EOI, and the
      // arithmetic decoder reads ahead into the marker (as libjpeg reads them).
      const needsEoi = progressive || name.startsWith('arithmetic');
      expect(outcome(bytes.subarray(0, bytes.length - 2)), 'without EOI').toBe(needsEoi ? 'DECODE_FAILED' : 'ok');
      expect(outcome(bytes.subarray(0, bytes.length - 1)), 'without the last byte').toBe(needsEoi ? 'DECODE_FAILED' : 'ok');
    });
  }

  it('data that ends at an early EOI fails fast, even for a large declared image', () => {
    const bytes = corpus('sample_2x2');
    const scan = firstScan(bytes);
    const early = concat(bytes.subarray(0, scan.data + 40), new Uint8Array([0xff, 0xd9]));
    expect(outcome(early)).toBe('DECODE_FAILED');
    // The same header claiming 8000×8000: still no grinding through zero-filled MCUs.
    const big = replaceSegment(early, 0xc0, (s) => { s.set([8000 >> 8, 8000 & 255, 8000 >> 8, 8000 & 255], 5); return s; });
    const start = performance.now();
    expect(outcome(big)).toBe('DECODE_FAILED');
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('arithmetic-coded data that ends at an early EOI: zeros for a while, then DECODE_FAILED', () => {
    const bytes = corpus('arithmetic_restart_422');
    const scan = firstScan(bytes);
    // Zeros past a marker are what encoders leave out: a short tail cut is read as libjpeg reads it.
    expect(outcome(concat(bytes.subarray(0, scan.end - 2), new Uint8Array([0xff, 0xd9])))).toBe('ok');
    // Much more missing, over 8000×8000: the zero bits run out long before the image does.
    const early = concat(bytes.subarray(0, scan.data + 200), new Uint8Array([0xff, 0xd9]));
    const big = replaceSegment(early, 0xc9, (s) => { s.set([8000 >> 8, 8000 & 255, 8000 >> 8, 8000 & 255], 5); return s; });
    const start = performance.now();
    expect(outcome(big)).toBe('DECODE_FAILED');
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('bit flips in the entropy-coded data', () => {
  for (const name of ['sample_2x2', 'sample_1x1', 'progressive_420', 'restart_5blocks_444', 'smooth_partial', 'ycck_420_odd',
    'arithmetic_restart_422', 'arithmetic_progressive_restart']) {
    it(`${name}: an image or DECODE_FAILED, never anything else`, () => {
      const bytes = corpus(name);
      const random = seededRandom(name.length * 7919);
      const { data, end } = firstScan(bytes);
      const last = /progressive|smooth/.test(name) ? bytes.length - 2 : end;
      for (let trial = 0; trial < 60; trial++) {
        const copy = bytes.slice();
        for (let f = 0; f < 1 + (trial % 4); f++) {
          const at = data + Math.floor(random.next() * (last - data));
          copy[at]! ^= 1 << Math.floor(random.next() * 8);
        }
        expect(['ok', 'DECODE_FAILED']).toContain(outcome(copy));
      }
    });
  }
});

describe('lying lengths', () => {
  const bytes = corpus('sample_2x2');
  it('segment lengths past the end, below 2, or not matching their content', () => {
    for (const marker of [0xe0, 0xdb, 0xc4, 0xc0, 0xda]) {
      expect(outcome(replaceSegment(bytes, marker, (s) => { s[2] = 0xff; s[3] = 0xff; return s; })), `0x${marker.toString(16)} too long`).toBe('DECODE_FAILED');
      expect(outcome(replaceSegment(bytes, marker, (s) => { s[2] = 0; s[3] = 1; return s; })), `0x${marker.toString(16)} of 1`).toBe('DECODE_FAILED');
    }
    // A DQT segment one byte short of its table, and a DHT segment cut within its symbols.
    expect(outcome(replaceSegment(bytes, 0xdb, (s) => concat(segment(0xdb, [...s.subarray(4, s.length - 1)]), s.subarray(s.length - 1, s.length - 1))))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xc4, (s) => segment(0xc4, [...s.subarray(4, 4 + 17 + 3)])))).toBe('DECODE_FAILED');
    // A SOF whose length disagrees with its component count.
    expect(outcome(replaceSegment(bytes, 0xc0, (s) => segment(0xc0, [...s.subarray(4), 0])))).toBe('DECODE_FAILED');
    // A DRI of length 5.
    expect(outcome(concat(bytes.subarray(0, 2), segment(0xdd, [0, 1, 0]), bytes.subarray(2)))).toBe('DECODE_FAILED');
  });
});

describe('Huffman tables', () => {
  const bytes = corpus('sample_2x2');
  /** A DHT segment for table class/index `id` with `counts` (16) and `symbols`. */
  const dht = (id: number, counts: number[], symbols: number[]) => segment(0xc4, [id, ...counts, ...symbols]);
  const withTables = (...tables: Uint8Array[]) => {
    const scan = firstScan(bytes);
    return concat(bytes.subarray(0, scan.start), ...tables, bytes.subarray(scan.start));
  };
  const counts = (...pairs: Array<[number, number]>) => {
    const c = new Array(16).fill(0);
    for (const [length, n] of pairs) c[length - 1] = n;
    return c;
  };

  it('refuses over-subscribed codes and the all-ones code, as libjpeg', () => {
    expect(outcome(withTables(dht(0x00, counts([1, 3]), [0, 1, 2])))).toBe('DECODE_FAILED');
    expect(outcome(withTables(dht(0x10, counts([1, 2]), [0, 1])))).toBe('DECODE_FAILED');
    expect(outcome(withTables(dht(0x00, counts([2, 3], [3, 2]), [0, 1, 2, 3, 4])))).toBe('DECODE_FAILED');
  });

  it('refuses DC symbols above 15, more than 256 codes, and bad table ids', () => {
    expect(outcome(withTables(dht(0x00, counts([2, 1]), [16])))).toBe('DECODE_FAILED');
    const many = counts([16, 255], [15, 2]);
    expect(outcome(withTables(dht(0x10, many, new Array(257).fill(1))))).toBe('DECODE_FAILED');
    expect(outcome(withTables(dht(0x04, counts([2, 1]), [0])))).toBe('DECODE_FAILED');
    expect(outcome(withTables(dht(0x14, counts([2, 1]), [0])))).toBe('DECODE_FAILED');
    expect(outcome(withTables(dht(0x20, counts([2, 1]), [0])))).toBe('DECODE_FAILED');
  });

  it('a scan that names a table nobody defined', () => {
    const progressive = corpus('progressive_420');
    // Progressive files get no default tables: point the first scan at DC table 3.
    expect(outcome(replaceSegment(progressive, 0xda, (s) => { s[6] = 0x30; return s; }))).toBe('DECODE_FAILED');
    // Sequential files do for slots 0 and 1 (libjpeg's Annex K tables), not for 2 and 3.
    expect(outcome(replaceSegment(bytes, 0xda, (s) => { s[6] = 0x22; return s; }))).toBe('DECODE_FAILED');
  });
});

describe('scan parameters', () => {
  const progressive = corpus('progressive_420');
  /** The progressive file with the tail (Ss, Se, Ah/Al) of scan `which` replaced. */
  const withScan = (which: number, ss: number, se: number, ahal: number) =>
    replaceSegment(progressive, 0xda, (s) => { s.set([ss, se, ahal], 4 + 1 + 2 * s[4]!); return s; }, which);

  it('refuses what jdphuff.c refuses', () => {
    const scans = segments(progressive).filter((s) => s.marker === 0xda);
    const acScan = scans.findIndex((s) => progressive[s.start + 4] === 1 && progressive[s.start + 7] !== 0);
    expect(outcome(withScan(0, 0, 5, 0))).toBe('DECODE_FAILED'); // DC band with Se > 0
    expect(outcome(withScan(acScan, 6, 5, 0))).toBe('DECODE_FAILED'); // Ss > Se
    expect(outcome(withScan(acScan, 1, 64, 0))).toBe('DECODE_FAILED'); // Se past 63
    expect(outcome(withScan(acScan, 1, 5, 0x31))).toBe('DECODE_FAILED'); // Ah != Al + 1
    expect(outcome(withScan(acScan, 1, 5, 0x0e))).toBe('DECODE_FAILED'); // Al > 13
    expect(outcome(withScan(0, 1, 5, 0))).toBe('DECODE_FAILED'); // AC band in a scan of 3 components
  });

  it('refuses unknown, repeated and too many components', () => {
    const bytes = corpus('sample_2x2');
    expect(outcome(replaceSegment(bytes, 0xda, (s) => { s[5] = 9; return s; }))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xda, (s) => { s[7] = s[5]!; return s; }))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xda, (s) => { s[4] = 0; return s; }))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xda, (s) => segment(0xda, [5, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0, 63, 0])))).toBe('DECODE_FAILED');
  });

  it('refuses MCUs of more than 10 blocks and sampling factors outside 1..4', () => {
    const bytes = corpus('sample_2x2');
    const sampling = (y: number) => replaceSegment(bytes, 0xc0, (s) => { s[11] = y; return s; });
    expect(outcome(sampling(0x44))).toBe('DECODE_FAILED'); // 16 + 2 blocks
    expect(outcome(sampling(0x05))).toBe('DECODE_FAILED');
    expect(outcome(sampling(0x50))).toBe('DECODE_FAILED');
  });

  it('refuses a scan of a component whose quantisation table is missing', () => {
    const bytes = corpus('sample_2x2');
    expect(outcome(replaceSegment(bytes, 0xc0, (s) => { s[12] = 3; return s; }))).toBe('DECODE_FAILED');
  });
});

describe('repeated scans', () => {
  it('a file repeating a scan thousands of times is refused within the bound', () => {
    const bytes = corpus('progressive_420');
    const scans = segments(bytes).filter((s) => s.marker === 0xda);
    const last = scans[scans.length - 1]!;
    const repeated = bytes.slice(last.start, last.end);
    const copies = Array.from({ length: 3000 }, () => repeated);
    expect(outcome(concat(bytes.subarray(0, last.end), ...copies, new Uint8Array([0xff, 0xd9])))).toBe('DECODE_FAILED');
  });

  it('repeated end-of-band scans over a large image stop at the work budget', () => {
    const bytes = corpus('progressive_flat_2048');
    const scans = segments(bytes).filter((s) => s.marker === 0xda);
    const last = scans[scans.length - 1]!;
    const repeat = (count: number) => concat(bytes.subarray(0, last.end),
      ...Array.from({ length: count }, () => bytes.slice(last.start, last.end)), new Uint8Array([0xff, 0xd9]));
    expect(outcome(repeat(10))).toBe('ok');
    // 65536 blocks: a budget of 32 visits each (and 2^20 more) runs out after about 40 scans.
    expect(outcome(repeat(200))).toBe('DECODE_FAILED');
    expect(outcome(repeat(990))).toBe('DECODE_FAILED');
  });

  it('a file repeating its DC scan a hundred times still decodes', () => {
    const bytes = corpus('progressive_420');
    const first = segments(bytes).find((s) => s.marker === 0xda)!;
    const copies = Array.from({ length: 100 }, () => bytes.slice(first.start, first.end));
    expect(outcome(concat(bytes.subarray(0, first.end), ...copies, bytes.subarray(first.end)))).toBe('ok');
  });
});

describe('huge declared sizes', () => {
  const bytes = corpus('sample_2x2');
  const sized = (width: number, height: number) => replaceSegment(bytes, 0xc0, (s) => {
    s.set([height >> 8, height & 255, width >> 8, width & 255], 5);
    return s;
  });

  it('LIMIT_EXCEEDED from the header, before the decoder allocates anything', () => {
    for (const [width, height, maxPixels] of [[65535, 65535, undefined], [20000, 20000, undefined], [4000, 3000, 1e6], [65535, 1, undefined]] as const) {
      const before = arena.stats();
      expect(outcome(sized(width, height), { maxPixels })).toBe('LIMIT_EXCEEDED');
      // One block only: the copy of the input the edge makes.
      expect(arena.stats().allocated - before.allocated).toBe(1);
    }
  });

  it('a large declared size over little data fails fast', () => {
    const start = performance.now();
    expect(outcome(sized(8000, 8000))).toBe('DECODE_FAILED');
    expect(performance.now() - start).toBeLessThan(500);
    // An image the arena cannot hold: ARENA_FULL, nothing kept.
    expect(outcome(sized(12000, 12000))).toBe('ARENA_FULL');
  });
});

describe('structure', () => {
  const bytes = corpus('sample_2x2');
  const find = (marker: number) => segments(bytes).find((s) => s.marker === marker)!;

  it('empty input, garbage and files that are only markers', () => {
    expect(() => arena.decode(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    expect(() => arena.decode(new Uint8Array([1, 2, 3, 4]))).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
    expect(outcome(new Uint8Array([1, 2, 3, 4]))).toBe('DECODE_FAILED');
    expect(outcome(new Uint8Array([0xff]))).toBe('DECODE_FAILED');
    expect(outcome(new Uint8Array([0xff, 0xd8]))).toBe('DECODE_FAILED');
    expect(outcome(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]))).toBe('DECODE_FAILED');
    const random = seededRandom(5);
    const garbage = new Uint8Array(4096).map(() => Math.floor(random.next() * 256));
    garbage.set([0xff, 0xd8, 0xff]);
    expect(outcome(garbage)).toBe('DECODE_FAILED');
  });

  it('a frame without a scan, a scan without a frame, two frames, two SOIs', () => {
    const sof = find(0xc0);
    expect(outcome(concat(bytes.subarray(0, sof.end), new Uint8Array([0xff, 0xd9])))).toBe('DECODE_FAILED');
    expect(outcome(concat(bytes.subarray(0, sof.start), bytes.subarray(sof.end)))).toBe('DECODE_FAILED');
    expect(outcome(concat(bytes.subarray(0, sof.end), bytes.subarray(sof.start)))).toBe('DECODE_FAILED');
    expect(outcome(concat(bytes.subarray(0, 2), bytes))).toBe('DECODE_FAILED');
  });

  it('reserved markers and zero sizes', () => {
    expect(outcome(concat(bytes.subarray(0, 2), segment(0xf0, [1, 2]), bytes.subarray(2)))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xc0, (s) => { s.set([0, 0], 5); return s; }))).toBe('DECODE_FAILED');
    expect(outcome(replaceSegment(bytes, 0xc0, (s) => { s.set([0, 0], 7); return s; }))).toBe('DECODE_FAILED');
  });

  it('unknown component counts and precisions are UNSUPPORTED', () => {
    expect(outcome(replaceSegment(bytes, 0xc0, (s) => { s[4] = 12; return s; }))).toBe('UNSUPPORTED');
    const two = replaceSegment(bytes, 0xc0, (s) => { const t = segment(0xc0, [...s.subarray(4, 4 + 6 + 6)]); t[9] = 2; return t; });
    expect(outcome(two)).toBe('UNSUPPORTED');
  });

  it('restart markers out of order: resynchronised as libjpeg does, or refused', () => {
    const restart = corpus('restart_1row_420');
    const withRestart = (code: number) => {
      const copy = restart.slice();
      const { data, end } = firstScan(copy);
      for (let i = data; i < end - 1; i++) if (copy[i] === 0xff && copy[i + 1] === 0xd1) { copy[i + 1] = code; break; }
      return copy;
    };
    // RST5 where RST1 belongs is too far from it: libjpeg takes it as RST1 and goes on.
    expect(outcome(withRestart(0xd5))).toBe('ok');
    // RST2 (one ahead) would leave the interval empty, RST0 (one behind) makes it skip ahead to RST2.
    expect(outcome(withRestart(0xd2))).toBe('DECODE_FAILED');
    expect(outcome(withRestart(0xd0))).toBe('DECODE_FAILED');
  });

  it('stray bytes between segments are skipped, as libjpeg does', () => {
    const dqt = find(0xdb);
    expect(outcome(concat(bytes.subarray(0, dqt.start), new Uint8Array([1, 2, 3, 0xff, 0xff]), bytes.subarray(dqt.start)))).toBe('ok');
  });
});
