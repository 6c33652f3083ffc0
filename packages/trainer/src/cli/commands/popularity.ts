// `pnpm train popularity --dataset <dir> --out <dir>`: the popularity baseline (and every model's
// empty-session fallback): items scored by how often they were clicked in the training sessions.
// Writes a `popularity` bundle whose manifest carries its own test metrics.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { decodeBundleFromFiles, encodeBundle, type EncodeBundleInput } from '@session-rec/sdk/bundle';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { popularityCounts, popularityOrder, readDataset } from '../../data/index.ts';
import { evaluateRanking } from '../../eval/index.ts';

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
  const rounded = Object.fromEntries(Object.entries(percent).map(([k, v]) => [k, Number(v.toFixed(4))]));
  await writeBundleDir(
    outDir,
    await encodeBundle({ ...input, metrics: rounded, info: { ...input.info, testCases: cases } }),
  );
  return { outDir, metrics, numItems: V };
}

export function registerPopularityCommand(program: Command): void {
  program
    .command('popularity')
    .description(
      'count item clicks in the training sessions and write a popularity bundle (with its test metrics)',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .requiredOption('--out <dir>', 'bundle folder to write (replaced atomically)')
    .action(async (opts: { dataset: string; out: string }) => {
      const command = `pnpm train popularity --dataset ${opts.dataset} --out ${opts.out}`;
      const started = performance.now();
      const result = await trainPopularity(resolve(opts.dataset), resolve(opts.out), command);
      process.stderr.write(
        `popularity: ${result.numItems} items, bundle written to ${opts.out} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      process.stdout.write(`${JSON.stringify(result.metrics)}\n`);
    });
}
