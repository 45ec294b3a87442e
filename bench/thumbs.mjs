// Thumbnailer benchmark: the whole `pixel-arena thumbs` process (start, workers, decode,
// resize, encode, write) on a folder of real JPEG photographs of 4 to 20 MP, against a Node
// process running sharp on the same folder with as many libuv threads (UV_THREADPOOL_SIZE =
// workers, one libvips thread per image), at 1 and 2 threads. Both make 256×256-inside
// thumbnails, upright, as JPEG quality 80. Contenders run in turns; medians of wall time.
// Memory: the arena's peak (what --max-memory bounds) and each process's peak RSS. CPU: the
// process's user + system time (every thread), which shows what starting costs: each pool
// worker is a Node worker thread that takes tens of milliseconds of CPU to boot, where
// sharp's libuv threads start at no cost.
//
// The folder is built in a temporary directory from bench/fixtures/photos: the 20 MP
// original, 12–16 MP crops and re-encodes made with sharp (one stored sideways with EXIF
// orientation 6), and the three 4 MP originals. A second folder holds those nine three
// times over (27 files), to show the fixed cost of starting against the work. Nothing is
// committed.

import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, formatNumber, printTable } from './lib/report.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PHOTOS = join(HERE, 'fixtures/photos');
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

async function buildFolder(sharp, folder) {
  const kleiber = join(PHOTOS, 'kleiber_6028x3391.jpg');
  copyFileSync(kleiber, join(folder, 'kleiber_20mp.jpg'));
  for (const name of ['autumn_2560x1600.jpg', 'coldripple_2560x1600.jpg', 'colorfulcups_2560x1600.jpg']) {
    copyFileSync(join(PHOTOS, name), join(folder, name));
  }
  await sharp(kleiber).extract({ left: 1000, top: 200, width: 4000, height: 3000 }).jpeg({ quality: 90 }).toFile(join(folder, 'kleiber_crop_12mp.jpg'));
  await sharp(kleiber).extract({ left: 0, top: 700, width: 6028, height: 2000 }).jpeg({ quality: 85, chromaSubsampling: '4:4:4' }).toFile(join(folder, 'kleiber_pano_12mp.jpg'));
  // Stored turned 90° counter-clockwise, as a camera held upright stores it, with orientation 6.
  const { data, info } = await sharp(kleiber).resize(5000, 2812).raw().toBuffer({ resolveWithObject: true });
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).rotate(270)
    .withMetadata({ orientation: 6 }).jpeg({ quality: 85 }).toFile(join(folder, 'kleiber_sideways_14mp.jpg'));
  await sharp(join(PHOTOS, 'autumn_2560x1600.jpg')).resize(5120, 3200, { kernel: 'lanczos3' }).jpeg({ quality: 88 }).toFile(join(folder, 'autumn_16mp.jpg'));
  await sharp(join(PHOTOS, 'colorfulcups_2560x1600.jpg')).resize(4800, 3000, { kernel: 'lanczos3' }).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toFile(join(folder, 'cups_14mp.jpg'));
  const files = readdirSync(folder).sort();
  let pixels = 0, bytes = 0;
  for (const name of files) {
    const { width, height } = await sharp(join(folder, name)).metadata();
    pixels += width * height;
    bytes += statSync(join(folder, name)).size;
  }
  return { files, pixels, bytes };
}

/**
 * Runs a command to its end; resolves to { ms, stdout, maxRssBytes, cpuMs } (peak RSS and
 * user + system time from /usr/bin/time).
 */
function timed(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'maxrss-kib %M cpu-s %U %S', command, ...args], {
      env: { ...process.env, ...env }, cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => {
      const ms = performance.now() - start;
      const rss = /maxrss-kib (\d+)/.exec(stderr);
      const cpu = /cpu-s ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve({ ms, stdout, maxRssBytes: rss ? Number(rss[1]) * 1024 : NaN, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN });
    });
  });
}

/** Each of `files` copied `copies` times into `folder` (a_, b_, ... before the name). */
function repeatFolder(source, folder, files, copies) {
  mkdirSync(folder);
  for (let k = 0; k < copies; k++) {
    for (const name of files) copyFileSync(join(source, name), join(folder, `${String.fromCharCode(97 + k)}_${name}`));
  }
}

