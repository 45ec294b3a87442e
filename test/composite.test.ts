// alphaComposite, paste and colour fills against Pillow (exact), against plain models of
// Pillow's procedures on random arguments (every mode pair, mask and clipping), and
// properties: identities, images of many blocks, kernels split into row bands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Arena, type Image, type Mode } from '../dist/node.js';
import { loadGoldens, inputImages, expectLikePillow } from './helpers/goldens.js';
import { BANDS, closeGoldenArena, openGoldenArena } from './helpers/images.js';
import { rawCore } from './helpers/core.js';
import { expectSameBytes } from './helpers/bytes.js';

const goldens = loadGoldens('composite');
let arena: Arena;
let inputs: ReturnType<typeof inputImages>;

beforeAll(async () => {
  ({ arena, inputs } = await openGoldenArena(goldens.inputs));
});
afterAll(() => {
  rejectInputs.forEach((image) => image.release());
  closeGoldenArena(arena, inputs);
});

type Point = [number, number];
type Rectangle = [number, number, number, number];
const MODES: Mode[] = ['L', 'LA', 'RGB', 'RGBA'];

describe('images without pixels', () => {
  it('composites, pastes and fills zero-width and zero-height images', () => {
    // Freed small blocks full of 0xff first, so that nothing works by luck of zeroed memory.
    for (let size = 1; size < 200; size += 3) arena.fromPixels('L', size, 1, new Uint8Array(size).fill(0xff)).release();
    const pixel = arena.image('RGBA', 1, 1, { fill: [1, 2, 3, 4] });
    for (const [width, height] of [[0, 3], [3, 0], [0, 0]] as const) {
      const empty = arena.image('RGBA', width, height);
      const results = [
        empty.alphaComposite(pixel), pixel.alphaComposite(empty), empty.paste(pixel, [0, 0]),
        empty.paste([1, 2, 3], [0, 0, 2, 2]), pixel.paste(empty, [0, 0]), pixel.paste(empty, [0, 0], empty),
      ];
      expect(results.map((r) => `${r.width}×${r.height}`)).toEqual([`${width}×${height}`, '1×1', `${width}×${height}`, `${width}×${height}`, '1×1', '1×1']);
      for (const r of results.slice(4)) expect(Array.from(r.toPixels())).toEqual([1, 2, 3, 4]);
      [empty, ...results].forEach((i) => i.release());
    }
    pixel.release();
  });
});

describe('colours as Pillow reads them', () => {
  // What Pillow 9.4 gives for im.paste(colour, (0, 0, 1, 1)) on a zero pixel.
  const pillow: Array<[Mode, number | number[], number[]]> = [
    ['L', 200, [200]], ['L', [5], [5]],
    ['LA', 200, [200, 0]], ['LA', 0x11223344, [0x44, 0x11]], ['LA', [5], [5, 0]], ['LA', [5, 6], [5, 6]],
    ['RGB', 200, [200, 0, 0]], ['RGB', 0x11223344, [0x44, 0x33, 0x22]], ['RGB', [5], [5, 0, 0]],
    ['RGB', [1, 2, 3], [1, 2, 3]], ['RGB', [1, 2, 3, 4], [1, 2, 3]],
    ['RGBA', 200, [200, 0, 0, 0]], ['RGBA', 0x11223344, [0x44, 0x33, 0x22, 0x11]], ['RGBA', [5], [5, 0, 0, 0]],
    ['RGBA', [1, 2, 3], [1, 2, 3, 255]], ['RGBA', [1, 2, 3, 4], [1, 2, 3, 4]],
  ];
  it.each(pillow)('%s %j', (mode, colour, expected) => {
    const image = arena.image(mode, 1, 1);
    const output = image.paste(colour, [0, 0, 1, 1]);
    expect(Array.from(output.toPixels())).toEqual(expected);
    image.release();
    output.release();
  });
});

/**
 * An input of a reject: the golden input of that name, or (for names only the rejects
 * use) an image of the mode and size the name spells, e.g. RGB_13x11.
 */
const rejectInputs = new Map<string, Image>();
function rejectInput(name: string): Image {
  if (goldens.inputs.has(name)) return inputs.get(name);
  let image = rejectInputs.get(name);
  if (!image) {
    const [, mode, width, height] = /^(L|LA|RGB|RGBA)_(\d+)x(\d+)/.exec(name)!;
    image = arena.image(mode as Mode, Number(width), Number(height), { fill: 100 });
    rejectInputs.set(name, image);
  }
  return image;
}

