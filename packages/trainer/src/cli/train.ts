// `pnpm train <model> …`: one sub-command per model family, each registered by one line below.
import { Command } from 'commander';
import { registerPopularityCommand } from './commands/popularity.ts';

const program = new Command('train').description('train session-recommendation models and export bundles');
registerPopularityCommand(program);
await program.parseAsync(process.argv);
