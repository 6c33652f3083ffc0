// `pnpm train repeat-head --bundle <dir> --dataset <dir> --out <dir>`: fits a trained bundle's popularity
// prior and session-repeat head on its validation sessions (pipelines/repeat-head.ts) and writes the bundle
// with them, plus a JSON report.
import type { Command } from 'commander';
import { TUNE_OBJECTIVES } from '../../repeat-head/tune.ts';
import {
  fitRepeatHeadPipeline,
  repeatHeadConfig,
  type RepeatHeadFlags,
} from '../../pipelines/repeat-head.ts';

export function registerRepeatHeadCommand(program: Command): void {
  program
    .command('repeat-head')
    .description(
      "fit a trained bundle's popularity prior and session-repeat head on its validation sessions and write the bundle with them",
    )
    .requiredOption('--bundle <dir>', 'trained bundle (any kind but popularity)')
    .requiredOption('--dataset <dir>', 'the dataset it was trained on')
    .requiredOption('--out <dir>', 'bundle folder to write (the input with the head; replaced atomically)')
    .option('--report <file>', 'JSON report (default runs/<out name>-repeat-head/report.json)')
    .option(
      '--recency-ranks <n>',
      'recency biases R (items ≥ R − 1 distinct clicks back share the last)',
      '10',
    )
    .option('--l2 <x>', 'ridge on the head parameters', '1e-4')
    .option('--seed <n>', "validation split seed (default: the bundle's training seed, else 42)")
    .option('--valid-fraction <x>', 'share of training sessions its training held out', '0.1')
    .option('--valid-limit <n>', 'fit on the first n validation sessions only')
    .option('--no-tune', 'keep the likelihood optimum (default: refine it for a validation ranking metric)')
    .option(
      '--tune-objective <metric>',
      `what the refinement maximises: ${TUNE_OBJECTIVES.join(' or ')}`,
      'p10+ndcg10',
    )
    .option('--no-prior', 'fit no popularity prior (default: choose one on the new-item validation cases)')
    .option('--prior-weights <list>', 'prior weights to try (comma-separated)', '0.1,0.2,0.3,0.5,0.7,1')
    .option(
      '--prior-depths <list>',
      'prior depths to try: entries of the training popularity order (comma-separated)',
      '1000,2500,5000',
    )
    .option(
      '--prior-half-lives <list>',
      'popularity half-lives to try, in training sessions (train.txt is in time order; 0 = no decay)',
      '0,5000,10000,20000',
    )
    .option(
      '--prior-recent-fraction <x>',
      'share of the validation sessions, the most recent, that judge the prior',
      '0.25',
    )
    .action(async (flags: RepeatHeadFlags) => {
      const command = `pnpm train repeat-head ${process.argv.slice(3).join(' ')}`;
      await fitRepeatHeadPipeline(repeatHeadConfig(flags, command));
    });
}