/** Times both CLIs over `input` in turns at each thread count and prints their table. */
async function compare(input, count, pixels, { threads, runs, scratch, title }) {
  const contenders = {};
  const memory = {};
  const cpu = {};
  for (const n of threads) {
    contenders[`ours${n}`] = async () => {
      const run = await timed(process.execPath, [CLI, 'thumbs', input, '--out', join(scratch, `ours${n}`), '--size', '256',
        '--format', 'jpeg', '--quality', '80', '--workers', String(n), '--json']);
      const report = JSON.parse(run.stdout);
      if (report.failed.length || report.ok.length !== count) throw new Error(`pixel-arena thumbs failed: ${run.stdout}`);
      memory[`ours${n}`] = { arena: report.peakBytes, rss: run.maxRssBytes };
      (cpu[`ours${n}`] ??= []).push(run.cpuMs);
      return run.ms;
    };
    contenders[`sharp${n}`] = async () => {
      const run = await timed(process.execPath, [join(HERE, 'sharp-thumbs.mjs'), input, join(scratch, `sharp${n}`)], { UV_THREADPOOL_SIZE: String(n) });
      const report = JSON.parse(run.stdout);
      if (report.files !== count) throw new Error('sharp did not make every thumbnail');
      memory[`sharp${n}`] = { rss: run.maxRssBytes };
      (cpu[`sharp${n}`] ??= []).push(run.cpuMs);
      return run.ms;
    };
  }
  const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  await contenders[`ours${threads[0]}`](); await contenders[`sharp${threads[0]}`](); // warm the file cache
  for (const name of Object.keys(cpu)) cpu[name] = [];
  for (let round = 0; round < runs; round++) {
    for (const [name, run] of Object.entries(contenders)) times[name].push(await run());
  }
  const rows = threads.map((n) => {
    const ours = median(times[`ours${n}`]), theirs = median(times[`sharp${n}`]);
    return [String(n), formatNumber(ours, 'ms'), formatNumber(theirs, 'ms'), formatNumber(theirs / ours, '×'),
      formatNumber(pixels / 1e3 / ours, 'MP/s'),
      `${formatNumber(median(cpu[`ours${n}`]), 'ms')} / ${formatNumber(median(cpu[`sharp${n}`]), 'ms')}`,
      `${formatNumber(memory[`ours${n}`].arena / 2 ** 20, 'MiB')} / ${formatNumber(memory[`ours${n}`].rss / 2 ** 20, 'MiB')}`,
      formatNumber(memory[`sharp${n}`].rss / 2 ** 20, 'MiB')];
  });
  printTable(`${title} (median of ${runs}; sharp / ours: above 1, ours is faster)`,
    ['threads', 'pixel-arena thumbs', 'sharp', 'sharp / ours', 'ours MP/s', 'CPU ours / sharp', 'ours arena peak / RSS', 'sharp RSS'], rows);
  for (const n of threads) {
    console.log(`  runs, ms: ours${n} ${times[`ours${n}`].map((t) => t.toFixed(0)).join(' ')}; sharp${n} ${times[`sharp${n}`].map((t) => t.toFixed(0)).join(' ')}`);
  }
}

export async function runThumbsBench({ threads = [1, 2], runs = 9 } = {}) {
  let sharp;
  try { sharp = (await import('sharp')).default; } catch { console.log('sharp unavailable: thumbs benchmark skipped'); return; }
  const folder = mkdtempSync(join(tmpdir(), 'pixel-arena-thumbs-'));
  const input = join(folder, 'photos');
  mkdirSync(input);
  try {
    const { files, pixels, bytes } = await buildFolder(sharp, input);
    console.log(`\nthumbs: ${files.length} JPEG photos, ${(pixels / 1e6).toFixed(1)} MP, ${(bytes / 2 ** 20).toFixed(1)} MiB: ${files.join(', ')}`);
    await compare(input, files.length, pixels, {
      threads, runs, scratch: folder,
      title: `pixel-arena thumbs vs sharp, whole process, ${files.length} photos → 256×256 inside, JPEG q80`,
    });
    const repeated = join(folder, 'photos-x3');
    repeatFolder(input, repeated, files, 3);
    await compare(repeated, files.length * 3, pixels * 3, {
      threads, runs, scratch: folder,
      title: `the same, ${files.length * 3} photos (the nine, three times over)`,
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
