// Helpers of the codec tests: pixels widened to RGBA, hashes, the core's raw zlib exports,
// and the outside tools (Pillow, pngcheck) that check our output where they are installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arena, Image, Mode } from '../../dist/node.js';

export const PYTHON = '/usr/bin/python3';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Packed pixels of `mode` widened to RGBA as Pillow's convert('RGBA') does (LA: L,L,L,A). */
export function widenToRgba(mode: Mode, pixels: Uint8Array): Uint8Array {
  const bands = { L: 1, LA: 2, RGB: 3, RGBA: 4 }[mode];
  const count = pixels.length / bands;
  const out = new Uint8Array(count * 4);
  for (let i = 0, o = 0; i < pixels.length; i += bands, o += 4) {
    if (mode === 'L' || mode === 'LA') {
      out[o] = out[o + 1] = out[o + 2] = pixels[i]!;
      out[o + 3] = mode === 'LA' ? pixels[i + 1]! : 255;
    } else {
      out[o] = pixels[i]!; out[o + 1] = pixels[i + 1]!; out[o + 2] = pixels[i + 2]!;
      out[o + 3] = mode === 'RGBA' ? pixels[i + 3]! : 255;
    }
  }
  return out;
}

export function rgbaOf(image: Image): Uint8Array {
  return widenToRgba(image.mode, image.toPixels());
}

/** The core's exports in an attachment of its own, with the byte count of a returned block. */
export async function rawCodecs(arena: Arena) {
  const instance = await WebAssembly.instantiate(arena.shared.module, {
    env: { memory: arena.memory, abort: () => { throw new Error('core abort'); } },
  });
  const core = instance.exports as Record<string, (...args: number[]) => number> & Record<string, WebAssembly.Global>;
  const id = core.attach!();
  if (id < 0) throw new Error(`attach failed: ${id}`);
  const slotResults = (core.SLOTS_BASE as unknown as WebAssembly.Global).value
    + (id & 0xff) * (core.SLOT_SIZE as unknown as WebAssembly.Global).value
    + (core.SLOT_RESULTS as unknown as WebAssembly.Global).value;
  const results = () => new Uint32Array(arena.memory.buffer, slotResults, 4);
  /** Runs `f` on a copy of `input` in a scratch block; returns the output block's bytes or the error code. */
  const call = (input: Uint8Array, f: (address: number, length: number) => number): Uint8Array | number => {
    const address = core.scratchAllocate!(Math.max(1, input.length)) >>> 0;
    if (address === 0) throw new Error('scratch allocation failed');
    new Uint8Array(arena.memory.buffer, address, input.length).set(input);
    const output = f(address, input.length) >>> 0;
    core.scratchRelease!(address);
    if (output === 0) return results()[2]!;
    const bytes = new Uint8Array(arena.memory.buffer, output, results()[0]!).slice();
    core.scratchRelease!(output);
    return bytes;
  };
  return {
    /** zlib stream of `input` at `level`, or an error code. */
    deflate: (input: Uint8Array, level: number) => call(input, (a, n) => core.zlibDeflate!(a, n, level)),
    /** The data of a zlib stream (at most `maxOutput` bytes), or an error code. */
    inflate: (input: Uint8Array, maxOutput = 1 << 30) => call(input, (a, n) => core.zlibInflate!(a, n, maxOutput)),
    close: () => arena.reclaim(id),
  };
}

/** Core status codes (assembly/alloc/layout.ts). */
export const STATUS = { ARENA_FULL: 1, LIMIT: 7, DECODE: 9, UNSUPPORTED: 10 } as const;

let pillow: boolean | undefined;
/** True when Debian's python3 with Pillow is installed (CI installs python3-pil). */
export function hasPillow(): boolean {
  pillow ??= spawnSync(PYTHON, ['-c', 'import PIL'], { stdio: 'ignore' }).status === 0;
  return pillow;
}

let pngcheck: boolean | undefined;
export function hasPngcheck(): boolean {
  pngcheck ??= spawnSync('pngcheck', ['-h'], { stdio: 'ignore' }).error === undefined;
  return pngcheck;
}

export interface Decoded { mode: string; width: number; height: number; sha256: string }

const PILLOW_READ = `
import hashlib, json, sys
from PIL import Image
out = []
for path in sys.argv[1:]:
    im = Image.open(path)
    im.load()
    out.append({'mode': im.mode, 'width': im.width, 'height': im.height, 'sha256': hashlib.sha256(im.tobytes()).hexdigest()})
print(json.dumps(out))
`;

/** Writes `files` to a temporary directory and runs `body` on their paths. */
export function withFiles<T>(files: Uint8Array[], body: (paths: string[]) => T): T {
  const directory = mkdtempSync(join(tmpdir(), 'pixel-arena-codecs-'));
  try {
    const paths = files.map((bytes, i) => {
      const path = join(directory, `${i}.bin`);
      writeFileSync(path, bytes);
      return path;
    });
    return body(paths);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** What Pillow decodes from each file: mode, size and the SHA-256 of im.tobytes(). */
export function pillowRead(files: Uint8Array[]): Decoded[] {
  return withFiles(files, (paths) => {
    const result = spawnSync(PYTHON, ['-c', PILLOW_READ, ...paths], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (result.status !== 0) throw new Error(`Pillow failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Decoded[];
  });
}

/** pngcheck's verdict on each file: null when it passes, else its message. */
export function pngcheckRead(files: Uint8Array[]): Array<string | null> {
  return withFiles(files, (paths) => paths.map((path) => {
    const result = spawnSync('pngcheck', ['-q', path], { encoding: 'utf8' });
    return result.status === 0 ? null : `${result.stdout}${result.stderr}`.trim();
  }));
}
