// `pnpm train teacher`: trains SASRec + soft-attention readout with a full item table (SPEC §3),
// writes the `full` bundle and a JSON report (pipelines/teacher.ts).
import type { Command } from 'commander';
import { teacherConfig, trainTeacherPipeline, type TeacherFlags } from '../../pipelines/teacher.ts';

export function registerTeacherCommand(program: Command): void {
  program
    .command('teacher')
    .description(
      'train the teacher (SASRec + soft-attention readout, full item table) and export a `full` bundle',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option('--out <dir>', 'bundle folder (default runs/<dataset>-teacher/bundle)')
    .option('--report <file>', 'report JSON (default runs/<dataset>-teacher/report.json)')
    .option('--checkpoint <dir>', 'checkpoint folder (default runs/<dataset>-teacher/checkpoint)')
    .option('--resume', 'continue from the checkpoint')
    .option('--epochs <n>', 'maximum epochs (default 30)')
    .option('--seed <n>', 'seed (init, batching, dropout, validation split)', '42')
    .option(
      '--max-minutes <t>',
      'training wall-time budget in minutes, validation included (default: RetailRocket 60, else 600)',
    )
    .option(
      '--dim <n>',
      'embedding size N (paper: Tmall 128, RetailRocket 256; other datasets: stated at the start)',
    )
    .option('--heads <n>', 'attention heads (paper: Tmall 1, RetailRocket 2)')
    .option('--blocks <n>', 'self-attention blocks (paper: 1)')
    .option('--dropout <p>', 'dropout (paper: Tmall 0.5, RetailRocket 0.2; other datasets 0.3)')
    .option('--max-len <n>', 'items of a session the model reads', '50')
    .option('--lr <x>', 'Adam learning rate (default: RetailRocket 2e-3, else 1e-3)')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option(
      '--batch-positions <n>',
      'positions (prefix predictions) per batch (default: RetailRocket 2048, else 512)',
    )
    .option('--patience <n>', 'early stopping patience (epochs)', '2')
    .option('--emb-scale <x>', 'item embedding scale before adding positions (default sqrt(N), as SASRec)')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option('--table-dtype <t>', 'float32 | float16 for the item table in the bundle', 'float32')
    .option(
      '--backend <name>',
      'tensorflow | wasm | cpu | webgpu (GPU via the optional `webgpu` package; default: tensorflow if installed, else wasm)',
    )
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option(
      '--loss <kind>',
      'full (cross-entropy over all items) | sampled (shared popularity negatives, logQ-corrected) | auto ' +
        '(full on tensorflow/webgpu; sampled on wasm/cpu, where a full-softmax epoch takes over an hour)',
      'auto',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled (default: Tmall 4096, else 2048)')
    .option(
      '--valid-max-sessions <n>',
      'validate each epoch on the first n held-out sessions (all-item ranking costs V·N per position)',
      '3000',
    )
    .option('--train-max-sessions <n>', 'train on the first n training sessions only (quick comparisons)')
    .option('--no-test', 'skip the test-set evaluation (quick comparisons; the bundle is still written)')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: TeacherFlags) => {
      await trainTeacherPipeline(teacherConfig(flags));
    });
}
