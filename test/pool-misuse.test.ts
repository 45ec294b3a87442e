// The pool and handles used carelessly or with hostile intent: arguments and results that
// cannot be cloned, an arena closed under a pool, altered handles, images of another arena,
// bad options and signals in every method, maxQueue 0, requests larger than the arena, and
// smaller edges (one Image class for task modules, worker limits, crop's box, paste off the
// image). Nothing may wedge, throw where nobody catches, leak, or read another image's
// memory. The cases (test/workers/pool-misuse-cases.mjs) run here through the Node entry
// and, through the web entry (module Workers), in Bun and in Deno; each runtime's
// observations must meet the same expectations. Every case ends with imagesLive and
// bytesInUse back where they started and a clean heap walk.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as library from '../dist/node.js';
import { Arena } from '../dist/node.js';
import { cases } from './workers/pool-misuse-cases.mjs';
import { rawCore } from './helpers/core.js';

const environment = {
  tasks: new URL('./fixtures/tasks/misuse.mjs', import.meta.url),
  identityTasks: new URL('./fixtures/tasks/identity.mjs', import.meta.url),
};
const NOTHING = { images: 0, bytes: 0 };

type Seen = Record<string, any>;

/** Every pool closed, nothing left in use, the heap walk clean. */
function clean(seen: Seen): void {
  expect(seen.closed).toEqual(seen.closed.map(() => 'closed'));
  expect(seen.leaked).toEqual(NOTHING);
  expect(seen.heap).toBe('clean');
}

