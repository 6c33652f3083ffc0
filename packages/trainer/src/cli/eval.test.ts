// The `pnpm eval` process itself: stdout is exactly one JSON object (progress on stderr), exit code 0;
// bad input → exit code 1 and a message naming the problem.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainPopularity } from '../pipelines/popularity.ts';

const cli = new URL('./eval.ts', import.meta.url).pathname;
let root: string;

function runEval(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'eval-cli-'));
  const dataset = join(root, 'data');
  mkdirSync(dataset);
  writeFileSync(join(dataset, 'train.txt'), '1 2 3\n2 3\n3 4 3\n5 3\n');
  writeFileSync(join(dataset, 'test.txt'), '1 2\t3\n1\t2\n4\t5\n');
  writeFileSync(join(dataset, 'dataset.json'), JSON.stringify({ name: 'tiny', numItems: 5 }));
  await trainPopularity(dataset, join(root, 'pop'), 'test');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('pnpm eval (process)', () => {
  it('prints one JSON object with the nine metrics and cases on stdout', () => {
    const run = runEval('--bundle', join(root, 'pop'), '--dataset', join(root, 'data'));
    expect(run.stderr).toMatch(/eval: popularity bundle on tiny, 3 cases/);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    // Counts: 3 → 5 clicks, 2 → 2, then 1, 4, 5 → 1 each (ties by index). Labels 3, 2, 5 rank 1, 2, 5.
    const r = JSON.parse(lines[0]) as Record<string, number>;
    expect(Object.keys(r)).toEqual([
      'P@5',
      'MRR@5',
      'NDCG@5',
      'P@10',
      'MRR@10',
      'NDCG@10',
      'P@20',
      'MRR@20',
      'NDCG@20',
      'cases',
    ]);
    expect(r.cases).toBe(3);
    expect(r['P@5']).toBe(100);
    expect(r['MRR@5']).toBeCloseTo((100 * (1 + 1 / 2 + 1 / 5)) / 3, 4);
    expect(r['NDCG@5']).toBeCloseTo((100 * (1 + 1 / Math.log2(3) + 1 / Math.log2(6))) / 3, 4);
  });

  it('exits with 1 and names a missing bundle folder', () => {
    const run = runEval('--bundle', join(root, 'missing'), '--dataset', join(root, 'data'));
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/EvalInputError: bundle folder not found: .*missing/);
  });
});