/** Runs a golden case or reject through our API. */
function run(op: string, args: Record<string, unknown>, input: Image, input2?: Image, mask?: Image): Image {
  switch (op) {
    case 'alpha_composite': return input.alphaComposite(input2!);
    case 'alpha_composite_inplace': return input.alphaComposite(input2!, args.dest as Point | undefined, args.source as Point | undefined);
    case 'paste': return input.paste(input2!, args.box as Point | undefined, mask);
    case 'paste_fill': return input.paste(args.color as number | number[], args.box as Rectangle, mask);
    default: throw new Error(`unknown op ${op}`);
  }
}

describe('compositing like Pillow', () => {
  it.each(goldens.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const input = inputs.get(c.inputs.input);
    const input2 = c.inputs.input2 ? inputs.get(c.inputs.input2) : undefined;
    const mask = c.inputs.mask ? inputs.get(c.inputs.mask) : undefined;
    const output = run(c.op, c.args as Record<string, unknown>, input, input2, mask);
    expectLikePillow(name, output, c.output, true);
    for (const [image, golden] of [[input, c.inputs.input], [input2, c.inputs.input2], [mask, c.inputs.mask]] as const) {
      if (image) expectSameBytes(image.toPixels(), golden!.pixels, `${name}: inputs unchanged`);
    }
    output.release();
  });

  it.each(goldens.rejects.map((r) => [r.call, r] as const))('rejects %s', (call, r) => {
    const input = rejectInput(r.input);
    const input2 = r.input2 ? rejectInput(r.input2) : undefined;
    const mask = r.mask ? rejectInput(r.mask) : undefined;
    if (r.op === 'alpha_composite' && r.message === 'images do not match') {
      // Our alphaComposite has the in-place form's semantics (the overlay is clipped), so
      // overlays of another size are accepted: Image.alpha_composite(im, im2) has no
      // counterpart that could refuse them.
      const output = run(r.op, r.args, input, input2, mask);
      const inPlace = run('alpha_composite_inplace', {}, input, input2, mask);
      expectSameBytes(output.toPixels(), inPlace.toPixels());
      output.release();
      inPlace.release();
      return;
    }
    expect(() => run(r.op, r.args, input, input2, mask), call).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names what is wrong', () => {
    const live = arena.stats().imagesLive;
    const rgb = arena.image('RGB', 4, 4), rgba = arena.image('RGBA', 4, 4), la = arena.image('LA', 4, 4);
    const small = arena.image('L', 2, 2);
    expect(() => la.alphaComposite(rgba)).toThrow("Expected 'RGBA' (alpha compositing takes RGBA only) for the mode of the image but received 'LA' of type string");
    expect(() => rgba.alphaComposite(rgb)).toThrow("for the mode of over but received 'RGB' of type string");
    expect(() => rgba.alphaComposite(rgba, [0, 0], [-1, 0])).toThrow('Expected non-negative coordinates for source but received [-1, 0] of type object');
    expect(() => rgba.alphaComposite(rgba, [0.5, 0])).toThrow('Expected array of 2 integers [x, y] for dest but received [0.5, 0] of type object');
    expect(() => rgba.alphaComposite(rgba, [0, 0], [5, 0])).toThrow('Expected box [x0, y0, x1, y1] with x1 >= x0 and y1 >= y0 for source but received [5, 0, 4, 4] of type object');
    expect(() => rgba.alphaComposite(1 as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => rgba.paste(rgba, [0, 0], rgb)).toThrow("paste(): bad transparency mask: Expected mode 'L', 'LA', 'RGBA' for mask but received 'RGB'");
    expect(() => rgba.paste([1, 2, 3], [0, 0], la)).toThrow("paste(): bad transparency mask: Expected mode 'L', 'RGBA' for mask of a colour fill but received 'LA'");
    expect(() => rgba.paste(rgb, [0, 0, 3, 4])).toThrow('paste(): images do not match: Expected source of 3×4 for the box but received 4×4');
    expect(() => rgba.paste(rgb, [0, 0], small)).toThrow('paste(): images do not match: Expected mask of 4×4 for the box but received 2×2');
    expect(() => rgba.paste([1, 2, 3])).toThrow('Expected array of 4 integers [x0, y0, x1, y1] (a colour fill without a mask has no size of its own) for box but received undefined');
    expect(() => rgba.paste([1, 2, 300])).toThrow('Expected integer between 0 and 255 for source[2] but received 300 of type number');
    expect(() => rgba.paste([1, 2], [0, 0, 1, 1])).toThrow('Expected Image, integer or array of 1, 3 or 4 integers 0..255 (mode RGBA) for source but received [1, 2] of type object');
    expect(() => rgba.paste(2 ** 32, [0, 0, 1, 1])).toThrow('Expected integer between 0 and 4294967295 for source but received 4294967296 of type number');
    expect(() => rgba.paste(rgb, [0, 0, 1] as never)).toThrow('Expected array of 2 or 4 integers [x, y] or [x0, y0, x1, y1] for box but received [0, 0, 1] of type object');
    expect(() => rgba.paste('red' as never, [0, 0, 1, 1])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    [rgb, rgba, la, small].forEach((i) => i.release());
    expect(arena.stats().imagesLive).toBe(live);
  });
});

// ── plain models of Pillow's procedures, on packed bands ─────────────────────────────

interface Picture { mode: Mode; width: number; height: number; pixels: Uint8Array }

const shiftForDiv255 = (a: number) => ((a >> 8) + a) >> 8;
const blend = (m: number, a: number, b: number) => shiftForDiv255(a * (255 - m) + b * m + 128);
const luma = (r: number, g: number, b: number) => (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;

function pixelAt(p: Picture, x: number, y: number): number[] {
  const bands = BANDS[p.mode];
  return Array.from(p.pixels.subarray((y * p.width + x) * bands, (y * p.width + x + 1) * bands));
}

/** Image.paste's source handling: convert(mode), except LA/RGBA into RGB copied as stored. */
function convertPixel(v: number[], from: Mode, to: Mode): number[] {
  if (from === to) return v;
  const [a, b, c, alpha] = v as [number, number, number?, number?];
  switch (`${from}>${to}`) {
    case 'L>LA': return [a, 255];
    case 'L>RGB': return [a, a, a];
    case 'L>RGBA': return [a, a, a, 255];
    case 'LA>L': return [a];
    case 'LA>RGB': return [a, a, a];
    case 'LA>RGBA': return [a, a, a, b];
    case 'RGB>L': return [luma(a, b, c!)];
    case 'RGB>LA': return [luma(a, b, c!), 255];
    case 'RGB>RGBA': return [a, b, c!, 255];
    case 'RGBA>L': return [luma(a, b, c!)];
    case 'RGBA>LA': return [luma(a, b, c!), alpha!];
    case 'RGBA>RGB': return [a, b, c!];
  }
  throw new Error(`${from}>${to}`);
}

const maskValue = (mask: Picture, x: number, y: number) => {
  const v = pixelAt(mask, x, y);
  return v[v.length - 1]!; // L: the byte; LA, RGBA: alpha
};

function modelPaste(base: Picture, source: Picture | number[], box: Point | Rectangle | undefined, mask?: Picture): Uint8Array {
  const out = Uint8Array.from(base.pixels);
  const bands = BANDS[base.mode];
  const [x0, y0] = box ?? [0, 0];
  const sized = Array.isArray(source) ? mask! : source;
  const [width, height] = box?.length === 4 ? [box[2] - box[0], box[3] - box[1]] : [sized.width, sized.height];
  const hasAlpha = base.mode === 'LA' || base.mode === 'RGBA';
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const x = x0 + i, y = y0 + j;
      if (x < 0 || y < 0 || x >= base.width || y >= base.height) continue;
      const at = (y * base.width + x) * bands;
      const before = Array.from(out.subarray(at, at + bands));
      let after: number[];
      if (!Array.isArray(source)) {
        const s = convertPixel(pixelAt(source, i, j), source.mode, base.mode);
        after = mask ? s.map((v, b) => blend(maskValue(mask, i, j), before[b]!, v)) : s;
      } else if (!mask) {
        after = source;
      } else if (mask.mode === 'L') {
        const m = maskValue(mask, i, j);
        after = source.map((v, b) => {
          const isColour = hasAlpha && b < bands - 1;
          return blend(isColour && m !== 0 && before[bands - 1] === 0 ? 255 : m, before[b]!, v);
        });
      } else {
        after = source.map((v, b) => blend(maskValue(mask, i, j), before[b]!, v));
      }
      out.set(after, at);
    }
  }
  return out;
}

