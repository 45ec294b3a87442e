// The edge resizer (examples/edge) in real workerd, fed what a hostile client sends: each
// case here failed when it was written, and states what the resizer must answer instead.
// Bad parameters, methods, empty, corrupt, huge and foreign bodies and a storm of mixed
// requests held up (test/runtimes/edge.test.ts covers them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { FIXTURES } from '../helpers/thumbnails.js';
import { chunk, concat, SIGNATURE } from '../helpers/png-writer.js';

const ROOT = new URL('../../', import.meta.url);
/** The workerd binary itself (killing the node_modules/.bin wrapper would leave it running). */
const WORKERD: string = (() => {
  try {
    return createRequire(import.meta.url)('workerd').default;
  } catch {
    return '';
  }
})();
const CONFIG = fileURLToPath(new URL('examples/edge/config.capnp', ROOT));
const available = WORKERD !== '' && existsSync(WORKERD) && existsSync(fileURLToPath(new URL('dist/workerd.js', ROOT)));

let server: ChildProcess | undefined;
let base = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startWorkerd(): Promise<void> {
  let log = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(WORKERD, ['serve', CONFIG, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    process.once('exit', () => child.kill());
    child.stdout!.on('data', (data) => { log += data; });
    child.stderr!.on('data', (data) => { log += data; });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await fetch(`${url}/`).then((r) => r.ok, () => false)) {
        server = child;
        base = url;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill();
  }
  throw new Error(`workerd did not start:\n${log}`);
}

/** A gray 8-bit PNG of 1 × `height` black pixels: tens of KB for millions of rows. */
function tallPng(height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 1);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(new Uint8Array(2 * height), { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

describe.runIf(available)('the edge resizer in workerd, against hostile bodies', () => {
  beforeAll(startWorkerd, 60_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill();
      await exited;
    }
  });

  it('a picture too tall for the arena is refused with 413 from its header, not 503', async () => {
    // Guards against (seen before the fix): a 39 KB PNG of 1×20,000,000 gray pixels passes the plan (24 MiB of the 86 MiB budget);
    // its decode needs far more: 503 ARENA_FULL.
    for (const fit of ['inside', 'fill']) {
      const response = await fetch(`${base}/?w=64&h=64&fit=${fit}`, { method: 'POST', body: tallPng(20_000_000) as BodyInit });
      const answer = { fit, status: response.status, code: (await response.json()).code };
      expect(answer).toEqual({ fit, status: 413, code: 'LIMIT_EXCEEDED' });
    }
    // The isolate still serves, and holds nothing.
    const good = await fetch(`${base}/?w=64&h=64`, { method: 'POST', body: readFileSync(new URL('thumbs/rocket.jpg', FIXTURES)) as BodyInit });
    expect(good.status).toBe(200);
    const stats = await (await fetch(`${base}/stats`)).json();
    expect([stats.bytesInUse, stats.imagesLive]).toEqual([0, 0]);
  });
});
