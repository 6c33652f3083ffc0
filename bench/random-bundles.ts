// Random-weight bundles for the kinds a dataset has no trained bundle of yet, with the paper's shapes, so
// that the benchmark times every kind at its real size. Their weights are random: every output labels
// them (`randomWeights: true`, "RANDOM" in tables and charts); only their latency means something.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelKind } from '@session-rec/sdk/bundle';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles, type RandomBundleOptions } from '@session-rec/sdk/testing';

/** The EODRec paper's / the baselines issue's configurations (SPEC §3) per dataset. */
const SHAPES: Record<string, Omit<RandomBundleOptions, 'numItems'>> = {
  tmall: { dim: 128, heads: 1, blocks: 1, M: 4, K: 32, ttP: [30, 34, 40], ttQ: [4, 4, 8], ttRanks: [34, 34] },
  retailrocket: {
    dim: 256,
    heads: 2,
    blocks: 1,
    M: 3,
    K: 256,
    ttP: [25, 37, 40],
    ttQ: [4, 8, 8],
    ttRanks: [32, 32],
  },
};
const DEFAULT_SHAPE = { dim: 128, heads: 1, blocks: 1, M: 4, K: 32 };

export const BENCH_KINDS: readonly ModelKind[] = ['compositional', 'tt', 'sttd', 'full', 'popularity'];

export interface RandomBundleResult {
  kind: ModelKind;
  folder: string | null;
  /** Why no bundle was made (e.g. the generator does not support the kind yet). */
  skipped?: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Number of items of a dataset folder, from its dataset.json. */
export async function datasetNumItems(datasetDir: string): Promise<number> {
  const info = JSON.parse(await readFile(join(datasetDir, 'dataset.json'), 'utf8')) as { numItems?: unknown };
  if (typeof info.numItems !== 'number') throw new Error(`${datasetDir}/dataset.json has no numItems`);
  return info.numItems;
}

export async function ensureRandomBundles(
  outDir: string,
  dataset: string,
  numItems: number,
  kinds: readonly ModelKind[],
): Promise<RandomBundleResult[]> {
  const shape = SHAPES[dataset] ?? DEFAULT_SHAPE;
  const results: RandomBundleResult[] = [];
  for (const kind of kinds) {
    const folder = join(outDir, `${dataset}-${kind}-random`);
    if (await exists(join(folder, 'manifest.json'))) {
      results.push({ kind, folder });
      continue;
    }
    try {
      const files = await randomBundleFiles(kind, {
        ...shape,
        numItems,
        seed: 11,
        info: { dataset, random: true, note: 'random weights for latency benchmarking only (untrained)' },
      });
      await mkdir(outDir, { recursive: true });
      await writeBundleDir(folder, files);
      results.push({ kind, folder });
    } catch (error) {
      results.push({ kind, folder: null, skipped: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
