// Loads what a bundle evaluation needs — the bundle, the dataset's test cases in the bundle's item
// indices, a CPU engine — and checks that the two belong together. Shared by the main thread and workers.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelBundle } from '@session-rec/sdk/bundle';
import { MANIFEST_FILE } from '@session-rec/sdk/bundle';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { withTensorTrainRows, type TensorTrainRows } from './tensor-train-rows.ts';
import { createCpuEngine, type CpuScoringEngine } from '@session-rec/sdk/engine/cpu';
import { datasetItemId, readDataset, type Dataset } from '../data/index.ts';
import { EvalInputError } from './errors.ts';
import type { RankingCase } from './evaluate.ts';

export interface BundleEvaluation {
  bundle: ModelBundle;
  engine: CpuScoringEngine;
  datasetName: string;
  cases: RankingCase[];
}

function requireDir(dir: string, what: string, mustContain: string): void {
  if (!existsSync(dir)) throw new EvalInputError(`${what} folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new EvalInputError(`${what} is not a folder: ${dir}`);
  if (!existsSync(join(dir, mustContain)))
    throw new EvalInputError(`${what} folder ${dir} has no ${mustContain}`);
}

/**
 * Dataset item index → bundle index, through the external ids (vocab.txt's, else 1..V): identity for a
 * bundle trained on this folder. A bundle of another size passes only where items are named — the dataset
 * has a vocab.txt or the bundle a list vocabulary — and it knows every item of the dataset (a refreshed
 * bundle holds its previous items too). With plain 1..V ids on both sides the counts must agree.
 */
export function datasetToBundle(
  dataset: Pick<Dataset, 'name' | 'numItems' | 'vocabulary'>,
  bundle: Pick<ModelBundle, 'manifest' | 'itemIndex'>,
  what = 'bundle',
): Int32Array {
  const V = bundle.manifest.hyper.numItems;
  const toBundle = new Int32Array(dataset.numItems);
  const itemId = datasetItemId(dataset);
  let missing = 0;
  let firstMissing = '';
  for (let i = 0; i < dataset.numItems; i++) {
    toBundle[i] = bundle.itemIndex(itemId(i));
    if (toBundle[i]! < 0 && missing++ === 0) firstMissing = itemId(i);
  }
  const named = dataset.vocabulary !== undefined || bundle.manifest.vocabulary.type !== 'range';
  if (V !== dataset.numItems && (!named || missing > 0))
    throw new EvalInputError(
      `${what} has numItems = ${V} but dataset ${dataset.name} has ${dataset.numItems} items` +
        (named
          ? `, ${missing} of them (first: id ${JSON.stringify(firstMissing)}) not in the bundle's vocabulary`
          : ' (ids 1..V on both sides)') +
        ': the bundle was not trained on this dataset',
    );
  return toBundle;
}

/**
 * The first `limit` test cases (all when undefined) of `datasetDir`, mapped into the bundle's vocabulary
 * (dataset item id = String(index + 1)), and a CPU engine for the bundle.
 */
export async function loadBundleEvaluation(
  bundleDir: string,
  datasetDir: string,
  limit?: number,
  rows: TensorTrainRows = 'materialized',
): Promise<BundleEvaluation> {
  requireDir(bundleDir, 'bundle', MANIFEST_FILE);
  requireDir(datasetDir, 'dataset', 'test.txt');
  const bundle = await readBundleDir(bundleDir);
  const dataset = readDataset(datasetDir);
  const toBundle = datasetToBundle(dataset, bundle, `bundle ${bundleDir}`);
  const selected = limit === undefined ? dataset.testCases : dataset.testCases.slice(0, limit);
  const cases: RankingCase[] = selected.map((c, n) => {
    const label = toBundle[c.label];
    if (label < 0)
      throw new EvalInputError(
        `test case ${n + 1}: label item ${c.label + 1} is not in the bundle's vocabulary`,
      );
    const prefix = Array.from(c.prefix, (i) => toBundle[i]).filter((i) => i >= 0);
    return { prefix, label };
  });
  return {
    bundle,
    engine: withTensorTrainRows(rows, () => createCpuEngine(bundle)),
    datasetName: dataset.name,
    cases,
  };
}
