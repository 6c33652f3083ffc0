// A shop's click log (CSV or Parquet: a session or user column, SKU strings, timestamps) → a dataset folder
// in the shared format: train.txt, test.txt, vocab.txt (line i = the SKU of id i) and dataset.json.
// DuckDB reads the file and runs sessionize.sql out of core, so a 100M-row log fits on one machine; this
// file validates the input (clear errors with row and column), fills in the SQL's parameters, checks what
// each filter left and writes the outputs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { EventLogError } from './errors.ts';

export interface PrepareOptions {
  /** The click log: `.parquet` / `.pq` is read as Parquet, anything else as CSV with a header row. */
  events: string;
  item: string;
  time: string;
  /** Exactly one of `session` (a session id column) and `user` (then `gapMs` cuts sessions). */
  session?: string;
  user?: string;
  /** Inactivity gap that ends a user's session (with `user`). */
  gapMs?: number;
  /** Sessions that start within the last `testDays` days of the log are the test set. */
  testDays?: number;
  minItemClicks?: number;
  minSessionLength?: number;
  out: string;
  /** dataset.json's name (default: the out folder's name). */
  name?: string;
}

export type TimeFormat = 'iso' | 'epoch-s' | 'epoch-ms' | 'timestamp';

export interface PrepareSummary {
  events: number;
  timeFormat: TimeFormat;
  sessions: number;
  keptSessions: number;
  numItems: number;
  trainSessions: number;
  trainExamples: number;
  testSessions: number;
  testCases: number;
  /** Sessions starting after this instant (ISO) are the test set. */
  splitTime: string;
  seconds: number;
}

export const PREPARE_DEFAULTS = { testDays: 7, minItemClicks: 5, minSessionLength: 2 } as const;
/** Ids are numbered by first appearance, as SR-GNN-style preprocessing does (stated in dataset.json). */
export const ID_ORDER = 'first appearance in training (sessions by start time, clicks by time)';

