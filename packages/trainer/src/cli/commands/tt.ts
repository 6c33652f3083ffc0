// `pnpm train tt` (TT-Rec) — and, through the same registration, `pnpm train sttd` (OD-Rec, ./sttd.ts): the
// tensor-train baselines (pipelines/tensor-train.ts). Same backbone and distillation as the compositional
// student; only the item table differs. Exports a `tt` / `sttd` bundle and a JSON report.
import type { Command } from 'commander';
import type { TensorTrainKind } from '../../model/tt-configs.ts';
import {
  evaluateTensorTrainPipeline,
  tensorTrainRunConfig,
  trainTensorTrainPipeline,
  type TensorTrainFlags,
} from '../../pipelines/tensor-train.ts';

export function registerTensorTrainCommand(program: Command, kind: TensorTrainKind): void {
  const what =
    kind === 'tt'
      ? 'TT-Rec (tensor-train item table, Yin et al. 2021)'
      : 'OD-Rec (semi-tensor-product tensor train, EODRec Eq. 4–8)';
  const cmd = program
    .command(kind)
    .description(
      `train the ${what} baseline student with the compositional student's distillation and export a \`${kind}\` bundle`,
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option(
      '--teacher <dir>',
      'teacher `full` bundle (default runs/<dataset>-teacher/bundle, else the shop’s shipped one)',
    )
    .option('--no-teacher', 'no teacher: random backbone, L_rec only (TT trained from scratch)')
    .option(
      '--size <s>',
      '30x (the issue configuration) | equal-bytes (as many table bytes as the compositional M=4, K=32 student)',
      '30x',
    );
  if (kind === 'tt') {
    cmd
      .option('--p <list>', 'vocabulary factors, ∏p ≥ V (e.g. 30,34,40)')
      .option('--q <list>', 'dimension factors, ∏q = N (e.g. 4,4,8)')
      .option('--ranks <list>', 'inner TT ranks R_1 … R_{d−1} (e.g. 34,34)');
  } else {
    cmd
      .option('--I <pair>', 'item factors I1,I2 with I1·I2 ≥ V (e.g. 169,241)')
      .option('--J <pair>', 'dimension factors J1,J2 with J1·J2 = N (e.g. 16,8)')
      .option('--rank <n>', 'STTD rank R (a multiple of t)')
      .option('--t <n>', "semi-tensor factor t (the paper's n)");
  }
  cmd
    .option('--out <dir>', `bundle folder (default runs/<dataset>-${kind}[-equal-bytes]/bundle)`)
    .option('--report <file>', `report JSON (default runs/<dataset>-${kind}[-equal-bytes]/report.json)`)
    .option(
      '--checkpoint <dir>',
      `checkpoint folder (default runs/<dataset>-${kind}[-equal-bytes]/checkpoint)`,
    )
    .option('--resume', 'continue from the checkpoint')
    .option('--pretrain-epochs <n>', 'stage 1 epochs (L_rec + L_mse + mixup)', '1')
    .option('--kd-epochs <n>', 'stage 2 epochs (bidirectional self-supervised KD)', '10')
    .option(
      '--seed <n>',
      "seed (default: the teacher's, so that the validation split is the teacher's; 42 without one)",
    )
    .option(
      '--mse-warmup-steps <n>',
      "Adam steps fitting the cores to the teacher table by L_mse alone before stage 1 (as the compositional student's code warm-up)",
      '300',
    )
    .option('--max-minutes <t>', 'training wall-time budget in minutes (validation included)', '600')
    .option(
      '--loss <kind>',
      "L_rec: full (softmax over all items) | sampled (the teacher's and the student's: shared popularity negatives, logQ)",
      'sampled',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled', '4096')
    .option('--pretrain-minutes <t>', 'cap on stage 1 training minutes (short schedules; then KD begins)')
    .option('--valid-limit <n>', 'validate on at most n validation sessions (a fixed subset)')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch', '512')
    .option('--patience <n>', 'early stopping patience per stage (epochs)', '2')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option(
      '--init-std <x>',
      "std of the rebuilt rows at init (sampled-Gaussian cores); default U(-0.1, 0.1)'s",
      String(0.1 / Math.sqrt(3)),
    )
    .option(
      '--backbone-init <from>',
      "teacher | random: start the student backbone from the teacher's weights or afresh",
      'teacher',
    )
    .option('--no-kd', 'stage 2 without KD (Stu-base)')
    .option('--no-contrastive', 'no InfoNCE term')
    .option('--no-soft-targets', 'no soft-target KL term')
    .option('--no-bidirectional', 'teacher frozen')
    .option('--no-mixup', 'no embedding mixup with the teacher table')
    .option(
      '--eta-anneal [fraction]',
      'anneal the mixup weight η linearly to 0, reached at this fraction of training (default 1: the end), then 0',
    )
    .option('--no-mse', 'no L_mse to the teacher table')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-cpu-eval',
      'skip the CPU-engine evaluation of the exported bundle (run --evaluate-only later)',
    )
    .option(
      '--evaluate-only',
      "no training: evaluate the bundle at --out on the full test set through the CPU engine, rows rebuilt once (same scores as `pnpm eval`, minutes instead of hours); prints pnpm eval's JSON and records it in the report",
    )
    .action(async (flags: TensorTrainFlags) => {
      const config = tensorTrainRunConfig(kind, flags);
      if (flags.evaluateOnly) await evaluateTensorTrainPipeline(config);
      else await trainTensorTrainPipeline(config);
    });
}

export function registerTtCommand(program: Command): void {
  registerTensorTrainCommand(program, 'tt');
}
