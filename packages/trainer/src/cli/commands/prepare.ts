// `pnpm train prepare --events <file> --item <col> --time <col> (--session <col> | --user <col> --gap 30m)
// --out <dir>`: a shop's click log (CSV or Parquet) → a dataset folder every trainer command reads
// (src/prepare/ does the work; this file parses flags and prints the summary).
import type { Command } from 'commander';
import { describeSummary, parseDuration, PREPARE_DEFAULTS, prepareEvents } from '../../prepare/index.ts';
import { num } from '../../flags.ts';

interface PrepareFlags {
  events: string;
  item: string;
  time: string;
  session?: string;
  user?: string;
  gap?: string;
  testDays: string;
  minItemClicks: string;
  minSessionLength: string;
  out: string;
  name?: string;
}

export function registerPrepareCommand(program: Command): void {
  program
    .command('prepare')
    .description(
      'turn a click log (CSV or Parquet) into a dataset folder: sessions, filters, time split, ids 1…V, vocab.txt',
    )
    .requiredOption('--events <file>', 'click log: .parquet/.pq as Parquet, otherwise CSV with a header row')
    .requiredOption('--item <col>', 'column of item ids (SKU strings; vocab.txt keeps them)')
    .requiredOption('--time <col>', 'column of click times: ISO 8601, epoch seconds or epoch ms (detected)')
    .option('--session <col>', 'column of session ids (one id = one session)')
    .option('--user <col>', 'column of user ids, cut into sessions by --gap')
    .option('--gap <duration>', 'inactivity that ends a user session, e.g. 30m, 90s, 2h')
    .option(
      '--test-days <n>',
      'sessions starting in the last N days are the test set',
      String(PREPARE_DEFAULTS.testDays),
    )
    .option('--min-item-clicks <n>', 'drop items clicked fewer times', String(PREPARE_DEFAULTS.minItemClicks))
    .option(
      '--min-session-length <n>',
      'drop sessions with fewer clicks',
      String(PREPARE_DEFAULTS.minSessionLength),
    )
    .requiredOption('--out <dir>', 'dataset folder to write (train.txt, test.txt, vocab.txt, dataset.json)')
    .option('--name <name>', "dataset.json's name (default: the folder's name)")
    .action(async (flags: PrepareFlags) => {
      const opts = {
        events: flags.events,
        item: flags.item,
        time: flags.time,
        session: flags.session,
        user: flags.user,
        gapMs: flags.gap === undefined ? undefined : parseDuration(flags.gap),
        testDays: num(flags.testDays, 'test-days', { min: 0 }),
        minItemClicks: num(flags.minItemClicks, 'min-item-clicks', { integer: true, min: 1 }),
        minSessionLength: num(flags.minSessionLength, 'min-session-length', { integer: true, min: 2 }),
        out: flags.out,
        name: flags.name,
      };
      const summary = await prepareEvents(opts);
      process.stderr.write(`${describeSummary(summary, opts)}\n`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
