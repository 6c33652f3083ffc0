// `pnpm train pipeline --dataset <dir> [--out runs/<dataset>-pipeline] [--max-minutes N] [--resume]`:
// teacher → student → head → compact → eval on the dataset table's recipe (pipelines/full-pipeline.ts).
import type { Command } from 'commander';
import { num, optional } from '../../flags.ts';
import { runFullPipeline } from '../../pipelines/full-pipeline.ts';

export function registerPipelineCommand(program: Command): void {
  program
    .command('pipeline')
    .description(
      'teacher → compositional student → head → compact → eval in one command, on the shipped recipe (resumable)',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option('--out <dir>', 'run folder (default runs/<dataset>-pipeline)')
    .option(
      '--max-minutes <t>',
      "this process's budget, split over the stages left by the shipped stages' minutes (default: each stage's recipe)",
    )
    .option('--resume', 'skip finished stages; resume the interrupted one from its checkpoint')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--no-progress', 'no progress bar')
    .action(
      async (flags: {
        dataset: string;
        out?: string;
        maxMinutes?: string;
        resume?: boolean;
        backend?: string;
        progress: boolean;
      }) => {
        const result = await runFullPipeline({
          datasetDir: flags.dataset,
          out: flags.out,
          maxMinutes: optional(flags.maxMinutes, (v) => num(v, 'max-minutes', { min: 0 })),
          resume: Boolean(flags.resume),
          backend: flags.backend,
          progress: flags.progress,
        });
        if (!result.finished) process.exitCode = 2;
      },
    );
}
