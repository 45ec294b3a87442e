// Replays one schedule and prints every operation of every thread as it ends (debugging aid):
//   node test/explore/debug-replay.mjs SCENARIO SEED SCHEDULE KILLS CORE
import { explore } from './explore.mjs';
import { scenarios } from './scenarios.mjs';

const [name, seed, schedule, kills, core] = process.argv.slice(2);
const scenario = scenarios[name];
const original = scenario.programs;
scenario.programs = (ctx, threads, machine) => original(ctx, threads, machine).map((program, i) => (function* () {
  let input;
  for (;;) {
    const step = program.next(input);
    if (step.done) return;
    const op = step.value;
    if (op.fn === 'pause') { input = yield op; continue; }
    const done = op.done;
    const wrapped = {
      ...op,
      done(value, thread) {
        const result = done ? done(value, thread) : value;
        console.log(`#${machine.points} thread ${i} ${op.fn}(${op.args.join(', ')}) = ${value}${thread.result ? ` err ${thread.result(1)}` : ''}`);
        return result;
      },
    };
    input = yield wrapped;
  }
})());
const result = explore({ scenario: name, seed: Number(seed), replay: Number(schedule), kills: Number(kills), variant: core });
console.log(JSON.stringify(result.failure ?? 'no failure', null, 1));
