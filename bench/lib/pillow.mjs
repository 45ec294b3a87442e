// A Pillow process that times resizes on request, so that Pillow takes its turn among the
// contenders of each round (bench/lib/report.mjs timeInterleaved) like every other peer.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export async function startPillow(cases) {
  const child = spawn('/usr/bin/python3', [new URL('../pillow_resize.py', import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write(JSON.stringify(cases) + '\n');
  const first = await lines.next();
  if (first.done || first.value !== 'ready') { child.kill(); return undefined; }
  return {
    /** Milliseconds of one resize of case `index`, as Pillow timed it. */
    async time(index) {
      child.stdin.write(`${index}\n`);
      const { value } = await lines.next();
      return Number(value);
    },
    stop() { child.stdin.end(); },
  };
}