const expectations: Record<string, (seen: Seen) => void> = {
  uncloneableArguments(seen) {
    expect(seen.rejected.code).toBe('INVALID_ARGUMENT');
    expect(seen.rejected.message).toMatch(/^run\('echo'\): Expected only structured-cloneable values for args but received one that cannot be cloned \(.+\)$/);
    expect(seen.nested).toBe('INVALID_ARGUMENT');
    expect(seen.next).toEqual({ ok: 3 }); // the worker was not wedged
    expect(seen.afterwards).toEqual(NOTHING); // the handle shared for the job was taken back
    clean(seen);
  },

  unsendableResults(seen) {
    expect(seen.withFunction.code).toBe('INVALID_ARGUMENT');
    expect(seen.withFunction.message).toMatch(/^run\('unsendable'\): Expected only structured-cloneable values for the result but received one that cannot be cloned/);
    expect(seen.afterFunction).toEqual(NOTHING); // at once: released before the failure was sent
    expect(seen.withReleased).toEqual({ code: 'INVALID_HANDLE', message: "run('releasedInResult'): the result[1] is an Image that was released" });
    expect(seen.afterReleased).toEqual(NOTHING);
    expect(seen.argumentBack).toBe('INVALID_ARGUMENT');
    expect(seen.afterArgument).toEqual(NOTHING);
    expect(seen.next).toEqual({ ok: 5 });
    clean(seen);
  },

  arenaClosedFirst(seen) {
    expect(seen.dying).toBe('WORKER_FAILED'); // its worker died after the arena was closed
    expect(seen.running).toEqual({ ok: 7 });
    expect(seen.afterClose).toEqual({ code: 'INVALID_HANDLE', message: "run('add'): the pool's arena was closed in this thread" });
    expect(seen.kernelAfterClose).toBe('INVALID_HANDLE');
    expect(seen.closed).toBe('resolved');
    expect(seen.leaked).toEqual(NOTHING);
    expect(seen.sameTurn).toEqual({ jobs: [{ ok: 1 }, { ok: 2 }], closed: 'resolved' });
    expect(seen.idle).toBe('resolved');
    expect(seen.size).toBe(0);
  },

  alteredHandles(seen) {
    // Whatever was altered, adoption is refused, and nothing changes.
    for (const name of ['size', 'width', 'height', 'mode', 'arena', 'tag', 'record']) {
      expect(seen.refused[name], name).toBe('INVALID_HANDLE');
    }
    for (const name of ['fraction', 'negativeTag', 'hugeRecord', 'noArena', 'badMode']) {
      expect(seen.malformed[name], name).toBe('INVALID_ARGUMENT');
    }
    expect(seen.discardElsewhere).toBe('INVALID_HANDLE');
    expect(seen.unchanged).toBe(true);
    // The genuine handle still adopts: the refusals left its record as it was.
    expect(seen.pixels).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(seen.kernels).toEqual([[4, 4], [4, 4]]);
    expect(seen.leaked).toEqual(NOTHING);
    expect(seen.heap).toBe('clean');
  },

  otherArena(seen) {
    expect(seen.coincide).toBe(true); // same record and tag in both arenas: only the arena id tells them apart
    expect(seen.crossAdopt).toBe('INVALID_HANDLE');
    expect(seen.crossDiscard).toBe('INVALID_HANDLE');
    expect(seen.ownAdopt).toBe('resolved');
    expect(seen.ownDiscard).toBe('resolved');
    expect(seen.run).toEqual({ code: 'INVALID_ARGUMENT', message: "run('echo'): Expected an Image of the pool's arena for args.image but received an Image of another arena" });
    expect(seen.nested).toEqual({ code: 'INVALID_ARGUMENT', message: "run('echo'): Expected an Image of the pool's arena for args.list[1].deep but received an Image of another arena" });
    for (const name of ['resize', 'convert', 'reduce', 'boxBlur', 'gaussianBlur']) {
      expect(seen.kernels[name], name).toEqual({
        code: 'INVALID_ARGUMENT', message: `${name}(): Expected an Image of the pool's arena for image but received an Image of another arena`,
      });
    }
    expect(seen.untouched).toEqual({ a: true, b: true }); // refused before anything was shared
    expect(seen.leakedB).toEqual(NOTHING);
    expect(seen.heapB).toBe('clean');
    clean(seen);
  },

  signals(seen) {
    for (const name of ['run', 'resize', 'convert', 'reduce', 'boxBlur', 'gaussianBlur']) {
      const call = name === 'run' ? "run('echo')" : `${name}()`;
      expect(seen.edge[name], name).toEqual({
        notSignal: { code: 'INVALID_ARGUMENT', message: "Expected AbortSignal for options.signal but received 'x' of type string" },
        notOptions: { code: 'INVALID_ARGUMENT', message: 'Expected object for options but received 5 of type number' },
        aborted: { code: 'ABORTED', message: `${call}: the signal had fired already: changed my mind` },
      });
    }
    expect(seen.nothingShared).toBe(true); // no image made, no handle shared, nothing allocated
    expect(seen.whileQueued).toBe('ABORTED');
    expect(seen.whileRunning).toBe('ABORTED');
    expect(seen.settled).toEqual(NOTHING);
    expect(seen.next).toBe('resolved');
    clean(seen);
  },

  maxQueueZero(seen) {
    expect(seen.idle).toEqual({ ok: 3 });
    expect(seen.idleKernel).toBe('resolved');
    expect(seen.refused).toEqual({ code: 'LIMIT_EXCEEDED', message: "run('add'): the queue already holds 0 jobs (options.maxQueue)" });
    expect(seen.refusedKernel).toBe('LIMIT_EXCEEDED');
    expect(seen.finished).toEqual([{ ok: 'a' }, { ok: 'b' }]);
    expect(seen.again).toEqual({ ok: 4 });
    expect(seen.negative.code).toBe('INVALID_ARGUMENT');
    clean(seen);
  },

  neverFits(seen) {
    // memoryTimeout is 10 s: "at once" is under 2.5.
    expect(seen.tooLargeImage).toEqual({ code: 'ARENA_FULL', fast: true });
    expect(seen.tooLargeBlock).toEqual({ code: 'ARENA_FULL', fast: true });
    expect(seen.tooLargeOutput).toEqual({ code: 'ARENA_FULL', fast: true });
    expect(seen.waited).toEqual({ ok: 42 }); // ran again with its image once memory was free
    expect(seen.waitedLongEnough).toBe(true);
    clean(seen);
  },

  smaller(seen) {
    expect(seen.limits).toEqual({
      negative: { code: 'INVALID_ARGUMENT', message: 'Expected positive finite number (megabytes) for options.resourceLimits.maxOldGenerationSizeMb but received -5 of type number' },
      text: { code: 'INVALID_ARGUMENT', message: "Expected positive finite number (megabytes) for options.resourceLimits.maxOldGenerationSizeMb but received 'x' of type string" },
      unknown: { code: 'INVALID_ARGUMENT', message: "Expected one of 'maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb' for a key of options.resourceLimits but received 'maxOldGenerationSizeMB' of type string" },
      notObject: { code: 'INVALID_ARGUMENT', message: "Expected object for options.resourceLimits but received 'x' of type string" },
    });
    expect(seen.identity).toEqual({ ok: { argument: true, made: true, arena: true } });
    expect(seen.crop.code).toBe('INVALID_ARGUMENT');
    expect(seen.crop.message).toMatch(/ for box but received /);
    expect(seen.farPixels).toEqual([0, 0, 0, 0, 0, 0]); // Pillow: outside the image is zero
    // Pillow (Paste.c) clips first and returns when nothing is left: the mask's mode is not looked at.
    expect(seen.paste).toEqual({
      imageOff: 'unchanged copy', imageOffLeft: 'unchanged copy', colourOff: 'unchanged copy',
      imageOn: { code: 'INVALID_ARGUMENT', message: "paste(): bad transparency mask: Expected mode 'L', 'LA', 'RGBA' for mask but received 'RGB'" },
    });
    clean(seen);
  },
};

