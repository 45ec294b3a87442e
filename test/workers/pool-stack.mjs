// Pool.create with resourceLimits.stackSizeMb = argv[2]; prints how the call ended (its
// error code, or 'created') on one line. Run in a process of its own by
// test/pool-deaths.test.ts, because a worker without enough stack can end the process.
import { Arena, Pool } from '../../dist/node.js';

const arena = await Arena.create({ maxBytes: 16 << 20 });
const outcome = await Pool.create({ arena, workers: 2, resourceLimits: { stackSizeMb: Number(process.argv[2]) } })
  .then(async (pool) => { await pool.close(); return 'created'; }, (error) => error.code ?? error.message);
console.log(outcome);
arena.close();
