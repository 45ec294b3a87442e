// The edge resizer (examples/edge) in real workerd, fed what a hostile client sends: each
// case here failed when it was written, and states what the resizer must answer instead.
// Bad parameters, methods, empty, corrupt, huge and foreign bodies and a storm of mixed
// requests held up (test/runtimes/edge.test.ts covers them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers/thumbnails.js';
import { grayPng } from '../helpers/png-writer.js';
import { startWorkerd, workerdAvailable } from '../helpers/workerd.mjs';

let server: Awaited<ReturnType<typeof startWorkerd>>;
let base = '';

describe.runIf(workerdAvailable)('the edge resizer in workerd, against hostile bodies', () => {
  beforeAll(async () => {
    server = await startWorkerd();
    base = server.base;
  }, 60_000);
  afterAll(() => server?.stop());

  it('a picture too tall for the arena is refused with 413 from its header, not 503', async () => {
    // Guards against (seen before the fix): a 39 KB PNG of 1×20,000,000 gray pixels passes the plan (24 MiB of the 86 MiB budget);
    // its decode needs far more: 503 ARENA_FULL.
    for (const fit of ['inside', 'fill']) {
      const response = await fetch(`${base}/?w=64&h=64&fit=${fit}`, { method: 'POST', body: grayPng(1, 20_000_000) as BodyInit });
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
