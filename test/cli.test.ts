// `pixel-arena thumbs` run as a user runs it: the built CLI in a child process, on a folder
// of nested folders with JPEG and PNG photos, EXIF orientations, an empty, a truncated and a
// corrupt file, a JPEG without its extension and a text file. Outputs are compared with
// Pillow's: JPEG files byte for byte with what Pillow's save(quality=80) writes for its
// thumbnail, PNG files pixel for pixel with test/goldens/thumbnail.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arena } from '../dist/node.js';
import { FIXTURES, firstDifference, loadThumbnailGoldens, readPng, sha256, type ThumbnailGolden } from './helpers/thumbnails.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const goldens = loadThumbnailGoldens();
const BYTES_PER_PIXEL = { L: 1, LA: 2, RGB: 3, RGBA: 4 } as const;

interface Run { code: number; stdout: string; stderr: string }
function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

interface Report {
  ok: Array<{ input: string; output: string; width: number; height: number }>;
  failed: Array<{ input: string; code: string; message: string }>;
  seconds: number;
  megapixelsPerSecond: number;
  peakBytes: number;
}

/** The photos of the test folder: where each goes, and the fixture it is a copy of. */
const PHOTOS: Array<[path: string, fixture: string]> = [
  ['rocket.jpg', 'thumbs/rocket.jpg'],
  ['trips/2021/coffee_orientation_6.jpg', 'thumbs/coffee_orientation_6.jpg'],
  ['trips/2021/coffee_orientation_3.jpg', 'thumbs/coffee_orientation_3.jpg'],
  ['trips/2022/deep/coffee_orientation_8.jpg', 'thumbs/coffee_orientation_8.jpg'],
  ['trips/2022/astronaut.JPEG', 'thumbs/astronaut_422_397x301.jpg'],
  ['scans/camera_gray_progressive.jpg', 'thumbs/camera_gray_progressive.jpg'],
  ['scans/strip', 'thumbs/chelsea_strip_451x23.jpg'], // no extension: found by its signature
  ['png/chelsea.png', 'photos/chelsea.png'],
  ['png/coffee_RGBA_240x180.png', 'thumbs/coffee_RGBA_240x180.png'],
  ['png/nested/camera_LA_201x151.png', 'thumbs/camera_LA_201x151.png'],
  ['png/nested/chelsea_palette_250x200.png', 'thumbs/chelsea_palette_250x200.png'],
];
/** Files that must fail, with their code. */
const BROKEN: Array<[path: string, code: string]> = [
  ['empty.jpg', 'DECODE_FAILED'],
  ['trips/truncated.jpg', 'DECODE_FAILED'],
  ['png/corrupt.png', 'DECODE_FAILED'],
];

let root: string;
let pngCodec = false;

function golden(fixture: string, fit: string, size: number): ThumbnailGolden {
  const found = goldens.find((g) => g.input === fixture && g.fit === fit && g.width === size && g.height === size && g.filter === 'lanczos');
  if (!found) throw new Error(`no golden for ${fixture} ${fit} ${size}`);
  return found;
}

