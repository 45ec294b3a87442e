// Convert and reduce on a 4000×3000 image, one thread, against Pillow 9.4 timed the same
// way (median of several runs) in a python3 subprocess on the same pixels. Each timing
// includes making the output image and releasing it, as a Pillow call does.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Arena } from '../dist/node.js';
import { timeMedian, formatNumber, printTable } from './lib/report.mjs';

const WIDTH = 4000;
const HEIGHT = 3000;
const RUNS = 9;
const WARMUP = 2;

// name, source image, our call, Pillow's call (on `rgba` or `rgb`)
const OPERATIONS = [
  ['convert RGBA → L', 'rgba', (image) => image.convert('L'), "rgba.convert('L')"],
  ['convert RGB → RGBA', 'rgb', (image) => image.convert('RGBA'), "rgb.convert('RGBA')"],
  ['convert RGBA → RGB', 'rgba', (image) => image.convert('RGB'), "rgba.convert('RGB')"],
  ['reduce(2) RGB', 'rgb', (image) => image.reduce(2), 'rgb.reduce(2)'],
  ['reduce(4) RGB', 'rgb', (image) => image.reduce(4), 'rgb.reduce(4)'],
  ['reduce(2) RGBA', 'rgba', (image) => image.reduce(2), 'rgba.reduce(2)'],
  ['reduce(4) RGBA', 'rgba', (image) => image.reduce(4), 'rgba.reduce(4)'],
];

const PILLOW_SCRIPT = `
import json, statistics, sys, time
from PIL import Image, __version__
width, height, runs, warmup, path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
with open(path, 'rb') as f:
    rgba = Image.frombytes('RGBA', (width, height), f.read())
rgb = rgba.convert('RGB')
results = {'version': __version__}
for name, call in json.loads(sys.stdin.read()):
    f = eval('lambda: ' + call)
    for _ in range(warmup):
        f()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1000)
    results[name] = statistics.median(times)
print(json.dumps(results))
`;

/** Noise with every alpha value, exact 0 and 255 included (the unpremultiply shortcuts). */
function testPixels() {
  const pixels = new Uint8Array(WIDTH * HEIGHT * 4);
  let s = 12345;
  for (let i = 0; i < pixels.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    pixels[i] = s >>> 24;
  }
  return pixels;
}

/** Pillow's medians by operation name, or null when python3 with Pillow is not there. */
function timePillow(pixels) {
  const directory = mkdtempSync(join(tmpdir(), 'pixel-arena-bench-'));
  try {
    const path = join(directory, 'rgba.raw');
    writeFileSync(path, pixels);
    const result = spawnSync('/usr/bin/python3', ['-c', PILLOW_SCRIPT, WIDTH, HEIGHT, RUNS, WARMUP, path].map(String), {
      input: JSON.stringify(OPERATIONS.map(([name, , , call]) => [name, call])),
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (result.status !== 0) {
      console.log(`\nPillow not measured: ${(result.stderr || result.error?.message || 'python3 failed').trim().split('\n').pop()}`);
      return null;
    }
    return JSON.parse(result.stdout);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export async function runConvertReduceBench() {
  const pixels = testPixels();
  const arena = await Arena.create({ maxBytes: 1 << 30 });
  const images = { rgba: arena.fromPixels('RGBA', WIDTH, HEIGHT, pixels) };
  images.rgb = images.rgba.convert('RGB');
  const ours = {};
  for (const [name, source, run] of OPERATIONS) {
    ours[name] = await timeMedian(() => run(images[source]).release(), { runs: RUNS, warmup: WARMUP });
  }
  images.rgb.release();
  images.rgba.release();
  arena.close();

  const pillow = timePillow(pixels);
  const megapixels = (WIDTH * HEIGHT) / 1e6;
  printTable(`convert and reduce, ${WIDTH}×${HEIGHT}, one thread (median of ${RUNS} runs)`,
    ['operation', 'pixel-arena', 'input Mpx/s', `Pillow ${pillow?.version ?? ''}`.trim(), 'Pillow / pixel-arena'],
    OPERATIONS.map(([name]) => [
      name,
      formatNumber(ours[name], 'ms'),
      formatNumber(megapixels / (ours[name] / 1000)),
      formatNumber(pillow?.[name], 'ms'),
      pillow ? formatNumber(pillow[name] / ours[name], '×') : 'n/a',
    ]));
}
