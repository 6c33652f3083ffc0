// `pnpm train refresh --bundle <compositional> --teacher <full> --dataset <dir> --out <dir>`: a new period
// of clicks into an updated bundle, warm-started from the previous bundles (pipelines/refresh.ts).
import type { Command } from 'commander';
import { refreshConfig, refreshPipeline, type RefreshFlags } from '../../pipelines/refresh.ts';

export function registerRefreshCommand(program: Command): void {
  program
    .command('refresh')
    .description(
      'refresh a compositional bundle and its teacher with new sessions: new items added, optionally gone ones dropped, a short fine-tune',
    )
    .requiredOption('--bundle <dir>', 'the previous compositional bundle')
    .requiredOption(
      '--teacher <dir>',
      'its teacher bundle (kind full; the KD-updated one where there is one)',
    )
    .requiredOption(
      '--dataset <dir>',
      'dataset folder: the previous data plus the new period, or the new period only (item ids are external ids)',
    )
    .requiredOption('--out <dir>', 'refreshed bundle folder (replaced atomically)')
    .option(
      '--teacher-out <dir>',
      'refreshed teacher bundle (default <out>-teacher): the next refresh’s --teacher',
    )
    .option('--report <file>', 'JSON report (default <out>-report.json)')
    .option('--max-minutes <t>', 'training budget in minutes, teacher and student together', '10')
    .option('--teacher-share <x>', 'share of --max-minutes for the teacher fine-tune', '0.4')
    .option('--teacher-epochs <n>', 'teacher fine-tune epochs at most', '1')
    .option('--student-epochs <n>', 'student fine-tune epochs at most (L_rec + L_mse, teacher frozen)', '1')
    .option('--drop-missing', 'remove the previous items the dataset no longer has')
    .option(
      '--no-head',
      'ship without a popularity prior and repeat head (default: refit those the bundle had; an old head fits the old scores)',
    )
    .option('--window <n>', 'a new item’s teacher row: mean of the known items within n clicks of it', '2')
    .option('--code-margin <x>', 'logit margin of each item’s starting code', '4')
    .option('--seed <n>', 'seed of the validation split (default: the bundle’s)')
    .option('--valid-fraction <x>', 'share of the sessions held out for validation', '0.1')
    .option('--valid-limit <n>', 'the fine-tunes validate on the first n validation sessions', '2000')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch', '512')
    .option('--negatives <n>', 'negatives per batch where the loss is sampled (wasm/cpu backends)', '4096')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--no-progress', 'no progress bar')
    .action(async (flags: RefreshFlags) => {
      const command = `pnpm train refresh ${process.argv.slice(3).join(' ')}`;
      await refreshPipeline(refreshConfig(flags, command));
    });
}