function outputName(path: string, extension: string): string {
  return path.replace(/\.[^./]*$/, '') + extension;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath ?? (entry as { path: string }).path, entry.name)))
    .sort();
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'pixel-arena-cli-'));
  const photos = join(root, 'photos');
  for (const [path, fixture] of PHOTOS) {
    mkdirSync(join(photos, path, '..'), { recursive: true });
    copyFileSync(new URL(fixture, FIXTURES), join(photos, path));
  }
  const rocket = readFileSync(new URL('thumbs/rocket.jpg', FIXTURES));
  writeFileSync(join(photos, 'empty.jpg'), new Uint8Array(0));
  writeFileSync(join(photos, 'trips/truncated.jpg'), rocket.subarray(0, rocket.length >> 1));
  const png = readFileSync(new URL('thumbs/camera_L_201x151.png', FIXTURES));
  const corrupt = png.slice();
  corrupt.fill(0x5a, 60, png.length - 20);
  writeFileSync(join(photos, 'png/corrupt.png'), corrupt);
  writeFileSync(join(photos, 'notes.txt'), 'not an image\n');

  const arena = await Arena.create({ maxBytes: 32 << 20 });
  try {
    arena.image('RGB', 2, 2).encode('png').length;
    pngCodec = true;
  } catch {
    pngCodec = false;
  }
  arena.close();
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('usage', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /a command is needed/],
    [['resize', 'photos'], /unknown command 'resize'/],
    [['thumbs', '--out', 'x'], /at least one file or folder/],
    [['thumbs', 'photos'], /needs --out/],
    [['thumbs', 'photos', '--out', 'x', '--size', '0'], /--size must be an integer from 1/],
    [['thumbs', 'photos', '--out', 'x', '--size', '12px'], /--size must be an integer/],
    [['thumbs', 'photos', '--out', 'x', '--size', '10', '--width', '5'], /either --size or --width and --height/],
    [['thumbs', 'photos', '--out', 'x', '--width', '5'], /--width and --height go together/],
    [['thumbs', 'photos', '--out', 'x', '--fit', 'contain'], /--fit must be one of inside, cover, fill, not 'contain'/],
    [['thumbs', 'photos', '--out', 'x', '--format', 'webp'], /--format must be one of same, jpeg, png, qoi/],
    [['thumbs', 'photos', '--out', 'x', '--quality', '101'], /--quality must be an integer from 1 to 100/],
    [['thumbs', 'photos', '--out', 'x', '--max-memory', 'lots'], /--max-memory must be a size such as 512M/],
    [['thumbs', 'photos', '--out', 'x', '--max-memory', '8G'], /--max-memory must be from 16M/],
    [['thumbs', 'photos', '--out', 'x', '--max-memory', '4Gi'], /--max-memory must be from 16M/],
    [['thumbs', 'photos', '--out', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['thumbs', 'photos', '--out', 'photos/notes.txt'], /--out must name a folder, and photos\/notes\.txt is not one/],
    [['thumbs', 'photos', '--out', 'photos/notes.txt/sub'], /--out must name a folder, and photos\/notes\.txt\/sub cannot be one: ENOTDIR/],
  ];
  it.each(cases)('%j is a usage error (exit 2)', async (args, message) => {
    const run = await cli(args, root);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Usage: pixel-arena thumbs');
    expect(run.stdout).toBe('');
  });

  it('--help and --version', async () => {
    const help = await cli(['--help'], root);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pixel-arena thumbs <files or folders...> --out <dir>');
    const version = await cli(['--version'], root);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});

