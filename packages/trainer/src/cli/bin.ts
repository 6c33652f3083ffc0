#!/usr/bin/env node
// `session-rec <command> …`, the installed package's one bin: `session-rec eval …` is `pnpm eval …`
// (cli/eval.ts), `session-rec train <command> …` is `pnpm train <command> …` (cli/train.ts), and every
// command train.ts registers (models, prepare, export-onnx, …) also works without the `train` word.
// Each CLI file parses process.argv itself when imported, so the dispatcher only drops its own word and
// imports the file: new commands registered there need no change here.
const [command, ...rest] = process.argv.slice(2);
const argvFor = (name: string, args: string[]) => [process.argv[0]!, `session-rec ${name}`, ...args];

if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(
    'Usage: session-rec <command> [options]\n\n' +
      '  session-rec eval --bundle <dir> --dataset <dir> [options]   evaluate a bundle (all-item ranking, CPU engine)\n' +
      '  session-rec train <command> [options]                       train a model, prepare data, export a bundle\n' +
      '  session-rec <command> [options]                             the same as `session-rec train <command>`\n' +
      '  session-rec <command> --help                                the options of one command\n\n' +
      'Commands of `session-rec train`:\n',
  );
  // train.ts prints its own command list (commander's help) and exits.
  process.argv = argvFor('train', ['--help']);
  await import('./train.ts');
} else if (command === 'eval') {
  process.argv = argvFor('eval', rest);
  await import('./eval.ts');
} else {
  process.argv = argvFor('train', command === 'train' ? rest : [command, ...rest]);
  await import('./train.ts');
}

// A module, so that top-level await is allowed.
export {};
