// `pixel-arena thumbs` run the way a careless or hostile user runs it (the built CLI in a
// child process): each case here failed when it was written, and states what the command
// must do instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, linkSync, openSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './helpers/thumbnails.js';
import { grayPng } from './helpers/png-writer.js';
import { Arena } from '../dist/node.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run { code: number | string; stdout: string; stderr: string; ms: number }

/** Runs the CLI; a run still going after `timeout` ms is killed and reported as code 'TIMEOUT'. */
function cli(args: string[], cwd: string, timeout = 20_000): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, timeout, killSignal: 'SIGKILL', maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const killed = error !== null && (error as { killed?: boolean }).killed === true;
      const code = killed ? 'TIMEOUT' : error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

let root: string;
const rocket = () => readFileSync(new URL('thumbs/rocket.jpg', FIXTURES));

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pixel-arena-hostile-cli-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('pixel-arena thumbs, used carelessly', () => {
  it('never writes a thumbnail over its own input', async () => {
    // Guards against (seen before the fix): `thumbs photos/chelsea.png --out photos` replaces the photo with its 256-pixel thumbnail, exit 0.
    const folder = join(root, 'overwrite');
    mkdirSync(folder);
    copyFileSync(new URL('photos/chelsea.png', FIXTURES), join(folder, 'chelsea.png'));
    const original = readFileSync(join(folder, 'chelsea.png'));
    const run = await cli(['thumbs', join(folder, 'chelsea.png'), '--out', folder, '--json'], root);
    expect(Buffer.compare(readFileSync(join(folder, 'chelsea.png')), original), 'the input file was changed').toBe(0);
    expect(run.code).not.toBe(0);
  });

  it('an input folder that is also --out is not silently ignored', async () => {
    // Guards against (seen before the fix): `thumbs photos --out photos` skips the folder as the output folder, prints "no images found" and exits 0.
    const folder = join(root, 'same');
    mkdirSync(folder);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const run = await cli(['thumbs', folder, '--out', folder], root);
    expect(run.code, run.stdout + run.stderr).not.toBe(0);
    expect(run.stderr).toContain(folder);
  });

  it('--workers above what a pool takes is a usage error, not a crash', async () => {
    // Guards against (seen before the fix): --workers 200 passes the parser (1..256), then Pool.create refuses it (1..127): a stack trace, exit 1.
    const folder = join(root, 'workers');
    mkdirSync(folder);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const run = await cli(['thumbs', folder, '--out', join(root, 'workers-out'), '--workers', '200'], root);
    // Either the pool takes that many workers (exit 0), or the parser refuses the number (exit 2).
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect([0, 2], run.stderr).toContain(run.code);
    if (run.code === 2) expect(run.stderr).toMatch(/--workers must be/);
  });

  it('a named input that is not a regular file (a FIFO) is reported, not waited on forever', async () => {
    // Guards against (seen before the fix): the walk opens the FIFO to sniff it and blocks for ever (/dev/zero instead: the worker reads without end, gigabytes).
    const folder = join(root, 'fifo');
    mkdirSync(folder);
    const fifo = join(folder, 'pipe.jpg');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const run = await cli(['thumbs', fifo, join(folder, 'rocket.jpg'), '--out', join(root, 'fifo-out'), '--json'], root, 10_000);
    expect(run.code, `after ${run.ms.toFixed(0)} ms`).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok.map((r: { input: string }) => r.input)).toEqual([join(folder, 'rocket.jpg')]);
    expect(report.failed.map((f: { input: string }) => f.input)).toEqual([fifo]);
  }, 20_000);

  it('a tall picture that can never fit fails at once with LIMIT_EXCEEDED', async () => {
    // Guards against (seen before the fix): a 20 KB PNG of 1×10,000,000 gray pixels passes the plan (12 MiB of 64), its decode needs
    // ~160 MB: ARENA_FULL, retried until the pool's 30 s memory timeout, then reported as ARENA_FULL.
    const folder = join(root, 'tall');
    mkdirSync(folder);
    const png = grayPng(1, 10_000_000);
    writeFileSync(join(folder, 'tall.png'), png);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const run = await cli(['thumbs', folder, '--out', join(root, 'tall-out'), '--max-memory', '64M', '--workers', '3', '--json'], root, 12_000);
    expect(run.code, `after ${run.ms.toFixed(0)} ms`).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toHaveLength(1);
    expect(report.failed.map((f: { input: string; code: string }) => [f.input, f.code])).toEqual([[join(folder, 'tall.png'), 'LIMIT_EXCEEDED']]);
  }, 20_000);

  it('never writes over an input reached by another path: a linked folder, a symbolic link, a hard link', async () => {
    // Guards against (seen before the fix): `thumbs photos/rocket.jpg --out link` (link -> photos), an output name that is a
    // symbolic or hard link to the input: each replaced the photo with its thumbnail, exit 0.
    const folder = join(root, 'links');
    mkdirSync(join(folder, 'photos'), { recursive: true });
    mkdirSync(join(folder, 'sym'));
    mkdirSync(join(folder, 'hard'));
    writeFileSync(join(folder, 'photos', 'rocket.jpg'), rocket());
    copyFileSync(new URL('photos/chelsea.png', FIXTURES), join(folder, 'photos', 'chelsea.png'));
    symlinkSync('photos', join(folder, 'link'));
    symlinkSync(join('..', 'photos', 'chelsea.png'), join(folder, 'sym', 'chelsea.png'));
    linkSync(join(folder, 'photos', 'rocket.jpg'), join(folder, 'hard', 'rocket.jpg'));
    const originals = ['rocket.jpg', 'chelsea.png'].map((name) => readFileSync(join(folder, 'photos', name)));
    const runs = [
      await cli(['thumbs', 'photos/rocket.jpg', '--out', 'link', '--json'], folder),
      await cli(['thumbs', 'link/chelsea.png', '--out', 'photos', '--json'], folder),
      await cli(['thumbs', 'photos/chelsea.png', '--out', 'sym', '--json'], folder),
      await cli(['thumbs', 'photos', '--out', 'hard', '--json'], folder),
    ];
    ['rocket.jpg', 'chelsea.png'].forEach((name, i) => {
      expect(Buffer.compare(readFileSync(join(folder, 'photos', name)), originals[i]!), `${name} was changed`).toBe(0);
    });
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stdout).failed.map((f: { code: string }) => f.code)).toContain('OUTPUT_CONFLICT');
    }
    // The folder run still makes the thumbnail that has a place of its own.
    expect(JSON.parse(runs[3]!.stdout).ok.map((o: { output: string }) => o.output)).toEqual([join('hard', 'chelsea.png')]);
  }, 40_000);

  it('a write that fails leaves nothing under the output name, nor a temporary file', async () => {
    // Guards against (seen before the fix): on a full disk the thumbnail was written straight to its name: zero-byte and
    // truncated files were left behind. Here a file size limit of 40 KiB (ulimit -f) stops the PNG's write half way.
    const folder = join(root, 'blocked');
    mkdirSync(join(folder, 'in'), { recursive: true });
    writeFileSync(join(folder, 'in', 'rocket.jpg'), rocket());
    copyFileSync(new URL('photos/chelsea.png', FIXTURES), join(folder, 'in', 'chelsea.png'));
    const run = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile('bash', ['-c', `trap '' XFSZ; ulimit -f 40; exec "${process.execPath}" "${CLI}" thumbs in --out out --json`], { cwd: folder },
        (error, stdout) => resolve({ code: error ? (error.code as number) : 0, stdout }));
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.failed.map((f: { input: string; code: string }) => [f.input, f.code])).toEqual([[join('in', 'chelsea.png'), 'EFBIG']]);
    expect(readdirSync(join(folder, 'out'))).toEqual(['rocket.jpg']);
  });

  it('walking: a pipe named like an image is reported, and a file whose first bytes are no image is not read further', async () => {
    // Guards against (seen before the fix): a FIFO inside a walked folder was skipped without a word, and a 1 GiB file
    // named .png that holds no image was read whole into the arena before it failed.
    const folder = join(root, 'walked');
    mkdirSync(folder);
    execFileSync('mkfifo', [join(folder, 'pipe.jpg')]);
    writeFileSync(join(folder, 'notes.png'), 'not an image at all, '.repeat(400_000)); // 8.4 MB
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const run = await cli(['thumbs', folder, '--out', join(root, 'walked-out'), '--json'], root, 10_000);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toHaveLength(1);
    expect(report.failed.map((f: { input: string; code: string }) => [f.input, f.code])).toEqual([
      [join(folder, 'notes.png'), 'DECODE_FAILED'],
      [join(folder, 'pipe.jpg'), 'NOT_A_FILE'],
    ].sort());
    // The arena never held the 8.4 MB of text: only the photo and its thumbnail went through it.
    expect(report.peakBytes).toBeLessThan(4 * 2 ** 20);
    // Progress counts the walk's failures among all inputs.
    expect(run.stderr).toContain('/3] ');
    expect(run.stderr).not.toMatch(/\[\d+\/2\]/);
  }, 20_000);

  it('a dangling symbolic link named like an image is reported; one named otherwise is skipped', async () => {
    // Guards against (seen before the fix): a link photos/gone.jpg to a removed file was skipped without a word, exit 0.
    const folder = join(root, 'dangling');
    mkdirSync(folder);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    symlinkSync(join(root, 'nowhere.jpg'), join(folder, 'gone.jpg'));
    symlinkSync(join(root, 'nowhere.txt'), join(folder, 'gone.txt'));
    const run = await cli(['thumbs', folder, '--out', join(root, 'dangling-out'), '--json'], root);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok.map((o: { input: string }) => o.input)).toEqual([join(folder, 'rocket.jpg')]);
    expect(report.failed).toMatchObject([{ input: join(folder, 'gone.jpg'), code: 'ENOENT' }]);
  });

  it('an image that fits an empty arena but not the memory left fails at once, not after the memory timeout', async () => {
    // Guards against (seen before the fix): with one worker, a progressive JPEG after a large PNG found the arena's free
    // memory split by pages that stay (slabs, image records) and waited 30 s (the pool's memory timeout) for a release
    // that no running job could make, then failed.
    const folder = join(root, 'split');
    mkdirSync(folder);
    const arena = await Arena.create({ maxBytes: 512 << 20 });
    const photo = arena.decode(readFileSync(new URL('../bench/fixtures/photos/kleiber_6028x3391.jpg', import.meta.url)));
    const crop = photo.crop([0, 0, 3000, 2000]);
    photo.release();
    const rgba = crop.convert('RGBA');
    writeFileSync(join(folder, 'rgba.png'), rgba.encode('png'));
    writeFileSync(join(folder, 'prog444.jpg'), crop.encode('jpeg', { quality: 90, progressive: true, subsampling: '4:4:4' }));
    rgba.release();
    crop.release();
    arena.close();
    const run = await cli(['thumbs', 'rgba.png', 'prog444.jpg', '--out', 'out', '--max-memory', '45M', '--workers', '1', '--json'], folder, 25_000);
    expect(run.code, run.stderr).not.toBe('TIMEOUT');
    expect(run.ms, run.stdout).toBeLessThan(10_000);
    const report = JSON.parse(run.stdout);
    expect(report.ok.map((o: { input: string }) => o.input)).toContain('rgba.png');
    for (const failure of report.failed) {
      expect(failure).toMatchObject({ input: 'prog444.jpg', code: 'ARENA_FULL' });
      expect(failure.message).toMatch(/no other job was running.*--max-memory/);
    }
  }, 40_000);

  it('a reader that closes stdout early ends the run quietly with status 1', async () => {
    // Guards against (seen before the fix): EPIPE on stdout (`| head -1`) crashed with a stack trace.
    const folder = join(root, 'epipe');
    mkdirSync(folder);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const child = spawn(process.execPath, [CLI, 'thumbs', folder, '--out', join(root, 'epipe-out'), '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a report that stdout cannot take (a full disk) is said on stderr, with status 1', async (context) => {
    // Guards against (seen while the exit was made quicker): the run exited 1 without saying why.
    if (!existsSync('/dev/full')) context.skip();
    const folder = join(root, 'full-stdout');
    mkdirSync(folder);
    writeFileSync(join(folder, 'rocket.jpg'), rocket());
    const stdout = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI, 'thumbs', folder, '--out', join(root, 'full-stdout-out'), '--json'], { stdio: ['ignore', stdout, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk) => { stderr += chunk; });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/pixel-arena: cannot write to stdout: ENOSPC/);
      expect(readdirSync(join(root, 'full-stdout-out'))).toEqual(['rocket.jpg']);
    } finally {
      closeSync(stdout);
    }
  });

  it('a stderr that cannot take the progress (a full disk) does not stop the run', async (context) => {
    // Guards against (seen before the fix): the first progress line's error ended the run
    // after one thumbnail, with an empty report.
    if (!existsSync('/dev/full')) context.skip();
    const folder = join(root, 'full-stderr');
    mkdirSync(folder);
    for (const name of ['a', 'b', 'c', 'd']) writeFileSync(join(folder, `${name}.jpg`), rocket());
    const stderr = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [CLI, 'thumbs', folder, '--out', join(root, 'full-stderr-out'), '--json', '--workers', '2'], { stdio: ['ignore', 'pipe', stderr] });
      let stdout = '';
      child.stdout!.on('data', (chunk) => { stdout += chunk; });
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(JSON.parse(stdout).ok).toHaveLength(4);
      expect(readdirSync(join(root, 'full-stderr-out')).sort()).toEqual(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
    } finally {
      closeSync(stderr);
    }
  });
});