function compositePixel(d: number[], s: number[]): number[] {
  const [sa, da] = [s[3]!, d[3]!];
  if (sa === 0) return d;
  const outa255 = sa * 255 + da * (255 - sa);
  const coef1 = Math.floor((sa * 255 * 255 * 128) / outa255);
  const coef2 = 255 * 128 - coef1;
  const colour = [0, 1, 2].map((c) => shiftForDiv255(s[c]! * coef1 + d[c]! * coef2 + (0x80 << 7)) >> 7);
  return [...colour, shiftForDiv255(outa255 + 0x80)];
}

/** Pillow's in-place alpha_composite: crop the overlay, composite over the crop at dest, paste back. */
function modelAlphaComposite(base: Picture, over: Picture, dest: Point = [0, 0], source: Point | Rectangle = [0, 0]): Uint8Array {
  const out = Uint8Array.from(base.pixels);
  const [sx0, sy0, sx1 = over.width, sy1 = over.height] = source as number[];
  for (let j = 0; j < sy1! - sy0!; j++) {
    for (let i = 0; i < sx1! - sx0!; i++) {
      const x = dest[0] + i, y = dest[1] + j;
      if (x < 0 || y < 0 || x >= base.width || y >= base.height) continue;
      const ox = sx0! + i, oy = sy0! + j;
      const s = ox < over.width && oy < over.height ? pixelAt(over, ox, oy) : [0, 0, 0, 0];
      out.set(compositePixel(pixelAt({ ...base, pixels: out }, x, y), s), (y * base.width + x) * 4);
    }
  }
  return out;
}