const DAY_MS = 86_400_000;
/** Epoch values at or above this are milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const EPOCH_MS_FROM = 1e11;
const NO_GAP = '9223372036854775807';
const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const TIME_TYPES = /^(DATE|TIMESTAMP.*)$/;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** "30m", "90s", "1.5h", "1d", "500ms" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: DAY_MS }[m[2] as 'ms'] : NaN;
  if (!(ms > 0))
    throw new RangeError(`--gap must be a positive duration like 30m, 90s, 2h or 1d, got "${text}"`);
  return Math.round(ms);
}

interface SqlBlock {
  kind: 'step' | 'output';
  name: string;
  sql: string;
}

/** sessionize.sql's `-- step:` / `-- output:` blocks, comments dropped, parameters substituted. */
export function sessionizeSteps(params: Record<string, string | number>): SqlBlock[] {
  const text = readFileSync(new URL('./sessionize.sql', import.meta.url), 'utf8');
  const blocks: SqlBlock[] = [];
  for (const line of text.split('\n')) {
    const marker = /^-- (step|output): (\S+)\s*$/.exec(line);
    if (marker) blocks.push({ kind: marker[1] as SqlBlock['kind'], name: marker[2]!, sql: '' });
    else if (blocks.length > 0 && !/^\s*--/.test(line)) blocks[blocks.length - 1]!.sql += `${line}\n`;
  }
  for (const b of blocks) {
    b.sql = b.sql
      .trim()
      .replace(/;$/, '')
      .replace(/\$\{(\w+)\}/g, (_, name: string) => {
        if (!(name in params)) throw new Error(`sessionize.sql: no value for \${${name}}`);
        return String(params[name]);
      });
  }
  return blocks;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function one(c: DuckDBConnection, sql: string): Promise<Record<string, unknown>> {
  return (await c.runAndReadAll(sql)).getRowObjectsJS()[0] ?? {};
}
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

function checkCount(value: number | undefined, name: string, min: number, integer: boolean): number {
  if (value === undefined) throw new RangeError(`${name} is required`);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)))
    throw new RangeError(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${value}`);
  return value;
}

/** Loads the needed columns into `raw` and checks every value; returns the SQL of the time in epoch ms. */
async function loadRaw(
  c: DuckDBConnection,
  opts: PrepareOptions,
  file: string,
): Promise<{ events: number; timeFormat: TimeFormat; tsSql: string }> {
  const csv = !/\.(parquet|pq)$/i.test(file);
  const source = csv
    ? `read_csv(${sqlString(file)}, header = true, all_varchar = true)`
    : `read_parquet(${sqlString(file)})`;
  let columns: { name: string; type: string }[];
  try {
    columns = (await c.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`))
      .getRowObjectsJS()
      .map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  } catch (cause) {
    throw new EventLogError(file, `cannot read as ${csv ? 'CSV' : 'Parquet'}: ${(cause as Error).message}`);
  }
  const keyColumn = (opts.session ?? opts.user)!;
  const keyFlag = opts.session !== undefined ? '--session' : '--user';
  const typeOf = new Map(columns.map((col) => [col.name, col.type]));
  for (const [flag, col] of [
    ['--item', opts.item],
    ['--time', opts.time],
    [keyFlag, keyColumn],
  ] as const) {
    if (!typeOf.has(col)) {
      throw new EventLogError(
        file,
        `no column "${col}" (${flag}); the columns are ${columns.map((x) => `"${x.name}"`).join(', ')}`,
      );
    }
  }
  const timeType = typeOf.get(opts.time)!;
  await c.run(
    `CREATE TEMP TABLE raw AS SELECT CAST(${ident(keyColumn)} AS VARCHAR) AS session_key, ` +
      `CAST(${ident(opts.item)} AS VARCHAR) AS item, ${ident(opts.time)} AS t FROM ${source}`,
  );
  const fail = (rowid: unknown, column: string, problem: string): never => {
    throw new EventLogError(file, problem, { row: num(rowid) + 1, column, csv });
  };
  const checks = await one(
    c,
    `SELECT COUNT(*) AS n,
       MIN(CASE WHEN session_key IS NULL OR session_key = '' THEN rowid END) AS no_key,
       MIN(CASE WHEN item IS NULL OR item = '' THEN rowid END) AS no_item,
       MIN(CASE WHEN strpos(item, CHR(10)) > 0 OR strpos(item, CHR(13)) > 0 THEN rowid END) AS item_break,
       MIN(CASE WHEN t IS NULL THEN rowid END) AS no_time
     FROM raw`,
  );
  const events = num(checks.n);
  if (events === 0) throw new EventLogError(file, 'no events (the file has no data rows)');
  if (checks.no_key !== null) fail(checks.no_key, keyColumn, 'empty value');
  if (checks.no_item !== null) fail(checks.no_item, opts.item, 'empty item id');
  if (checks.item_break !== null) fail(checks.item_break, opts.item, 'item id contains a line break');
  if (checks.no_time !== null) fail(checks.no_time, opts.time, 'empty timestamp');

  if (TIME_TYPES.test(timeType)) {
    return { events, timeFormat: 'timestamp', tsSql: 'epoch_ms(CAST(t AS TIMESTAMPTZ))' };
  }
  const epoch = async (
    asNumber: string,
  ): Promise<{ events: number; timeFormat: TimeFormat; tsSql: string }> => {
    const max = num((await one(c, `SELECT MAX(ABS(${asNumber})) AS m FROM raw`)).m);
    const ms = max >= EPOCH_MS_FROM;
    return {
      events,
      timeFormat: ms ? 'epoch-ms' : 'epoch-s',
      tsSql: `CAST(ROUND(${asNumber}${ms ? '' : ' * 1000'}) AS BIGINT)`,
    };
  };
  if (NUMERIC_TYPES.test(timeType)) return epoch('CAST(t AS DOUBLE)');
  if (timeType !== 'VARCHAR') fail(0, opts.time, `type ${timeType} is not a timestamp, a number or a string`);
  // A string column: the first value says which (epoch numbers or ISO 8601); every value must agree.
  const first = String((await one(c, 'SELECT t FROM raw WHERE rowid = 0')).t);
  const numeric = NUMBER.test(first);
  const parse = numeric ? 'TRY_CAST(t AS DOUBLE)' : 'TRY_CAST(t AS TIMESTAMPTZ)';
  const bad = await one(c, `SELECT rowid AS r, t FROM raw WHERE ${parse} IS NULL ORDER BY rowid LIMIT 1`);
  if (bad.r !== undefined) {
    fail(
      bad.r,
      opts.time,
      `${JSON.stringify(bad.t)} is not ${numeric ? 'an epoch number' : 'an ISO 8601 timestamp'} ` +
        `(row 1's ${JSON.stringify(first)} made this column ${numeric ? 'epoch seconds/ms' : 'ISO timestamps'})`,
    );
  }
  if (numeric) return epoch(parse);
  return { events, timeFormat: 'iso', tsSql: `epoch_ms(${parse})` };
}

