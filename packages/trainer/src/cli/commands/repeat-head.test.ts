// `pnpm train repeat-head` end to end on a tiny dataset whose clicks follow popularity: the written bundle
// carries the prior the search chose, and `pnpm eval` on it gives the test metrics the report states.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { POPULARITY_PRIOR_TENSOR } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { readPopularityPrior } from '@session-rec/sdk/engine/popularity-prior';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateBundle } from '../../eval/index.ts';
import { writeZipfDataset } from '../../testing/zipf-dataset.ts';
import { registerRepeatHeadCommand } from './repeat-head.ts';

const root = mkdtempSync(join(tmpdir(), 'repeat-head-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const V = 150;

async function run(args: string[]): Promise<void> {
  const program = new Command('train').exitOverride();
  registerRepeatHeadCommand(program);
  await program.parseAsync(['node', 'train', 'repeat-head', ...args]);
}

describe('pnpm train repeat-head', () => {
  const dataset = join(root, 'data');
  const input = join(root, 'input');
  writeZipfDataset(dataset, V);

  it('writes a bundle with the chosen prior and head; pnpm eval reproduces the reported test metrics', async () => {
    await writeBundleDir(input, await randomBundleFiles('compositional', { numItems: V, dim: 8, seed: 2 }));
    const out = join(root, 'with-prior');
    const report = join(root, 'with-prior.json');
    const quiet = { stderr: process.stderr.write };
    process.stderr.write = () => true; // progress lines
    try {
      await run(['--bundle', input, '--dataset', dataset, '--out', out, '--report', report]);
      await run([
        ...['--bundle', input, '--dataset', dataset, '--out', join(root, 'no-prior')],
        ...['--report', join(root, 'no-prior.json'), '--no-prior'],
      ]);
    } finally {
      process.stderr.write = quiet.stderr;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const bundle = await readBundleDir(out);
    const prior = readPopularityPrior(bundle);
    // Random weights know nothing; the clicks follow popularity: the search must pick a prior.
    expect(prior).toBeDefined();
    expect(prior!.weight).toBeGreaterThan(0);
    expect(r.prior.chosen.weight).toBeCloseTo(prior!.weight, 6); // float32 in the bundle
    expect(r.prior.chosen.depth).toBe(prior!.depth);
    expect(bundle.manifest.formatVersion).toBe(4);
    expect(bundle.tensors.get('popularity')!.data.length).toBeGreaterThanOrEqual(prior!.depth);
    expect(r.parameters.ratioEq11WithHead).toBeLessThan(r.parameters.ratioEq11);
    const evaluated = (await evaluateBundle({ bundleDir: out, datasetDir: dataset, workers: 1 })).metrics;
    expect(evaluated['P@10']).toBeCloseTo(r.test.withHead['P@10'], 3);
    expect(evaluated['NDCG@10']).toBeCloseTo(r.test.withHead['NDCG@10'], 3);
    expect(r.test.withPriorOnly['P@10']).toBeGreaterThan(r.test.withoutHead['P@10']);

    const plain = await readBundleDir(join(root, 'no-prior'));
    expect(plain.tensors.has(POPULARITY_PRIOR_TENSOR)).toBe(false);
    expect(plain.manifest.formatVersion).toBe(3);
    expect(Array.from(plain.tensors.get('popularity')!.data)).toEqual(
      Array.from((await readBundleDir(input)).tensors.get('popularity')!.data),
    );
  });

  it('rejects a bad prior grid with the flag named', async () => {
    await expect(
      run([
        ...['--bundle', input, '--dataset', dataset, '--out', join(root, 'bad')],
        ...['--report', join(root, 'bad.json'), '--prior-weights', '0.2,x'],
      ]),
    ).rejects.toThrow(/--prior-weights/);
  });
});