// ── random arguments ─────────────────────────────────────────────────────────────

function noise(length: number, seed: number, bias = 0): Uint8Array {
  const bytes = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = s >>> 24;
    // Push a share of the samples to 0 and 255, where the formulas have their special cases.
    bytes[i] = bias && (s & 7) < bias ? ((s >> 3) & 1) * 255 : v;
  }
  return bytes;
}

function picture(mode: Mode, width: number, height: number, seed: number): Picture {
  return { mode, width, height, pixels: noise(width * height * BANDS[mode], seed, 3) };
}

const toImage = (target: Arena, p: Picture) => target.fromPixels(p.mode, p.width, p.height, p.pixels);
const size = fc.integer({ min: 1, max: 40 });
const position = fc.integer({ min: -12, max: 45 });

const pasteCase = fc.record({
  mode: fc.constantFrom(...MODES),
  width: size, height: size,
  source: fc.oneof(
    fc.record({ kind: fc.constant('image' as const), mode: fc.constantFrom(...MODES), width: size, height: size }),
    fc.record({ kind: fc.constant('colour' as const), width: size, height: size }),
  ),
  mask: fc.constantFrom<Mode | undefined>(undefined, 'L', 'LA', 'RGBA'),
  at: fc.tuple(position, position),
  fourItemBox: fc.boolean(),
  seed: fc.integer(),
});
type PasteCase = typeof pasteCase extends fc.Arbitrary<infer T> ? T : never;

interface PasteArguments { base: Picture; source: Picture | number[]; box: Point | Rectangle | undefined; mask?: Picture }

function pasteArguments(c: PasteCase): PasteArguments {
  const base = picture(c.mode, c.width, c.height, c.seed);
  const { width, height } = c.source;
  const colour = Array.from(noise(4, c.seed ^ 0x5a5a), (v) => v).slice(0, BANDS[c.mode]);
  const source = c.source.kind === 'image' ? picture(c.source.mode, width, height, c.seed + 1) : colour;
  const maskMode = c.source.kind === 'colour' && c.mask === 'LA' ? 'L' : c.mask;
  const mask = maskMode ? picture(maskMode, width, height, c.seed + 2) : undefined;
  // A colour with a corner box takes its size from the mask; without a mask it needs 4 items.
  const box: Point | Rectangle = c.fourItemBox || (c.source.kind === 'colour' && !mask)
    ? [c.at[0], c.at[1], c.at[0] + width, c.at[1] + height] : c.at;
  return { base, source, box, mask };
}

