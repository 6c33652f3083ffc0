// `pnpm train repeat-head --bundle <dir> --dataset <dir> --out <dir>`: fits a trained bundle's popularity
// prior and session-repeat head on its validation sessions (pipelines/repeat-head.ts) and writes the bundle
// with them, plus a JSON report.
import type { Command } from 'commander';
import { TUNE_OBJECTIVES } from '../../repeat-head/tune.ts';
import {
  REPEAT_HEAD_DEFAULTS as D,
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
      D.recencyRanks,
    )
    .option('--l2 <x>', 'ridge on the head parameters', D.l2)
    .option('--seed <n>', "validation split seed (default: the bundle's training seed, else 42)")
    .option('--valid-fraction <x>', 'share of training sessions its training held out', D.validFraction)
    .option('--valid-limit <n>', 'fit on the first n validation sessions only')
    .option('--no-tune', 'keep the likelihood optimum (default: refine it for a validation ranking metric)')
    .option(
      '--tune-objective <metric>',
      `what the refinement maximises: ${TUNE_OBJECTIVES.join(' or ')}`,
      D.tuneObjective,
    )
    .option('--no-prior', 'fit no popularity prior (default: choose one on the new-item validation cases)')
    .option('--prior-weights <list>', 'prior weights to try (comma-separated)', D.priorWeights)
    .option(
      '--prior-depths <list>',
      'prior depths to try: entries of the training popularity order (comma-separated)',
      D.priorDepths,
    )
    .option(
      '--prior-half-lives <list>',
      'popularity half-lives to try, in training sessions (train.txt is in time order; 0 = no decay)',
      D.priorHalfLives,
    )
    .option(
      '--prior-recent-fraction <x>',
      'share of the validation sessions, the most recent, that judge the prior',
      D.priorRecentFraction,
    )
    .action(async (flags: RepeatHeadFlags) => {
      const command = `pnpm train repeat-head ${process.argv.slice(3).join(' ')}`;
      await fitRepeatHeadPipeline(repeatHeadConfig(flags, command));
    });
}