const TIME_FORMAT_WORDS: Record<TimeFormat, string> = {
  iso: 'ISO 8601 strings (no offset = UTC)',
  'epoch-s': 'epoch seconds',
  'epoch-ms': 'epoch milliseconds',
  timestamp: 'typed timestamps',
};

/** The one-paragraph summary `pnpm train prepare` prints. */
export function describeSummary(s: PrepareSummary, opts: PrepareOptions): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const by =
    opts.session !== undefined ? `"${opts.session}"` : `"${opts.user}" + ${opts.gapMs! / 60000} min gap`;
  return (
    `prepare: read ${n(s.events)} events from ${opts.events} (time: ${TIME_FORMAT_WORDS[s.timeFormat]}); ` +
    `${n(s.sessions)} sessions by ${by}, ${n(s.keptSessions)} after the filters; ${n(s.numItems)} items ` +
    `(ids by first appearance); train ${n(s.trainSessions)} sessions (${n(s.trainExamples)} examples), ` +
    `test ${n(s.testSessions)} sessions starting after ${s.splitTime} (${n(s.testCases)} cases); ` +
    `wrote ${opts.out} in ${s.seconds.toFixed(1)} s.`
  );
}

/** Runs the whole prepare step; throws EventLogError (bad input) or RangeError (bad option). */
export async function prepareEvents(opts: PrepareOptions): Promise<PrepareSummary> {
  const t0 = performance.now();
  const file = resolve(opts.events);
  if ((opts.session === undefined) === (opts.user === undefined))
    throw new RangeError('give exactly one of --session <col> and --user <col> (with --gap)');
  if (opts.user !== undefined && opts.gapMs === undefined)
    throw new RangeError('--user needs --gap (e.g. 30m): the pause that ends a session');
  if (opts.session !== undefined && opts.gapMs !== undefined)
    throw new RangeError('--gap cuts a --user column into sessions; with --session each id is one session');
  const testDays = checkCount(
    opts.testDays ?? PREPARE_DEFAULTS.testDays,
    '--test-days',
    Number.MIN_VALUE,
    false,
  );
  const minItemClicks = checkCount(
    opts.minItemClicks ?? PREPARE_DEFAULTS.minItemClicks,
    '--min-item-clicks',
    1,
    true,
  );
  const minLen = checkCount(
    opts.minSessionLength ?? PREPARE_DEFAULTS.minSessionLength,
    '--min-session-length',
    2,
    true,
  );
  if (!existsSync(file)) throw new EventLogError(file, 'no such file');
  if (!statSync(file).isFile()) throw new EventLogError(file, 'not a file');

  const spill = mkdtempSync(join(tmpdir(), 'prepare-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:', {
    temp_directory: spill,
    preserve_insertion_order: 'true', // rowid = the file's row order
  });
  const c = await instance.connect();
  try {
    const raw = await loadRaw(c, opts, file);
    await c.run(
      `CREATE TEMP TABLE events AS SELECT session_key, item, ${raw.tsSql} AS ts, rowid + 1 AS row_id FROM raw`,
    );
    await c.run('DROP TABLE raw');
    const params = {
      gap_ms: opts.gapMs === undefined ? NO_GAP : Math.round(opts.gapMs),
      min_session_length: minLen,
      min_item_clicks: minItemClicks,
      test_ms: Math.round(testDays * DAY_MS),
    };
    const out = resolve(opts.out);
    mkdirSync(out, { recursive: true });
    const sessionsIn = (t: string) =>
      `SELECT COUNT(*) AS n FROM (SELECT DISTINCT session_key, session_part FROM ${t}) AS s`;
    const stats: Record<string, number> = {};
    for (const block of sessionizeSteps(params)) {
      if (block.kind === 'output') {
        await c.run(
          `COPY (${block.sql}) TO ${sqlString(join(out, block.name))} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '')`,
        );
        continue;
      }
      await c.run(block.sql);
      await afterStep(block.name);
    }

    // What each filter left: an empty table names the filter that emptied it.
    async function afterStep(step: string): Promise<void> {
      const rows = num((await one(c, `SELECT COUNT(*) AS n FROM ${step}`)).n);
      const empty = (problem: string) => {
        if (rows === 0) throw new EventLogError(file, `nothing left after filtering: ${problem}`);
      };
      if (step === 'sessionized') stats.sessions = num((await one(c, sessionsIn('sessionized'))).n);
      if (step === 'long_sessions') {
        const longest = (
          await one(
            c,
            `SELECT MAX(n) AS m FROM (SELECT COUNT(*) AS n FROM sessionized GROUP BY session_key, session_part) AS s`,
          )
        ).m;
        empty(
          `no session has --min-session-length ${minLen} clicks (${stats.sessions} sessions, the longest has ${num(longest)})`,
        );
      }
      if (step === 'frequent_items') {
        const top = (
          await one(c, 'SELECT MAX(n) AS m FROM (SELECT COUNT(*) AS n FROM long_sessions GROUP BY item) AS s')
        ).m;
        empty(
          `no item has --min-item-clicks ${minItemClicks} clicks in sessions of ≥ ${minLen} (the most clicked has ${num(top)})`,
        );
      }
      if (step === 'clicks') {
        empty(
          `after dropping items with < ${minItemClicks} clicks no session keeps --min-session-length ${minLen}`,
        );
        stats.keptSessions = num((await one(c, sessionsIn('clicks'))).n);
      }
      if (step === 'train_clicks') {
        empty(`no training session: every session starts within the last --test-days ${testDays} days`);
      }
      if (step === 'test_clicks' && rows === 0) {
        const split = await one(c, 'SELECT SUM(is_test) AS n FROM sessions');
        throw new EventLogError(
          file,
          num(split.n) === 0
            ? `nothing left after filtering: no test session starts within the last --test-days ${testDays} days`
            : `nothing left after filtering: none of the ${num(split.n)} test sessions keeps ${minLen} clicks of items seen in training`,
        );
      }
    }

    const counts = await one(
      c,
      `SELECT (SELECT COUNT(*) FROM vocab) AS items,
              (SELECT COUNT(*) FROM train_lines) AS train_sessions,
              (SELECT SUM(session_length - 1) FROM train_lines) AS train_examples,
              (SELECT COUNT(*) FROM test_lines) AS test_cases,
              (SELECT COUNT(*) FROM (SELECT DISTINCT session_key, session_part FROM test_clicks) AS s) AS test_sessions,
              (SELECT MAX(ts) FROM clicks) - ${params.test_ms} AS split_ms`,
    );
    const summary: PrepareSummary = {
      events: raw.events,
      timeFormat: raw.timeFormat,
      sessions: stats.sessions!,
      keptSessions: stats.keptSessions!,
      numItems: num(counts.items),
      trainSessions: num(counts.train_sessions),
      trainExamples: num(counts.train_examples),
      testSessions: num(counts.test_sessions),
      testCases: num(counts.test_cases),
      splitTime: new Date(num(counts.split_ms)).toISOString(),
      seconds: 0,
    };
    writeFileSync(
      join(out, 'dataset.json'),
      JSON.stringify(
        {
          name: opts.name ?? basename(out),
          numItems: summary.numItems,
          trainSessions: summary.trainSessions,
          trainExamples: summary.trainExamples,
          testExamples: summary.testCases,
          testLabelsUnseenInTrain: 0,
          source: `pnpm train prepare on ${basename(file)}`,
          prepare: {
            events: file,
            item: opts.item,
            time: opts.time,
            timeFormat: raw.timeFormat,
            ...(opts.session !== undefined
              ? { session: opts.session }
              : { user: opts.user, gapMs: opts.gapMs }),
            testDays,
            minItemClicks,
            minSessionLength: minLen,
            splitTime: summary.splitTime,
            idOrder: ID_ORDER,
            eventsRead: summary.events,
            sessions: summary.sessions,
            testSessions: summary.testSessions,
          },
        },
        null,
        2,
      ) + '\n',
    );
    summary.seconds = (performance.now() - t0) / 1000;
    return summary;
  } finally {
    c.closeSync();
    instance.closeSync();
    rmSync(spill, { recursive: true, force: true });
  }
}