function pasteWith(target: Arena, a: PasteArguments) {
  const base = toImage(target, a.base);
  const source = Array.isArray(a.source) ? a.source : toImage(target, a.source);
  const mask = a.mask ? toImage(target, a.mask) : undefined;
  const output = base.paste(source, a.box, mask);
  const result = output.toPixels();
  expectSameBytes(base.toPixels(), a.base.pixels);
  [base, output, mask, Array.isArray(source) ? undefined : source].forEach((i) => i?.release());
  return result;
}

const compositeCase = fc.record({
  width: size, height: size, overWidth: size, overHeight: size,
  dest: fc.option(fc.tuple(position, position), { nil: undefined }),
  source: fc.option(fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })),
    fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }))
      .map(([x, y, w, h]) => [x, y, x + w, y + h] as Rectangle),
  ), { nil: undefined }),
  seed: fc.integer(),
});

describe('compositing against models of Pillow', () => {
  it('paste and fill: every mode pair, mask and clipping', () => {
    fc.assert(fc.property(pasteCase, (c) => {
      const a = pasteArguments(c);
      expectSameBytes(pasteWith(arena, a), modelPaste(a.base, a.source, a.box, a.mask));
    }), { numRuns: 400 });
  });

  it('alphaComposite: dest, source and clipping', () => {
    fc.assert(fc.property(compositeCase, (c) => {
      const sourceFits = c.source === undefined || c.source.length === 4 || (c.source[0] <= c.overWidth && c.source[1] <= c.overHeight);
      fc.pre(sourceFits);
      const base = picture('RGBA', c.width, c.height, c.seed), over = picture('RGBA', c.overWidth, c.overHeight, c.seed + 1);
      const a = toImage(arena, base), b = toImage(arena, over);
      const output = a.alphaComposite(b, c.dest, c.source);
      expectSameBytes(output.toPixels(), modelAlphaComposite(base, over, c.dest, c.source));
      expectSameBytes(a.toPixels(), base.pixels);
      expectSameBytes(b.toPixels(), over.pixels);
      [a, b, output].forEach((i) => i.release());
    }), { numRuns: 300 });
  });

  it('alphaComposite: every pair of alphas', () => {
    // 256×256 pixels: overlay alpha x, background alpha y, colours varied.
    const base = picture('RGBA', 256, 256, 7), over = picture('RGBA', 256, 256, 8);
    for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) {
      base.pixels[(y * 256 + x) * 4 + 3] = y;
      over.pixels[(y * 256 + x) * 4 + 3] = x;
    }
    const a = toImage(arena, base), b = toImage(arena, over);
    const output = a.alphaComposite(b);
    expectSameBytes(output.toPixels(), modelAlphaComposite(base, over));
    [a, b, output].forEach((i) => i.release());
  });
});

