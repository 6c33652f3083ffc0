// The baselines' fast evaluation path (rows rebuilt once) must print exactly what `pnpm eval` prints with
// the device's per-query reconstruction.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles, seededRandom } from '@session-rec/sdk/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateBundle, evaluateThroughCpuEngine } from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'tt-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeDataset(dir: string, numItems: number): void {
  mkdirSync(dir, { recursive: true });
  const rand = seededRandom(9);
  const item = () => 1 + Math.floor(rand() * numItems);
  const sessions = Array.from({ length: 40 }, () => Array.from({ length: 2 + Math.floor(rand() * 6) }, item));
  writeFileSync(join(dir, 'train.txt'), sessions.map((s) => s.join(' ')).join('\n') + '\n');
  const cases = Array.from(
    { length: 60 },
    () => `${Array.from({ length: 1 + Math.floor(rand() * 8) }, item).join(' ')}\t${item()}`,
  );
  writeFileSync(join(dir, 'test.txt'), cases.join('\n') + '\n');
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'tiny', numItems }));
}

describe('evaluateThroughCpuEngine', () => {
  for (const kind of ['tt', 'sttd'] as const) {
    it(`${kind}: same metrics as pnpm eval's per-query reconstruction`, async () => {
      const V = 97; // not a multiple of the factors' product: padding rows are never read
      const dataset = join(root, `data-${kind}`);
      const bundleDir = join(root, `bundle-${kind}`);
      writeDataset(dataset, V);
      await writeBundleDir(bundleDir, await randomBundleFiles(kind, { numItems: V, dim: 16, seed: 4 }));
      const perQuery = (await evaluateBundle({ bundleDir, datasetDir: dataset, workers: 1 })).metrics;
      const materialized = await evaluateThroughCpuEngine(bundleDir, dataset);
      expect(materialized.cases).toBe(60);
      for (const [name, value] of Object.entries(perQuery))
        expect(materialized[name], name).toBeCloseTo(value, 4);
      // pnpm eval's path in the same process afterwards still gives the same numbers
      expect((await evaluateBundle({ bundleDir, datasetDir: dataset, workers: 1 })).metrics).toEqual(
        perQuery,
      );
    });
  }
});
