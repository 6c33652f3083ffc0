// `pnpm train <model> …`: one sub-command per model family, each registered by one line below.
import { Command } from 'commander';
import { registerCompactCommand } from './commands/compact.ts';
import { registerPopularityCommand } from './commands/popularity.ts';
import { registerRepeatHeadCommand } from './commands/repeat-head.ts';
import { registerSttdCommand } from './commands/sttd.ts';
import { registerStudentCommand } from './commands/student.ts';
import { registerTeacherCommand } from './commands/teacher.ts';
import { registerTtCommand } from './commands/tt.ts';

const program = new Command('train').description('train session-recommendation models and export bundles');
registerPopularityCommand(program);
registerTeacherCommand(program);
registerStudentCommand(program);
registerTtCommand(program);
registerSttdCommand(program);
registerRepeatHeadCommand(program);
registerCompactCommand(program);
await program.parseAsync(process.argv);
