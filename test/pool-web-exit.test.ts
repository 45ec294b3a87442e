// Module Workers (the web entry) that end themselves while running a job. A web Worker has
// no 'exit' event: the web runtime's port (src/runtime/web.ts) learns of a death only from
// 'error' and 'messageerror', so a worker that closes itself (self.close()) or exits
// (Deno.exit, process.exit in Bun) leaves its job, every later job sent to it, and
// pool.close() waiting for ever, and its slot in the arena unreclaimed.
// test/workers/pool-web-exit.mjs runs the cases in Bun and in Deno.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./workers/pool-web-exit.mjs', import.meta.url));
const bin = (name: string) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));

/** What a case must see: the dying call fails WORKER_FAILED, the pool goes on, closes, leaves one attachment. */
const settled = {
  dying: { code: 'WORKER_FAILED' }, next: { ok: 3 }, closed: { ok: 'closed' }, attachments: 1,
};

const runtimes = [
  { name: 'Bun', present: existsSync(bin('bun')), args: [script], command: 'bun' },
  { name: 'Deno', present: existsSync(bin('deno')), args: ['run', '--allow-read', script], command: 'deno' },
];

for (const runtime of runtimes) {
  describe.runIf(runtime.present)(`a module Worker that ends itself, in ${runtime.name}`, () => {
    it('its job fails WORKER_FAILED, the pool replaces it and closes (self.close(), and the runtime\'s exit)', async () => {
      const { stdout } = await run(bin(runtime.command), runtime.args, { timeout: 60_000 });
      const seen = JSON.parse(stdout.trim().split('\n').pop()!);
      // Guards against (seen before the fix), Bun: self.close() is seen (an error event), process.exit(3) is not: the
      // dying call, the next one and close() all time out. Deno: neither is seen.
      expect(seen).toEqual({ closeSelf: settled, exitWorker: settled });
    });
  });
}