describe('thumbs on a folder', () => {
  it('JPEG as Pillow writes it, failures reported, everything else done (3 workers on 2 cores)', async () => {
    const run = await cli(['thumbs', 'photos', '--out', 'out-jpeg', '--size', '64', '--format', 'jpeg', '--workers', '3', '--json'], root);
    expect(run.code, run.stderr).toBe(1);
    const report: Report = JSON.parse(run.stdout);
    const failed = Object.fromEntries(report.failed.map((f) => [f.input, f.code]));
    // Without the PNG codec every PNG input fails too (whatever the code).
    const pngFailures = pngCodec ? [] : [...PHOTOS.map(([path]) => path), ...BROKEN.map(([path]) => path)].filter((p) => p.endsWith('.png'));
    for (const path of pngFailures) expect(failed[join('photos', path)]).toBeDefined();
    expect(Object.fromEntries(Object.entries(failed).filter(([input]) => !pngFailures.some((p) => join('photos', p) === input))))
      .toEqual(Object.fromEntries(BROKEN.filter(([path]) => !pngFailures.includes(path)).map(([path, code]) => [join('photos', path), code])));
    for (const failure of report.failed) expect(failure.message.length).toBeGreaterThan(0);

    const expected = PHOTOS.filter(([path]) => pngCodec || !path.endsWith('.png'));
    expect(report.ok.map((o) => o.input).sort()).toEqual(expected.map(([path]) => join('photos', path)).sort());
    for (const [path, fixture] of expected) {
      const entry = report.ok.find((o) => o.input === join('photos', path))!;
      const reference = golden(fixture, 'inside', 64);
      expect(entry.output).toBe(join('out-jpeg', outputName(path, '.jpg')));
      expect([entry.width, entry.height]).toEqual([reference.output.width, reference.output.height]);
      expect(sha256(readFileSync(join(root, entry.output))), `${path}: the bytes Pillow writes`).toBe(reference.jpeg80);
    }
    expect(filesUnder(join(root, 'out-jpeg'))).toEqual(expected.map(([path]) => outputName(path, '.jpg')).sort());
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.megapixelsPerSecond).toBeGreaterThan(0);
    expect(report.peakBytes).toBeGreaterThan(0);
    expect(report.peakBytes).toBeLessThanOrEqual(512 * 2 ** 20);
    // Not a TTY: one line per image on stderr, and the summary.
    expect(run.stderr).toMatch(/\[\d+\/14\] photos\/rocket\.jpg -> out-jpeg\/rocket\.jpg 64x43/);
    expect(run.stderr).toMatch(/photos\/empty\.jpg: DECODE_FAILED/);
    expect(run.stderr).toMatch(new RegExp(`thumbnails in out-jpeg, ${report.failed.length} failed; .* MP/s; arena peak .* of 512\\.0 MiB`));
  });

  it('PNG output: Pillow\'s pixels for fit inside, cover and fill', async (context) => {
    if (!pngCodec) context.skip();
    for (const fit of ['inside', 'cover', 'fill'] as const) {
      const out = `out-png-${fit}`;
      const run = await cli(['thumbs', 'photos', '--out', out, '--size', '64', '--fit', fit, '--format', 'png', '--json'], root);
      expect(run.code, run.stderr).toBe(1);
      const report: Report = JSON.parse(run.stdout);
      expect(report.failed.map((f) => f.code)).toEqual(BROKEN.map(([, code]) => code));
      expect(report.ok).toHaveLength(PHOTOS.length);
      for (const [path, fixture] of PHOTOS) {
        const reference = golden(fixture, fit, 64).output;
        const file = readPng(readFileSync(join(root, out, outputName(path, '.png'))));
        expect([file.mode, file.width, file.height], path).toEqual([reference.mode, reference.width, reference.height]);
        if (reference.pixels) {
          expect(Buffer.compare(file.pixels, reference.pixels) === 0,
            `${path}: ${firstDifference(file.pixels, reference.pixels, reference.width, BYTES_PER_PIXEL[reference.mode])}`).toBe(true);
        } else {
          expect(sha256(file.pixels), path).toBe(reference.sha256);
        }
      }
    }
  });

  it('QOI in and out: a QOI of a PNG\'s pixels gets the PNG\'s thumbnail', async (context) => {
    if (!pngCodec) context.skip();
    const folder = join(root, 'qoi');
    mkdirSync(folder, { recursive: true });
    const arena = await Arena.create({ maxBytes: 64 << 20 });
    const names = ['photos/chelsea.png', 'thumbs/coffee_RGBA_240x180.png'];
    for (const name of names) {
      const image = arena.decode(readFileSync(new URL(name, FIXTURES)));
      writeFileSync(join(folder, name.replace(/^.*\//, '').replace('.png', '.qoi')), image.encode('qoi'));
      image.release();
    }
    arena.close();
    const run = await cli(['thumbs', 'qoi', '--out', 'out-qoi', '--size', '64', '--json'], root);
    expect(run.code, run.stderr).toBe(0);
    const report: Report = JSON.parse(run.stdout);
    expect(report.ok.map((o) => o.output)).toEqual([join('out-qoi', 'chelsea.qoi'), join('out-qoi', 'coffee_RGBA_240x180.qoi')]);
    const reader = await Arena.create({ maxBytes: 64 << 20 });
    try {
      for (const [i, name] of names.entries()) {
        const reference = golden(name, 'inside', 64).output;
        const image = reader.decode(readFileSync(join(root, report.ok[i]!.output)));
        expect([image.mode, image.width, image.height]).toEqual([reference.mode, reference.width, reference.height]);
        const pixels = image.toPixels();
        image.release();
        expect(reference.pixels ? Buffer.compare(pixels, reference.pixels) === 0 : sha256(pixels) === reference.sha256, name).toBe(true);
      }
    } finally {
      reader.close();
    }
  });

  it('files given by name, a missing one, and a summary on stdout without --json', async () => {
    const run = await cli(['thumbs', 'photos/rocket.jpg', 'photos/missing.jpg', 'photos/scans/strip', '--out', 'out-named', '--width', '40', '--height', '30', '--format', 'jpeg', '--max-memory', '48Mi'], root);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^2 thumbnails in out-named, 1 failed; .* MP\/s; arena peak .* of 48\.0 MiB/);
    expect(run.stderr).toMatch(/photos\/missing\.jpg: ENOENT/);
    expect(filesUnder(join(root, 'out-named'))).toEqual(['rocket.jpg', 'strip.jpg']);
  });

  it('two inputs that would write the same file: the second is reported, not overwritten', async () => {
    const folder = join(root, 'twins');
    mkdirSync(folder, { recursive: true });
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'a.jpg'));
    copyFileSync(new URL('thumbs/camera_gray_progressive.jpg', FIXTURES), join(folder, 'a.jpeg'));
    const run = await cli(['thumbs', 'twins', '--out', 'out-twins', '--json'], root);
    expect(run.code).toBe(1);
    const report: Report = JSON.parse(run.stdout);
    expect(report.ok.map((o) => o.input)).toEqual([join('twins', 'a.jpeg')]);
    expect(report.failed).toMatchObject([{ input: join('twins', 'a.jpg'), code: 'OUTPUT_CONFLICT' }]);
  });

  it('two outputs that are one file by other names (here a linked folder under --out): the second is reported, not written over the first', async () => {
    // The plan compares names; a case-insensitive file system (A.jpg, a.jpg), names in two
    // Unicode normalizations or a link make two names one file, which the write finds.
    const folder = join(root, 'aliases');
    mkdirSync(join(folder, 'in', 'real'), { recursive: true });
    mkdirSync(join(folder, 'in', 'link'), { recursive: true });
    mkdirSync(join(folder, 'out', 'real'), { recursive: true });
    symlinkSync('real', join(folder, 'out', 'link'));
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'in', 'real', 'a.jpg'));
    copyFileSync(new URL('thumbs/camera_gray_progressive.jpg', FIXTURES), join(folder, 'in', 'link', 'a.jpg'));
    const run = await cli(['thumbs', 'in', '--out', 'out', '--json'], folder);
    expect(run.code).toBe(1);
    const report: Report = JSON.parse(run.stdout);
    expect(report.ok).toHaveLength(1);
    expect(report.failed).toHaveLength(1);
    const [kept, lost] = [report.ok[0]!, report.failed[0]!];
    expect([kept.input, lost.input].sort()).toEqual([join('in', 'link', 'a.jpg'), join('in', 'real', 'a.jpg')]);
    expect(lost).toMatchObject({ code: 'OUTPUT_CONFLICT', message: expect.stringContaining(`would replace that of ${kept.input}`) });
    // The file holds the thumbnail that was reported written.
    const arena = await Arena.create({ maxBytes: 64 << 20 });
    const image = arena.decode(readFileSync(join(folder, 'out', 'real', 'a.jpg')));
    expect([image.width, image.height]).toEqual([kept.width, kept.height]);
    image.release();
    arena.close();
    expect(readdirSync(join(folder, 'out', 'real'))).toEqual(['a.jpg']);
  });

  it('a link in --out named like a thumbnail is replaced, not followed: what it points to stays, and no conflict is reported', async () => {
    // As a tool that deduplicates files leaves them: b.jpg a link to a.jpg.
    const folder = join(root, 'deduped');
    mkdirSync(join(folder, 'in'), { recursive: true });
    mkdirSync(join(folder, 'out'), { recursive: true });
    // a.jpg (progressive) is the longer job: its thumbnail is written before b.jpg's.
    copyFileSync(new URL('thumbs/camera_gray_progressive.jpg', FIXTURES), join(folder, 'in', 'a.jpg'));
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'in', 'b.jpg'));
    const first = await cli(['thumbs', 'in', '--out', 'out', '--json'], folder);
    expect(first.code).toBe(0);
    const a = readFileSync(join(folder, 'out', 'a.jpg'));
    for (const workers of ['1', '2']) {
      rmSync(join(folder, 'out', 'b.jpg'));
      symlinkSync('a.jpg', join(folder, 'out', 'b.jpg'));
      const run = await cli(['thumbs', 'in', '--out', 'out', '--json', '--workers', workers], folder);
      expect(run.code).toBe(0);
      const report: Report = JSON.parse(run.stdout);
      expect(report.failed).toEqual([]);
      expect(lstatSync(join(folder, 'out', 'b.jpg')).isFile()).toBe(true);
      expect(readFileSync(join(folder, 'out', 'a.jpg')).equals(a)).toBe(true);
      expect(readFileSync(join(folder, 'out', 'b.jpg')).equals(a)).toBe(false);
    }
  });

  it('an input whose name is near the file system\'s limit (250 bytes) gets its thumbnail', async () => {
    const folder = join(root, 'long');
    mkdirSync(join(folder, 'in'), { recursive: true });
    const name = `${'x'.repeat(246)}.jpg`;
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'in', name));
    const run = await cli(['thumbs', 'in', '--out', 'out', '--json'], folder);
    expect(run.code).toBe(0);
    expect(readdirSync(join(folder, 'out'))).toEqual([name]);
  });

  it('a thumbnail that would be a file where another needs a folder: the second is reported', async () => {
    const folder = join(root, 'clash');
    mkdirSync(join(folder, 'photo.jpg'), { recursive: true });
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'photo.png')); // a JPEG named .png
    copyFileSync(new URL('thumbs/camera_gray_progressive.jpg', FIXTURES), join(folder, 'photo.jpg', 'a.jpg'));
    const run = await cli(['thumbs', 'clash', '--out', 'out-clash', '--format', 'jpeg', '--json'], root);
    expect(run.code).toBe(1);
    const report: Report = JSON.parse(run.stdout);
    expect(report.ok).toHaveLength(1);
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.code).toBe('OUTPUT_CONFLICT');
    const [kept, lost] = [report.ok[0]!.input, report.failed[0]!.input];
    expect([kept, lost].sort()).toEqual([join('clash', 'photo.jpg', 'a.jpg'), join('clash', 'photo.png')]);
    expect(report.failed[0]!.message).toContain(kept);
    expect(filesUnder(join(root, 'out-clash'))).toEqual([kept.endsWith('a.jpg') ? 'photo.jpg/a.jpg' : 'photo.jpg']);
  });

  it('a file that is no image is an input too: no thumbnail overwrites it', async () => {
    // A WebP named .jpg, as phones save them: an unknown signature, so no thumbnail of its
    // own, but the thumbnail of a.png (--format jpeg, --out the same folder) takes its name.
    const folder = join(root, 'webp');
    mkdirSync(join(folder, 'in', 'in'), { recursive: true });
    const webp = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'), Buffer.alloc(32, 7)]);
    writeFileSync(join(folder, 'a.jpg'), webp);
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'a.png'));
    const named = await cli(['thumbs', 'a.png', 'a.jpg', '--out', '.', '--format', 'jpeg', '--json'], folder);
    expect(named.code).toBe(1);
    const report: Report = JSON.parse(named.stdout);
    expect(report.ok).toEqual([]);
    expect(report.failed).toHaveLength(2);
    expect(report.failed).toEqual(expect.arrayContaining([
      expect.objectContaining({ input: 'a.jpg', code: 'DECODE_FAILED' }),
      expect.objectContaining({ input: 'a.png', code: 'OUTPUT_CONFLICT' }),
    ]));
    expect(readFileSync(join(folder, 'a.jpg')).equals(webp)).toBe(true);
    // The same in a walked folder: in/in/a.png mirrors to ./in/a.jpg, the WebP.
    writeFileSync(join(folder, 'in', 'a.jpg'), webp);
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'in', 'in', 'a.png'));
    const walked = await cli(['thumbs', 'in', '--out', '.', '--format', 'jpeg', '--json'], folder);
    const walkedReport: Report = JSON.parse(walked.stdout);
    expect(walkedReport.failed).toEqual(expect.arrayContaining([
      expect.objectContaining({ input: join('in', 'in', 'a.png'), code: 'OUTPUT_CONFLICT' }),
    ]));
    expect(readFileSync(join(folder, 'in', 'a.jpg')).equals(webp)).toBe(true);
  });

  it('input files and folders in the way of a thumbnail or of its folder: OUTPUT_CONFLICT, nothing touched', async () => {
    // photo.jpg is an input file where lib/photo.jpg/a.png's thumbnail needs a folder (--out .).
    const first = join(root, 'way1');
    mkdirSync(join(first, 'lib', 'photo.jpg'), { recursive: true });
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(first, 'photo.jpg'));
    copyFileSync(new URL('thumbs/coffee_RGBA_240x180.png', FIXTURES), join(first, 'lib', 'photo.jpg', 'a.png'));
    const one = await cli(['thumbs', 'photo.jpg', 'lib', '--out', '.', '--json'], first);
    const oneReport: Report = JSON.parse(one.stdout);
    // photo.jpg's own thumbnail would overwrite it (as before); a.png's would need it to be a folder.
    expect(oneReport.ok).toEqual([]);
    expect(oneReport.failed).toEqual(expect.arrayContaining([
      expect.objectContaining({ input: 'photo.jpg', code: 'OUTPUT_CONFLICT' }),
      expect.objectContaining({ input: join('lib', 'photo.jpg', 'a.png'), code: 'OUTPUT_CONFLICT', message: expect.stringContaining('needs a folder where the input') }),
    ]));
    // An input folder sub.jpg where x/sub.png's thumbnail would go (--format jpeg, --out .).
    const second = join(root, 'way2');
    mkdirSync(join(second, 'sub.jpg'), { recursive: true });
    mkdirSync(join(second, 'x'), { recursive: true });
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(second, 'sub.jpg', 'a.jpg'));
    copyFileSync(new URL('thumbs/coffee_RGBA_240x180.png', FIXTURES), join(second, 'x', 'sub.png'));
    const two = await cli(['thumbs', 'x/sub.png', 'sub.jpg', '--out', '.', '--format', 'jpeg', '--json'], second);
    const twoReport: Report = JSON.parse(two.stdout);
    expect(twoReport.failed).toMatchObject([{ input: join('x', 'sub.png'), code: 'OUTPUT_CONFLICT' }]);
    expect(twoReport.failed[0]!.message).toContain('where the input folder');
  });

  it('all good: exit 0; the output folder inside the input folder is not walked again', async () => {
    const folder = join(root, 'good');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    copyFileSync(new URL('thumbs/rocket.jpg', FIXTURES), join(folder, 'rocket.jpg'));
    copyFileSync(new URL('thumbs/coffee_orientation_5.jpg', FIXTURES), join(folder, 'sub', 'coffee.jpg'));
    for (let round = 0; round < 2; round++) {
      const run = await cli(['thumbs', 'good', '--out', 'good/thumbs', '--json'], root);
      expect(run.code, run.stderr).toBe(0);
      const report: Report = JSON.parse(run.stdout);
      expect(report.failed).toEqual([]);
      expect(report.ok.map((o) => [o.output, o.width, o.height])).toEqual([
        [join('good', 'thumbs', 'rocket.jpg'), 256, 171],
        [join('good', 'thumbs', 'sub', 'coffee.jpg'), 256, 171], // stored 240×360 under orientation 5
      ]);
    }
  });
});

