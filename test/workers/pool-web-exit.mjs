// A pool of module Workers (the web entry) whose workers end themselves while they run a
// job: through self.close(), or the runtime's exit. Run by test/pool-web-exit.test.ts in Bun
// and in Deno; prints one JSON line of how each call ended ('TIMEOUT' if not within 1.5 s).
import { Arena, Pool } from '../../dist/web.js';

const limit = (promise) => {
  let timer;
  return Promise.race([
    promise.then((value) => ({ ok: value }), (error) => ({ code: error?.code ?? error?.name })),
    new Promise((resolve) => { timer = setTimeout(() => resolve('TIMEOUT'), 1500); }),
  ]).finally(() => clearTimeout(timer));
};

const seen = {};
for (const task of ['closeSelf', 'exitWorker']) {
  const arena = await Arena.create({ maxBytes: 16 << 20 });
  const pool = await Pool.create({ arena, workers: 1, tasks: new URL('../fixtures/tasks/edges-web.mjs', import.meta.url) });
  const dying = await limit(pool.run(task));
  const next = await limit(pool.run('add', { a: 1, b: 2 }));
  const closed = await limit(pool.close().then(() => 'closed'));
  seen[task] = { dying, next, closed, attachments: arena.stats().attachments };
  arena.close();
}
console.log(JSON.stringify(seen));
if (typeof Deno === 'object') Deno.exit(0);
else process.exit(0);
