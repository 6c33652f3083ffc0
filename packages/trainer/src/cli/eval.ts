// `pnpm eval --bundle <dir> --dataset <dir> [--limit N] [--workers W] [--by-repeat] [--exclude-seen] [--no-head]`: ranks ALL items for every test
// case through the SDK's CPU engine and prints one JSON object of metrics (percent) to stdout.
// Progress goes to stderr, so stdout stays machine-readable.
import { Command, InvalidArgumentError, Option } from 'commander';
import { evaluateBundle, roundMetrics } from '../eval/index.ts';
import { TENSOR_TRAIN_ROWS, type TensorTrainRows } from '../eval/tensor-train-rows.ts';
import { progressPrinter } from '../progress.ts';

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

const program = new Command('eval')
  .description('evaluate a model bundle on a dataset (all-item ranking, CPU engine)')
  .requiredOption('--bundle <dir>', 'model bundle folder (with manifest.json)')
  .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
  .option('--limit <n>', 'only the first n test cases', positiveInt('--limit'))
  .option(
    '--workers <n>',
    'worker threads, each ranking a contiguous share of the cases (default 1: two did not pay on a shared 2-core machine)',
    positiveInt('--workers'),
  )
  .addOption(
    new Option(
      '--rows <how>',
      'tt/sttd bundles: rebuild the rows from the cores once (same scores) or per query, as a device does (hours)',
    )
      .choices(TENSOR_TRAIN_ROWS)
      .default('materialized'),
  )
  .option(
    '--by-repeat',
    'also print the metrics of repeat cases (label already in the prefix) and new-item cases apart',
  )
  .option(
    '--exclude-seen',
    "rank only the items outside each case's prefix, as recommend({ excludeSeen: true }) does (the demo shop's strip): repeat cases become misses",
  )
  .option('--no-head', "score with θ·e alone: the bundle's popularity prior and repeat head left out")
  .action(
    async (opts: {
      bundle: string;
      dataset: string;
      limit?: number;
      workers?: number;
      rows: TensorTrainRows;
      byRepeat?: boolean;
      excludeSeen?: boolean;
      head: boolean;
    }) => {
      const started = performance.now();
      const { metrics, kind, dataset, repeat, newItem } = await evaluateBundle({
        bundleDir: opts.bundle,
        datasetDir: opts.dataset,
        limit: opts.limit,
        workers: opts.workers ?? 1,
        rows: opts.rows,
        byRepeat: opts.byRepeat ?? false,
        excludeSeen: opts.excludeSeen ?? false,
        head: opts.head,
        onProgress: progressPrinter('eval'),
      });
      process.stderr.write(
        `eval: ${kind} bundle on ${dataset}, ${metrics.cases} cases in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
      const out =
        repeat && newItem
          ? { ...roundMetrics(metrics), repeat: roundMetrics(repeat), newItem: roundMetrics(newItem) }
          : roundMetrics(metrics);
      process.stdout.write(`${JSON.stringify(out)}\n`);
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`eval: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
});
