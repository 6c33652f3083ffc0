// The `pnpm train` process itself: a bad input ends with exit code 1 and one line naming the problem
// (the stack only with TRAIN_DEBUG=1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = new URL('./train.ts', import.meta.url).pathname;
let root: string;

function runTrain(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRAIN_DEBUG: '', ...env },
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'train-cli-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pnpm train (process)', () => {
  it('a missing bundle: exit 1 and one line naming the file, the stack only with TRAIN_DEBUG=1', () => {
    const args = ['compact', '--bundle', join(root, 'missing'), '--out', join(root, 'out')];
    const run = runTrain({}, ...args);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^train: BundleLoadError: bundle file 'manifest\.json' in .*missing: no such file$/m,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);

    const debug = runTrain({ TRAIN_DEBUG: '1' }, ...args);
    expect(debug.status).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
