// The reclaim fence with real threads on the shipped shared core (test/litmus): a thread
// entering a call against reclaim(id, dead = false) from another thread. The schedule
// explorer runs threads sequentially consistently, so it cannot see a store that a CPU
// (or the WebAssembly memory model) lets sit in a store buffer; these litmus runs can.
// `npm run stress` runs them longer.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function litmus(name: string, seconds: number): Promise<{ code: number; report: Record<string, unknown> }> {
  const script = fileURLToPath(new URL(`./litmus/${name}.mjs`, import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, String(seconds)], { timeout: (seconds + 30) * 1000 }, (error, stdout) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, report: JSON.parse(line) });
      } catch {
        reject(new Error(`${name}: no report (${error?.message ?? 'no output'})`));
      }
    });
  });
}

describe('the reclaim fence with real threads', () => {
  it('a call is either refused or seen in the core: no reclaim runs while the thread is inside', async () => {
    const { code, report } = await litmus('fence-store-load', 4);
    // With a plain store of the in-a-call flag this saw about ten violations a second.
    expect(report.trials).toBeGreaterThan(1000);
    expect(report.violations).toBe(0);
    expect(code).toBe(0);
  });

  it('a thread reclaimed (not dead) again and again keeps its ledger, its stamps and a clean heap', async () => {
    const { code, report } = await litmus('fence-harm', 4);
    const v = report.v as { calls: number; violations: unknown[] };
    expect(report.stuck).toBeUndefined();
    expect(v.calls).toBeGreaterThan(10_000);
    expect(v.violations).toEqual([]);
    expect(report.heapCheck).toBe(0);
    expect(report.blocksInUse).toBe(0);
    expect(code).toBe(0);
  });
});
