// The pool-misuse cases through the web entry of the package (module Workers), for Bun and
// Deno (test/pool-misuse.test.ts starts them); prints one JSON line of what each case saw.
import * as library from '../../dist/web.js';
import { runCases } from './pool-misuse-cases.mjs';

// An error nobody catches (the pool's own, in an event handler) is a failure of its own.
const unhandled = [];
const note = (error) => unhandled.push(`${error?.name}: ${error?.message ?? error}`);
process.on('unhandledRejection', note);
process.on('uncaughtException', note);

const results = await runCases(library, {
  tasks: new URL('../fixtures/tasks/misuse.mjs', import.meta.url),
  identityTasks: new URL('../fixtures/tasks/identity.mjs', import.meta.url),
});
console.log(JSON.stringify({ results, unhandled }));
// A case that went wrong may leave workers behind: they must not keep the runtime alive.
if (typeof Deno === 'object') Deno.exit(0);
else process.exit(0);
