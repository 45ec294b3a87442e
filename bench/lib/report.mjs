// Timing and table helpers shared by the benchmarks.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median of `runs` timings (ms) of `f`, after `warmup` untimed runs. */
export async function timeMedian(f, { runs = 7, warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await f();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await f();
    times.push(performance.now() - start);
  }
  return median(times);
}

export function formatNumber(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return 'n/a';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ' ' + unit : ''}`;
}

/** Prints a table: `columns` are header names; rows are arrays of cells. */
export function printTable(title, columns, rows) {
  const cells = [columns, ...rows].map((row) => row.map((cell) => String(cell)));
  const widths = columns.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? '').length)));
  const line = (row) => '| ' + row.map((cell, c) => (cell ?? '').padEnd(widths[c])).join(' | ') + ' |';
  console.log(`\n${title}\n`);
  console.log(line(cells[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of cells.slice(1)) console.log(line(row));
}

/**
 * Medians (ms) of several contenders timed in turns: each round runs every contender once,
 * so that a machine that slows down or speeds up meanwhile affects them all alike.
 * `contenders`: name → function (undefined entries are skipped); a function that returns a
 * number reports its own time in ms.
 */
export async function timeInterleaved(contenders, { runs = 7, warmup = 2 } = {}) {
  const entries = Object.entries(contenders).filter(([, f]) => typeof f === 'function');
  for (let i = 0; i < warmup; i++) for (const [, f] of entries) await f();
  const times = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, f] of entries) {
      const start = performance.now();
      const reported = await f();
      // A contender that times itself (another process) returns its own milliseconds.
      times[name].push(typeof reported === 'number' ? reported : performance.now() - start);
    }
  }
  return Object.fromEntries(entries.map(([name]) => [name, median(times[name])]));
}