describe('pool misuse, Node entry', () => {
  for (const [name, check] of Object.entries(expectations)) {
    it(name, async () => check(await (cases as Record<string, (l: unknown, e: unknown) => Promise<Seen>>)[name]!(library, environment)));
  }

  it('the core itself checks what a handle claims before it adopts', async () => {
    const arena = await Arena.create({ maxBytes: 16 << 20, debug: true });
    const start = arena.stats();
    const raw = await rawCore(arena);
    const image = arena.image('RGB', 4, 3, { fill: 6 });
    const handle = image.share();
    const adopt = (mode: number, width: number, height: number, id: number) =>
      raw.core.imageAdopt!(handle.record, handle.tag, mode, width, height, id) >>> 0;
    const RGB = 2;
    expect(adopt(RGB, 256, 256, handle.arena)).toBe(0);
    expect(adopt(RGB + 1, 4, 3, handle.arena)).toBe(0);
    expect(adopt(RGB, 3, 4, handle.arena)).toBe(0);
    expect(adopt(RGB, 4, 3, (handle.arena ^ 0x80000000) >>> 0)).toBe(0);
    expect(arena.stats().imagesLive).toBe(start.imagesLive + 1);
    expect(adopt(RGB, 4, 3, handle.arena)).not.toBe(0); // still SENT: the refusals touched nothing
    raw.close(); // reclaims the raw attachment's reference
    image.release();
    expect(arena.stats().imagesLive).toBe(start.imagesLive);
    expect(arena.stats().bytesInUse).toBe(start.bytesInUse);
    arena.checkHeap();
    arena.close();
  });
});

const run = promisify(execFile);
const script = fileURLToPath(new URL('./workers/pool-misuse-web.mjs', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const runtimes = [
  { name: 'Bun', present: existsSync(bin('bun')), command: () => run(bin('bun'), [script], { timeout: 120_000 }) },
  // Deno is installed by .ci/run (npm install --no-save deno), not by npm ci.
  { name: 'Deno', present: existsSync(bin('deno')), command: () => run(bin('deno'), ['run', '--allow-read', script], { timeout: 120_000 }) },
];

for (const runtime of runtimes) {
  describe.runIf(runtime.present)(`pool misuse, web entry in ${runtime.name}`, () => {
    let seen: { results: Record<string, Seen>; unhandled: string[] };
    beforeAll(async () => {
      const { stdout } = await runtime.command();
      const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
      if (!line) throw new Error(`no result from ${runtime.name}:\n${stdout}`);
      seen = JSON.parse(line);
    }, 120_000);

    it('raises nothing that nobody catches', () => {
      expect(seen.unhandled).toEqual([]);
    });
    for (const [name, check] of Object.entries(expectations)) {
      it(name, () => {
        expect(seen.results[name]).not.toHaveProperty('threw');
        check(seen.results[name]!);
      });
    }
  });
}
