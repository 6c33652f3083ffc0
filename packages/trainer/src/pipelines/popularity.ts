// The popularity pipeline (`pnpm train popularity --dataset <dir> --out <dir>`): the popularity baseline (and every model's
// empty-session fallback): items scored by how often they were clicked in the training sessions.
// Writes a `popularity` bundle whose manifest carries its own test metrics.
import { decodeBundleFromFiles, encodeBundle, type EncodeBundleInput } from '@session-rec/sdk/bundle';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { popularityCounts, popularityOrder, readDataset } from '../data/index.ts';
import { evaluateRanking, roundMetrics } from '../eval/index.ts';

/** The protocol reads the last 50 clicks; a popularity bundle ignores them but states the same window. */
const MAX_LEN = 50;

export interface PopularityResult {
  outDir: string;
  metrics: Record<string, number>;
  numItems: number;
}

export async function trainPopularity(
  datasetDir: string,
  outDir: string,
  command: string,
): Promise<PopularityResult> {
  const dataset = readDataset(datasetDir);
  const V = dataset.numItems;
  const counts = Float32Array.from(popularityCounts(dataset.trainSessions, V));
  const input: EncodeBundleInput = {
    kind: 'popularity',
    hyper: { numItems: V, maxLen: MAX_LEN },
    vocabulary: dataset.vocabulary ?? { type: 'range', first: 1, count: V },
    tensors: [
      { name: 'counts', dtype: 'float32', shape: [V], data: counts },
      { name: 'popularity', dtype: 'uint32', shape: [V], data: popularityOrder(counts) },
    ],
    info: {
      dataset: dataset.name,
      command,
      trainSessions: dataset.trainSessions.length,
      scores: 'click counts in train.txt',
    },
  };
  // Score the test set through the bundle as the runtime reads it, then write it with its metrics.
  const engine = createCpuEngine(await decodeBundleFromFiles(await encodeBundle(input)));
  const metrics = evaluateRanking(dataset.testCases, (session, out) => engine.scoreAll(session, out), {
    numItems: V,
    maxLen: MAX_LEN,
  });
  const { cases, ...percent } = metrics;
  const rounded = roundMetrics(percent);
  await writeBundleDir(
    outDir,
    await encodeBundle({ ...input, metrics: rounded, info: { ...input.info, testCases: cases } }),
  );
  return { outDir, metrics, numItems: V };
}
