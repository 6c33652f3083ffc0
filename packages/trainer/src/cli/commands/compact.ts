// `pnpm train compact --bundle <dir> --out <dir> [--float16 all|codebooks|none] [--int8 none|table|all] [--no-pack-codes]
//    [--mgqe <K_tail> [--head-fraction 0.1]] [--dataset <dir>]`: the same trained bundle stored smaller
// (pipelines/compact.ts). Prints a JSON report.
import { Option, type Command } from 'commander';
import { FLOAT16_CHOICES, INT8_CHOICES } from '../../compact/compact-bundle.ts';
import { compactBundlePipeline, compactConfig, type CompactFlags } from '../../pipelines/compact.ts';

export function registerCompactCommand(program: Command): void {
  program
    .command('compact')
    .description(
      'store a trained bundle smaller: float16 weights, bit-packed codes, optionally MGQE tail codes',
    )
    .requiredOption('--bundle <dir>', 'trained bundle')
    .requiredOption('--out <dir>', 'bundle folder to write (replaced atomically; may be --bundle itself)')
    .addOption(
      new Option('--float16 <which>', 'float32 tensors to store as float16 (the head stays float32)')
        .choices(FLOAT16_CHOICES)
        .default('all'),
    )
    .addOption(
      new Option(
        '--int8 <which>',
        'float tensors to store as symmetric per-row int8 (table: the item table; all: every one; the head stays float32; wins over --float16)',
      )
        .choices(INT8_CHOICES)
        .default('none'),
    )
    .option('--no-pack-codes', 'compositional: keep one byte per code (default: ⌈log2 K⌉ bits)')
    .option(
      '--mgqe <K_tail>',
      'compositional: tail items use only the first K_tail codewords of each codebook (lossy)',
    )
    .option('--head-fraction <x>', 'with --mgqe: share of items, the most clicked, that keep all K', '0.1')
    .option('--dataset <dir>', 'score the result on its test set and store those metrics (needed by --mgqe)')
    .action(async (flags: CompactFlags) => {
      const command = `pnpm train compact ${process.argv.slice(3).join(' ')}`;
      const report = await compactBundlePipeline(compactConfig(flags, command));
      process.stdout.write(JSON.stringify(report) + '\n');
    });
}
