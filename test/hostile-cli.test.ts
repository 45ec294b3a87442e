// `pixel-arena thumbs` run the way a careless or hostile user runs it (the built CLI in a
// child process): each case here failed when it was written, and states what the command
// must do instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES } from './helpers/thumbnails.js';
import { grayPng } from './helpers/png-writer.js';

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
});
