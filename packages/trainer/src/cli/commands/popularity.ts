// `pnpm train popularity --dataset <dir> --out <dir>`: the popularity baseline (pipelines/popularity.ts):
// a `popularity` bundle whose manifest carries its own test metrics.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { trainPopularity } from '../../pipelines/popularity.ts';

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
