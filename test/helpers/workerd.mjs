// The edge resizer of examples/edge served by real workerd (the npm package), on a free
// loopback port: for the edge tests and `node bench/run.mjs edge`.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../../', import.meta.url);

/**
 * The workerd binary the npm package installed ('' without it). Not node_modules/.bin/workerd:
 * that is a Node wrapper that runs the binary as its child, and killing it would leave
 * workerd running.
 */
export const WORKERD = (() => {
  try {
    return createRequire(import.meta.url)('workerd').default;
  } catch {
    return '';
  }
})();

export const CONFIG = fileURLToPath(new URL('examples/edge/config.capnp', ROOT));

/** Is there a workerd to start, and the built entry its configuration loads? */
export const workerdAvailable = WORKERD !== '' && existsSync(WORKERD) && existsSync(fileURLToPath(new URL('dist/workerd.js', ROOT)));

/** A port nobody listens on now (the kernel's pick, released at once). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts the edge resizer and waits until it answers `GET /`.
 * @returns {Promise<{ base: string, child: import('node:child_process').ChildProcess, log: () => string, stop: () => Promise<void> }>}
 */
export async function startWorkerd() {
  let log = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    log = '';
    const child = spawn(WORKERD, ['serve', CONFIG, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    process.once('exit', () => child.kill()); // should the process end without stop()
    child.stdout.on('data', (data) => { log += data; });
    child.stderr.on('data', (data) => { log += data; });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await fetch(`${base}/`).then((r) => r.ok, () => false)) {
        const stop = async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill();
          await exited;
        };
        return { base, child, log: () => log, stop };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill();
    // Another process may have taken the port between the probe and workerd: try another.
  }
  throw new Error(`workerd did not start:\n${log}`);
}
