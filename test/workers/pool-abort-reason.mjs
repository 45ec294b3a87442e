// Aborts whose reason cannot be turned into a string (an object without a prototype):
// before a job starts, while it waits in the queue, and while it runs. Prints one JSON
// line: how each call ended ('TIMEOUT' if it never did within 1.5 s), and every error that
// nobody caught. Run in a process of its own by test/pool-settle.test.ts, since an
// uncaught error in an abort listener would otherwise end up in the test runner.
import { Arena, Pool } from '../../dist/node.js';

const uncaught = [];
process.on('uncaughtException', (error) => uncaught.push(`${error?.name}: ${error?.message}`));

const limit = (promise) => Promise.race([
  promise.then((value) => ({ ok: value }), (error) => ({ name: error?.name, code: error?.code })),
  new Promise((resolve) => setTimeout(() => resolve('TIMEOUT'), 1500).unref()),
]);

const arena = await Arena.create({ maxBytes: 16 << 20 });
const pool = await Pool.create({ arena, workers: 1, abortGrace: 50, tasks: new URL('../fixtures/tasks/edges.mjs', import.meta.url) });
const reason = Object.create(null);
const seen = {};
seen.before = await limit(pool.run('add', { a: 1, b: 2 }, { signal: AbortSignal.abort(reason) }));
const running = new AbortController();
const queued = new AbortController();
const first = pool.run('waitForAbort', {}, { signal: running.signal });
const second = pool.run('add', { a: 1, b: 2 }, { signal: queued.signal });
await new Promise((resolve) => setTimeout(resolve, 50));
queued.abort(reason);
running.abort(reason);
seen.queued = await limit(second);
seen.running = await limit(first);
seen.next = await limit(pool.run('add', { a: 2, b: 3 }));
seen.close = await limit(pool.close().then(() => 'closed'));
seen.uncaught = uncaught;
console.log(JSON.stringify(seen));
process.exit(0);
