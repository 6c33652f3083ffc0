// `pnpm train new-items --bundle <student> --dataset <dir> --out <dir>`: fine-tunes a compositional
// student's encoder and codebooks for the strip's new-item ranking (pipelines/new-item-tuning.ts), then
// `pnpm train repeat-head` fits its head.
import type { Command } from 'commander';
import { num, optional } from '../../flags.ts';
import { tuneForNewItems } from '../../pipelines/new-item-tuning.ts';

interface NewItemFlags {
  bundle: string;
  dataset: string;
  out: string;
  report?: string;
  checkpoint?: string;
  resume?: boolean;
  epochs: string;
  maxMinutes: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  validLimit?: string;
  validFraction: string;
  seed?: string;
  checkpointMinutes: string;
  progress: boolean;
}

export function registerNewItemsCommand(program: Command): void {
  program
    .command('new-items')
    .description(
      "fine-tune a compositional student (encoder and codebooks, codes frozen) on the new-item cases, ranked among the items outside the session, as the shop's strip shows them",
    )
    .requiredOption('--bundle <dir>', 'trained compositional bundle')
    .requiredOption('--dataset <dir>', 'the dataset it was trained on')
    .requiredOption('--out <dir>', 'bundle folder to write (without a head; replaced atomically)')
    .option('--report <file>', 'JSON report (default <out>/../new-items-report.json)')
    .option('--checkpoint <dir>', 'checkpoint folder (default <out>-checkpoint)')
    .option('--resume', 'continue from the checkpoint')
    .option('--epochs <n>', 'epochs over the new-item cases', '2')
    .option('--max-minutes <t>', 'wall-time budget (validation included)', '60')
    .option('--lr <x>', 'Adam learning rate', '3e-4')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'padded positions per batch before the repeat cases are dropped', '1024')
    .option('--patience <n>', 'epochs without a better validation score before stopping', '1')
    .option('--valid-limit <n>', 'validate on the first n validation sessions', '2000')
    .option('--valid-fraction <x>', 'share of training sessions its training held out', '0.1')
    .option('--seed <n>', "validation split seed (default: the bundle's training seed)")
    .option('--checkpoint-minutes <t>', 'checkpoint interval', '5')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: NewItemFlags) => {
      const positive =
        (flag: string, integer = false) =>
        (v: string) =>
          num(v, flag, { integer, min: 0 });
      await tuneForNewItems({
        bundleDir: flags.bundle,
        datasetDir: flags.dataset,
        outDir: flags.out,
        reportPath: flags.report ?? `${flags.out.replace(/\/+$/, '')}-report.json`,
        epochs: num(flags.epochs, 'epochs', { integer: true, min: 1 }),
        maxMinutes: positive('max-minutes')(flags.maxMinutes),
        lr: positive('lr')(flags.lr),
        l2: positive('l2')(flags.l2),
        positionsPerBatch: num(flags.batchPositions, 'batch-positions', { integer: true, min: 1 }),
        patience: num(flags.patience, 'patience', { integer: true, min: 1 }),
        validLimit: optional(flags.validLimit, (v) => num(v, 'valid-limit', { integer: true, min: 1 })),
        validFraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
        seed: optional(flags.seed, (v) => num(v, 'seed', { integer: true })),
        checkpointDir: flags.checkpoint ?? `${flags.out.replace(/\/+$/, '')}-checkpoint`,
        checkpointMinutes: positive('checkpoint-minutes')(flags.checkpointMinutes),
        resume: Boolean(flags.resume),
        progress: flags.progress,
        command: `pnpm train new-items ${process.argv.slice(3).join(' ')}`,
      });
    });
}
