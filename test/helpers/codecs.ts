// Helpers of the codec tests: pixels widened to RGBA, hashes, the core's raw zlib exports,
// and the outside tools (Pillow, pngcheck) that check our output where they are installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Image, Mode } from '../../dist/node.js';

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

export { rawCodecs } from './raw-codecs.mjs';

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
