// `pnpm quality [--dataset <dir>]… [bundle dirs…] [--force]`: the quality table of every bundle
// (results/quality/README.md, quality.json, pareto.svg). Without --dataset: ../shared/datasets/{tmall,
// retailrocket}. Evaluations are cached per bundle version (results/quality/evals/); --force reruns them.
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { progressPrinter } from '../progress.ts';
import { runQuality, writeQualityOutputs } from '../quality/index.ts';

const root = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const DEFAULT_DATASETS = ['tmall', 'retailrocket'].map((d) => join(root, '../shared/datasets', d));

const program = new Command('quality')
  .description('one quality table of every shipped and candidate bundle (results/quality/)')
  .argument('[bundles...]', 'bundle folders (default: shipped + results/quality/candidates.json)')
  .option(
    '--dataset <dir>',
    'dataset folder; repeat for more (default: ../shared/datasets/{tmall,retailrocket})',
    (dir: string, previous: string[] | undefined) => [...(previous ?? []), dir],
  )
  .option('--force', 'rerun every evaluation, cached or not')
  .option('--out <dir>', 'output folder', join(root, 'results/quality'))
  .action(async (bundles: string[], opts: { dataset?: string[]; force?: boolean; out: string }) => {
    const dirs = opts.dataset ?? DEFAULT_DATASETS;
    // The folder's name keys the cache and the table, and picks the bundles (`<name>-…`).
    const datasets = dirs.map((dir) => ({ name: basename(resolve(dir)), dir }));
    const report = await runQuality({
      datasets,
      bundles: bundles.length ? bundles : undefined,
      root,
      modelsDir: join(root, 'apps/demo-shop/public/models'),
      candidatesFile: join(opts.out, 'candidates.json'),
      cacheDir: join(opts.out, 'evals'),
      outDir: opts.out,
      benchFile: join(root, 'bench/results/latest.json'),
      force: opts.force,
      log: (line) => process.stderr.write(`${line}\n`),
      progress: (what) => progressPrinter(`quality: ${what}`),
    });
    writeQualityOutputs(opts.out, report);
    process.stderr.write(`quality: wrote ${opts.out}/{README.md,quality.json,pareto.svg}\n`);
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`quality: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
});
