// `npm run demo`: serves the image editor of this folder and the package's dist/ with the
// headers that make the page cross-origin isolated (COOP same-origin, COEP require-corp),
// which is what lets an arena share its memory with the pool's workers. The page loads
// dist/web.js as it is published: no bundler.
//
//   PORT=8080 node examples/browser/server.mjs [--not-isolated]
//
// --not-isolated leaves the two headers out, to show the editor working in one thread.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const PAGE = fileURLToPath(new URL('./', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** The file a URL path names: the page's own files, or the package's dist/ under /dist/. */
function fileOf(pathname) {
  const path = normalize(decodeURIComponent(pathname));
  if (path.includes('\0')) return undefined;
  const [root, rest] = path.startsWith('/dist/') ? [DIST, path.slice('/dist/'.length)] : [PAGE, path === '/' ? 'index.html' : path.slice(1)];
  const file = join(root, rest);
  if (!file.startsWith(root) || rest.split(sep).includes('..') || !(extname(file) in TYPES) || file.endsWith('server.mjs')) return undefined;
  return file;
}

/**
 * Starts the server; `port` 0 picks a free one.
 * @returns the page's URL, and `close()`.
 */
export async function startServer({ port = 8080, host = '127.0.0.1', isolated = true } = {}) {
  const server = createServer(async (request, response) => {
    const headers = {
      'cache-control': 'no-store',
      ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
    };
    let file;
    try {
      file = fileOf(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      file = undefined; // a malformed escape
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      if (file === undefined) throw new Error('not served');
      const body = await readFile(file);
      response.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)], 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const isolated = !process.argv.includes('--not-isolated');
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  try {
    await readFile(join(DIST, 'web.js'));
  } catch {
    console.error('dist/web.js is missing: run `npm run build` first');
    process.exit(1);
  }
  const { url } = await startServer({ port, isolated });
  console.log(`pixel-arena image editor: ${url} (${isolated ? 'cross-origin isolated: a pool of workers' : 'not isolated: one thread'}); Ctrl-C stops it`);
}
