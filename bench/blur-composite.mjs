// Blur and compositing on a 4000×3000 RGBA image, one thread, against Pillow 9.4 (run as a
// /usr/bin/python3 subprocess on the same pixels).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena } from '../dist/node.js';
import { timeMedian, formatNumber, printTable } from './lib/report.mjs';

const WIDTH = 4000;
const HEIGHT = 3000;
const RUNS = 7;

function noise(length, seed) {
  const bytes = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bytes[i] = s >>> 24;
  }
  return bytes;
}

const CASES = [
  { name: 'gaussianBlur(2)', run: (a) => a.gaussianBlur(2), pillow: 'im.filter(ImageFilter.GaussianBlur(2))' },
  { name: 'gaussianBlur(10)', run: (a) => a.gaussianBlur(10), pillow: 'im.filter(ImageFilter.GaussianBlur(10))' },
  { name: 'boxBlur(5)', run: (a) => a.boxBlur(5), pillow: 'im.filter(ImageFilter.BoxBlur(5))' },
  { name: 'alphaComposite', run: (a, b) => a.alphaComposite(b), pillow: 'Image.alpha_composite(im, im2)' },
];

const PILLOW_SCRIPT = `
import json, sys, time
from PIL import Image, ImageFilter
width, height, runs = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
im = Image.frombytes('RGBA', (width, height), open(sys.argv[1], 'rb').read())
im2 = Image.frombytes('RGBA', (width, height), open(sys.argv[2], 'rb').read())
cases = json.loads(sys.stdin.read())
result = {}
for name, code in cases.items():
    f = eval('lambda: ' + code)
    for _ in range(2):
        f()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    result[name] = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
print(json.dumps(result))
`;

/** Pillow's median times (ms) per case, or undefined when Pillow is not available. */
function pillowTimes(first, second) {
  const dir = mkdtempSync(join(tmpdir(), 'pixel-arena-bench-'));
  try {
    const a = join(dir, 'a.rgba'), b = join(dir, 'b.rgba');
    writeFileSync(a, first);
    writeFileSync(b, second);
    const input = JSON.stringify(Object.fromEntries(CASES.map((c) => [c.name, c.pillow])));
    const output = execFileSync('/usr/bin/python3', ['-c', PILLOW_SCRIPT, a, b, String(WIDTH), String(HEIGHT), String(RUNS)],
      { input, encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(output);
  } catch (error) {
    console.log(`Pillow not measured: ${error.message.split('\n')[0]}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBlurCompositeBench() {
  const first = noise(WIDTH * HEIGHT * 4, 1);
  const second = noise(WIDTH * HEIGHT * 4, 2);
  const arena = await Arena.create({ maxBytes: 1 << 30 });
  const a = arena.fromPixels('RGBA', WIDTH, HEIGHT, first);
  const b = arena.fromPixels('RGBA', WIDTH, HEIGHT, second);
  const ours = {};
  for (const c of CASES) ours[c.name] = await timeMedian(() => c.run(a, b).release(), { runs: RUNS });
  a.release();
  b.release();
  arena.close();
  const pillow = pillowTimes(first, second);
  printTable(`blur and compositing, ${WIDTH}×${HEIGHT} RGBA, one thread (median of ${RUNS} runs)`,
    ['operation', 'pixel-arena', 'Pillow 9.4', 'Pillow / pixel-arena'],
    CASES.map((c) => [
      c.name, formatNumber(ours[c.name], 'ms'), formatNumber(pillow?.[c.name], 'ms'),
      formatNumber(pillow ? pillow[c.name] / ours[c.name] : undefined, '×'),
    ]));
  return { ours, pillow };
}
