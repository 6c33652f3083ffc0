// `pnpm train <model> …`: one sub-command per model family, each registered by one line below.
import { Command } from 'commander';
import { registerCompactCommand } from './commands/compact.ts';
import { registerExportOnnxCommand } from './commands/export-onnx.ts';
import { registerNewItemsCommand } from './commands/new-items.ts';
import { registerPipelineCommand } from './commands/pipeline.ts';
import { registerPopularityCommand } from './commands/popularity.ts';
import { registerPrepareCommand } from './commands/prepare.ts';
import { registerRefreshCommand } from './commands/refresh.ts';
import { registerRepeatHeadCommand } from './commands/repeat-head.ts';
import { registerSttdCommand } from './commands/sttd.ts';
import { registerStudentCommand } from './commands/student.ts';
import { registerTeacherCommand } from './commands/teacher.ts';
import { registerTtCommand } from './commands/tt.ts';

const program = new Command('train')
  .description('train session-recommendation models and export bundles')
  .option(
    '--threads <n>',
    'threads of the wasm backend (default: every core; the same as SESSION_REC_THREADS)',
  )
  .hook('preAction', (command) => {
    const threads = command.opts<{ threads?: string }>().threads;
    if (threads !== undefined) process.env.SESSION_REC_THREADS = threads;
  });
registerPopularityCommand(program);
registerTeacherCommand(program);
registerStudentCommand(program);
registerTtCommand(program);
registerSttdCommand(program);
registerRepeatHeadCommand(program);
registerNewItemsCommand(program);
registerCompactCommand(program);
registerPrepareCommand(program);
registerExportOnnxCommand(program);
registerPipelineCommand(program);
registerRefreshCommand(program);
// A bad input (missing folder, corrupt bundle, wrong flag value) reads best as one line; the stack is there
// for a bug report. exit(), not exitCode: a failed training run may leave timers or workers behind.
program.parseAsync(process.argv).catch((err: unknown) => {
  const debug = process.env.TRAIN_DEBUG === '1';
  const line = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  process.stderr.write(
    `train: ${line}\n${debug && err instanceof Error ? `${err.stack}\n` : '(TRAIN_DEBUG=1 prints the stack)\n'}`,
  );
  process.exit(1);
});
