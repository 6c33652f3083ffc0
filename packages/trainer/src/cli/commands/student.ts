// `pnpm train student`: the compositional student of EODRec (Sec. 4–5) distilled from a `full` teacher
// bundle (pipelines/student.ts): stage 1 (L_rec + L_mse), stage 2 (bidirectional self-supervised KD),
// a `compositional` bundle (argmax codes), the KD-updated teacher's bundle and a JSON report.
import type { Command } from 'commander';
import { studentConfig, trainStudentPipeline, type StudentFlags } from '../../pipelines/student.ts';

export function registerStudentCommand(program: Command): void {
  program
    .command('student')
    .description(
      'distil a compositional-code student (EODRec) from a `full` teacher bundle and export a `compositional` bundle',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option(
      '--teacher <dir>',
      'teacher bundle (kind full; default runs/<dataset>-teacher/bundle, else the shop’s shipped apps/demo-shop/public/models/<dataset>-teacher)',
    )
    .option('--M <n>', 'codebooks M (default: Tmall 4, RetailRocket 3, else 4)')
    .option(
      '--K <n>',
      'codewords per codebook K (default: Tmall 32, RetailRocket 256, else derived from the catalogue)',
    )
    .option(
      '--out <dir>',
      'student bundle folder (default runs/<run>/bundle; <run> = <dataset>-M<M>-K<K>[-ablations])',
    )
    .option(
      '--teacher-out <dir>',
      'where the KD-updated teacher bundle goes (default runs/<run>/teacher-after-kd)',
    )
    .option('--report <file>', 'report JSON (default runs/<run>/report.json)')
    .option('--checkpoint <dir>', 'checkpoint folder (default runs/<run>/checkpoint)')
    .option('--resume', 'continue from the checkpoint')
    .option(
      '--pretrain-epochs <n>',
      'stage 1 epochs (L_rec + L_mse; default: Tmall 5, RetailRocket 10, else 5)',
    )
    .option('--epochs <n>', 'stage 2 epochs (bidirectional KD; default: Tmall 1, RetailRocket 0, else 1)')
    .option('--seed <n>', 'seed (default: the teacher’s, so that the validation split is the teacher’s)')
    .option(
      '--max-minutes <t>',
      'training wall-time budget in minutes, validation included (default: Tmall 62, RetailRocket 150, else 600)',
    )
    .option(
      '--pretrain-minutes <t>',
      'cap on stage 1 training minutes, then KD begins (default: Tmall 45, else none)',
    )
    .option('--valid-limit <n>', 'validate on at most n validation sessions (a fixed subset)', '2000')
    .option('--eta <x>', 'embedding-mixup weight η (Eq. 16; paper 0.8 Tmall, 0.7 RetailRocket; else 0.75)')
    .option('--beta <x>', 'contrastive weight β (paper 0.01 Tmall, 0.5 RetailRocket; else 0.1)')
    .option('--gamma <x>', 'soft-target weight γ (paper 0.3)')
    .option('--tau <x>', 'InfoNCE temperature τ (paper 0.2)')
    .option('--gumbel-temperature <x>', 'Gumbel-softmax temperature ε (Eq. 14)', '0.3')
    .option('--no-contrastive', 'ablation Stu-w/o-c: no contrastive distillation (Eq. 20)')
    .option('--no-bidirectional', 'ablation Stu-w/o-b: teacher frozen')
    .option('--no-soft-targets', 'ablation Stu-w/o-s: no soft-target distillation (Eq. 22)')
    .option('--no-mixup', 'ablation Stu-w/o-m: no embedding mixup (Eq. 16)')
    .option('--no-kd', 'ablation Stu-base: no distillation at all (stage 1 objective throughout)')
    .option('--init-encoder <from>', 'student encoder init: teacher (copy its weights) | random', 'teacher')
    .option(
      '--code-init <how>',
      'rq: codes and codebooks from a residual k-means of the teacher table (per-item code logits, still learned by Gumbel-softmax) | mlp: the code MLP fitted by L_mse (--code-warmup-steps)',
      'rq',
    )
    .option('--code-margin <x>', '--code-init rq: logit margin of each item’s k-means code', '4')
    .option(
      '--code-warmup-steps <n>',
      '--code-init mlp: Adam steps fitting codes/codebooks to the teacher table by L_mse alone before stage 1',
      '300',
    )
    .option(
      '--eta-anneal [fraction]',
      'anneal the mixup weight η linearly to 0, reached at this fraction of training, then 0 (bare flag: 1, the end; 0: constant η)',
      '0.6',
    )
    .option('--no-eta-anneal', "constant η, the paper's (test P@10 on Tmall far below annealed: README)")
    .option(
      '--loss <kind>',
      'L_rec: full (softmax over all items) | sampled (shared popularity negatives, logQ; L_soft then over targets ∪ negatives)',
      'sampled',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled (default 4096)')
    .option('--lr <x>', 'Adam learning rate (default 1e-3)')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch (default 512)')
    .option('--patience <n>', 'early stopping patience per stage (epochs)', '2')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option('--table-dtype <t>', 'float32 | float16 for the codebooks in the bundle', 'float32')
    .option(
      '--kd-freeze-code-logits',
      'stage 2 keeps the per-item code logits fixed (codes move only through the code MLP); RetailRocket needs it on tfjs-wasm',
    )
    .option('--pack-codes', 'store the code matrix at ⌈log2 K⌉ bits per code (bundle format 2; lossless)')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-teacher-test',
      'skip the KD-updated teacher’s test evaluation (its bundle is still written; run pnpm eval on it)',
    )
    .action(async (flags: StudentFlags) => {
      await trainStudentPipeline(studentConfig(flags));
    });
}