describe('compositing properties', () => {
  const spec = fc.record({ mode: fc.constantFrom(...MODES), width: size, height: size, seed: fc.integer() });

  it('pasting an image over itself at (0, 0) is the identity, with or without a mask', () => {
    fc.assert(fc.property(spec, fc.constantFrom<Mode | undefined>(undefined, 'L', 'LA', 'RGBA'), (s, maskMode) => {
      const image = toImage(arena, picture(s.mode, s.width, s.height, s.seed));
      const mask = maskMode ? toImage(arena, picture(maskMode, s.width, s.height, s.seed + 1)) : undefined;
      const same = image.paste(image, [0, 0], mask);
      expectSameBytes(same.toPixels(), image.toPixels());
      [image, same, mask].forEach((i) => i?.release());
    }), { numRuns: 80 });
  });

  it('compositing a fully transparent overlay is the identity', () => {
    fc.assert(fc.property(compositeCase, (c) => {
      const over = picture('RGBA', c.overWidth, c.overHeight, c.seed + 1);
      for (let i = 3; i < over.pixels.length; i += 4) over.pixels[i] = 0;
      const image = toImage(arena, picture('RGBA', c.width, c.height, c.seed));
      const overlay = toImage(arena, over);
      const source = c.source?.length === 4 ? c.source : undefined;
      const output = image.alphaComposite(overlay, c.dest, source);
      expectSameBytes(output.toPixels(), image.toPixels());
      [image, overlay, output].forEach((i) => i.release());
    }), { numRuns: 80 });
  });

  it('gives the same bytes for images made of many blocks', async () => {
    const small = await Arena.create({ maxBytes: 64 << 20, blockSize: 4096, alignment: 1 });
    fc.assert(fc.property(pasteCase, compositeCase, (p, c) => {
      const wide = { ...p, width: p.width * 4 + 300 };
      const a = pasteArguments(wide);
      expectSameBytes(pasteWith(small, a), pasteWith(arena, a));
      const base = picture('RGBA', c.width * 4 + 300, c.height, c.seed), over = picture('RGBA', c.overWidth, c.overHeight, c.seed + 1);
      const results = [arena, small].map((target) => {
        const x = toImage(target, base), y = toImage(target, over);
        const output = x.alphaComposite(y, c.dest, c.source?.length === 4 ? c.source : undefined);
        const pixels = output.toPixels();
        [x, y, output].forEach((i) => i.release());
        return pixels;
      });
      expectSameBytes(results[1]!, results[0]!);
    }), { numRuns: 60 });
    expect(small.stats().imagesLive).toBe(0);
    small.checkHeap();
    small.close();
  });

  it('gives the same bytes when the rows are split into bands', async () => {
    const raw = await rawCore(arena);
    const region = fc.record({
      base: fc.record({ mode: fc.constantFrom(...MODES), width: size, height: size }),
      sourceMode: fc.constantFrom(...MODES),
      sourceWidth: size, sourceHeight: size,
      mask: fc.constantFrom<Mode | undefined>(undefined, 'L', 'LA', 'RGBA'),
      place: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 2 }),
      ink: fc.integer({ min: 0, max: 0xffffffff }),
      seed: fc.integer(),
    });
    fc.assert(fc.property(region, (c) => {
      const { mode, width, height } = c.base;
      const composite = mode === 'RGBA' && c.sourceMode === 'RGBA';
      const base = toImage(arena, picture(mode, width, height, c.seed));
      const source = toImage(arena, picture(c.sourceMode, c.sourceWidth, c.sourceHeight, c.seed + 1));
      const mask = c.mask ? toImage(arena, picture(c.mask, c.sourceWidth, c.sourceHeight, c.seed + 2)) : undefined;
      // A region inside both images, as the wrappers hand to the kernels after clipping.
      const w = Math.min(width, c.sourceWidth), h = Math.min(height, c.sourceHeight);
      const within = (p: number, room: number) => Math.min(room, Math.floor(p * (room + 1)));
      const [dx, dy, sx, sy] = [
        within(c.place[0], width - w), within(c.place[1], height - h),
        within(c.place[2], c.sourceWidth - w), within(c.place[3], c.sourceHeight - h),
      ];
      const bounds = [0, ...c.cuts.map((p) => Math.floor(p * height)).sort((a, b) => a - b), height];
      const [b, s, m] = [base, source, mask].map((i) => (i ? raw.addressOf(i) : 0)) as [number, number, number];
      const kernels: Array<(target: number, start: number, end: number) => number | void> = [
        (t, start, end) => raw.core.pasteImage!(t, b, s, m, dx, dy, sx, sy, w, h, start, end),
        (t, start, end) => raw.core.fillImage!(t, b, c.ink, c.mask === 'LA' ? 0 : m, dx, dy, sx, sy, w, h, start, end),
      ];
      if (composite) kernels.push((t, start, end) => raw.core.alphaCompositeImage!(t, b, s, dx, dy, sx, sy, w, h, start, end));
      for (const kernel of kernels) {
        const whole = arena.image(mode, width, height), split = arena.image(mode, width, height);
        const [tw, ts] = [raw.addressOf(whole), raw.addressOf(split)];
        expect(kernel(tw, 0, height) ?? 0).toBe(0);
        for (let i = 0; i + 1 < bounds.length; i++) expect(kernel(ts, bounds[i]!, bounds[i + 1]!) ?? 0).toBe(0);
        expectSameBytes(split.toPixels(), whole.toPixels());
        whole.release();
        split.release();
      }
      [base, source, mask].forEach((i) => i?.release());
    }), { numRuns: 80 });
    raw.close();
  });
});
