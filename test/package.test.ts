// The package as users install it: packed without running `prepare` (the tests already run
// against the built dist/; a rebuild here would rewrite files other test files are reading),
// then checked by publint (--strict) and @arethetypeswrong/cli (ESM-only profile).
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const bin = (name: string): string => join(root, 'node_modules', '.bin', name);

describe('the package', () => {
  it('packs only what users need, and publint and attw find nothing wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pixel-arena-pack-'));
    try {
      const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--json', '--pack-destination', dir], { cwd: root });
      const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
      const paths = info!.files.map((f) => f.path);
      expect(paths).toContain('dist/pixel-arena.shared.wasm');
      expect(paths).toContain('dist/cli.js');
      expect(paths.filter((p) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(p))).toEqual([]);
      await run(bin('publint'), ['--strict', '--pack', 'false'], { cwd: root });
      await run(bin('attw'), [join(dir, info!.filename), '--profile', 'esm-only'], { cwd: root });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