describe('memory', () => {
  let folder: string;
  beforeAll(async () => {
    // Photos of 4.8 MB each once decoded (no draft with --fit cover): four at once do not fit in 16 MiB.
    folder = join(root, 'large');
    mkdirSync(folder, { recursive: true });
    const arena = await Arena.create({ maxBytes: 64 << 20 });
    const image = arena.fromPixels('RGB', 1200, 1000, Uint8Array.from({ length: 1200 * 1000 * 3 }, (_, i) => (i * 7) % 251));
    const jpeg = image.encode('jpeg', { quality: 90 });
    image.release();
    arena.close();
    for (let i = 0; i < 8; i++) writeFileSync(join(folder, `photo${i}.jpg`), jpeg);
  });

  it('--max-memory bounds the arena: with more jobs than fit at once, they wait and all succeed', async () => {
    const run = await cli(['thumbs', 'large', '--out', 'out-large', '--fit', 'cover', '--size', '100', '--workers', '4', '--max-memory', '16M', '--json'], root);
    expect(run.code, run.stderr).toBe(0);
    const report: Report = JSON.parse(run.stdout);
    expect(report.ok).toHaveLength(8);
    expect(report.peakBytes).toBeGreaterThan(4.8e6);
    expect(report.peakBytes).toBeLessThanOrEqual(16 * 2 ** 20);
  });

  it('an image that can never fit fails at once with LIMIT_EXCEEDED; the others are made', async () => {
    const arena = await Arena.create({ maxBytes: 128 << 20 });
    const image = arena.image('RGB', 3000, 2000, { fill: [90, 120, 200] });
    writeFileSync(join(root, 'huge.jpg'), image.encode('jpeg'));
    image.release();
    arena.close();
    const started = performance.now();
    const run = await cli(['thumbs', 'huge.jpg', 'large/photo0.jpg', '--out', 'out-tight', '--fit', 'fill', '--max-memory', '16M', '--json'], root);
    const report: Report = JSON.parse(run.stdout);
    expect(run.code).toBe(1);
    expect(report.failed).toMatchObject([{ input: 'huge.jpg', code: 'LIMIT_EXCEEDED' }]);
    expect(report.failed[0]!.message).toMatch(/more than the 14\.4 MiB one image may take \(nine tenths of --max-memory 16 MiB\)/);
    expect(report.ok.map((o) => o.input)).toEqual(['large/photo0.jpg']);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
