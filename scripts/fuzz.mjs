// `npm run fuzz`: the codec fuzzer for as long as asked (test/helpers/fuzz-codecs.mjs).
//
//   npm run fuzz -- [--minutes N] [--seed S] [--format png|qoi|jpeg|inflate]...
//   npm run fuzz -- --format png --seed S --replay I [--save file]   one input again
//
// Formats take turns in slices of a few seconds. Prints executions, executions per
// second, outcomes, the slowest input, and every failure with the seed and iteration
// that make its input again. Exits 1 when anything failed. Needs `npm run build` first.
import { writeFileSync } from 'node:fs';
import { Arena } from '../dist/node.js';
import { FORMATS, fuzz, seedsOf, inputOf, execute, MAX_PIXELS } from '../test/helpers/fuzz-codecs.mjs';
import { rawCodecs } from '../test/helpers/raw-codecs.mjs';

function options(argv) {
  const o = { minutes: 1, seed: Date.now() % 1_000_000, formats: [], replay: undefined, save: undefined };
  for (let i = 0; i < argv.length; i++) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (name === '--minutes') { o.minutes = Number(value); i++; }
    else if (name === '--seed') { o.seed = Number(value); i++; }
    else if (name === '--format') { o.formats.push(value); i++; }
    else if (name === '--replay') { o.replay = Number(value); i++; }
    else if (name === '--save') { o.save = value; i++; }
    else throw new Error(`unknown option ${name}; see the top of scripts/fuzz.mjs`);
  }
  for (const f of o.formats) if (!FORMATS.includes(f)) throw new Error(`unknown format ${f}; known: ${FORMATS.join(', ')}`);
  if (!(o.minutes > 0) || !Number.isInteger(o.seed)) throw new Error('--minutes must be positive, --seed an integer');
  if (o.formats.length === 0) o.formats = FORMATS;
  return o;
}

const o = options(process.argv.slice(2));
const arena = await Arena.create({ maxBytes: 1 << 30 });

if (o.replay !== undefined) {
  const format = o.formats[0];
  const bytes = inputOf(format, await seedsOf(format, arena), o.seed, o.replay);
  if (o.save) writeFileSync(o.save, bytes);
  const codecs = await rawCodecs(arena);
  try {
    console.log(execute(arena, codecs, format, bytes, 60_000));
  } catch (error) {
    console.log(`FAIL: ${error.message}`);
    process.exitCode = 1;
  }
  process.exit();
}

console.log(`fuzzing ${o.formats.join(', ')} for ${o.minutes} min, seed ${o.seed}, decodes held to ${MAX_PIXELS} pixels`);
const totals = Object.fromEntries(o.formats.map((f) => [f, { executions: 0, seconds: 0, outcomes: {}, slowest: { ms: 0 }, failures: [] }]));
const end = Date.now() + o.minutes * 60_000;
for (let slice = 0; Date.now() < end; slice++) {
  for (const format of o.formats) {
    if (Date.now() >= end) break;
    if (totals[format].skipped) continue;
    // each slice its own seed, derived from the run's, so that any input can be made again
    const seed = o.seed * 1000 + slice;
    const result = await fuzz({ arena, format, seed, seconds: Math.min(10, (end - Date.now()) / 1000), log: console.log });
    const t = totals[format];
    if (result.skipped) { t.skipped = result.skipped; continue; }
    t.executions += result.executions;
    t.seconds += result.seconds;
    for (const [k, v] of Object.entries(result.outcomes)) t.outcomes[k] = (t.outcomes[k] ?? 0) + v;
    if (result.slowest.ms > t.slowest.ms) t.slowest = { ...result.slowest, seed };
    t.failures.push(...result.failures);
  }
}
let failed = 0;
for (const [format, t] of Object.entries(totals)) {
  if (t.skipped) { console.log(`${format}: skipped (${t.skipped})`); continue; }
  console.log(`${format}: ${t.executions} executions, ${(t.executions / t.seconds).toFixed(0)}/s, outcomes ${JSON.stringify(t.outcomes)}`);
  console.log(`  slowest: ${t.slowest.ms.toFixed(1)} ms (${t.slowest.length} bytes; --format ${format} --seed ${t.slowest.seed} --replay ${t.slowest.iteration})`);
  for (const f of t.failures) console.log(`  FAIL --format ${format} --seed ${f.seed} --replay ${f.iteration}: ${f.error}`);
  failed += t.failures.length;
}
arena.checkHeap();
console.log(failed === 0 ? 'no failures' : `${failed} failures`);
process.exitCode = failed === 0 ? 0 : 1;
