// pnpm train prepare's library on small hand-made logs: sessionizing (by gap, by session id), the filters in
// the public preprocessing's order, the time split, id numbering, epoch detection, and every input error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../data/index.ts';
import { EventLogError, parseDuration, prepareEvents, type PrepareOptions } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'prepare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 4, 1);
const MIN = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
let counter = 0;

/** Writes `rows` ([key, sku, time]) as a CSV with header key,sku,ts and prepares it. */
async function prep(rows: (string | number)[][], opts: Partial<PrepareOptions> = {}, header = 'key,sku,ts') {
  const dir = join(tmp, `case-${++counter}`);
  const events = `${dir}.csv`;
  writeFileSync(events, [header, ...rows.map((r) => r.join(','))].join('\n') + '\n');
  const summary = await prepareEvents({
    events,
    item: 'sku',
    time: 'ts',
    session: 'key',
    minItemClicks: 1,
    out: dir,
    ...opts,
  });
  const lines = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').slice(0, -1);
  return { dir, summary, train: lines('train.txt'), test: lines('test.txt'), vocab: lines('vocab.txt') };
}

/** One session's rows: consecutive clicks a minute apart from `start`. */
const session = (key: string, start: number, skus: string[]) =>
  skus.map((sku, k) => [key, sku, iso(start + k * MIN)]);

async function prepError(rows: (string | number)[][], opts: Partial<PrepareOptions> = {}, header?: string) {
  const err = await prep(rows, opts, header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EventLogError);
  return (err as EventLogError).message;
}

describe('sessionizing', () => {
  // User A pauses 40 minutes between 10:02 and 10:42; B clicks in between. Rows are out of time order.
  const rows = [
    ['A', 'x', iso(T0 + 42 * MIN)],
    ['B', 'y', iso(T0 + 10 * MIN)],
    ['A', 'x', iso(T0)],
    ['A', 'z', iso(T0 + 43 * MIN)],
    ['A', 'y', iso(T0 + MIN)],
    ['B', 'x', iso(T0 + 11 * MIN)],
    ['A', 'x', iso(T0 + 2 * MIN)],
    ...session('C', T0 + 10 * DAY, ['x', 'y']),
  ];

  it('cuts a user at pauses longer than the gap; ids by first appearance, sessions by start time', async () => {
    const user = { session: undefined, user: 'key', testDays: 1 };
    const r30 = await prep(rows, { ...user, gapMs: 30 * MIN });
    expect(r30.vocab).toEqual(['x', 'y', 'z']);
    expect(r30.train).toEqual(['1 2 1', '2 1', '1 3']);
    expect(r30.test).toEqual(['1\t2']);
    expect(r30.summary).toMatchObject({ events: 9, sessions: 4, trainSessions: 3, testCases: 1 });
    const r45 = await prep(rows, { ...user, gapMs: 45 * MIN });
    expect(r45.train).toEqual(['1 2 1 1 3', '2 1']);
  });

  it('with --session one id is one session, whatever the pauses', async () => {
    const r = await prep(rows, { testDays: 1 });
    expect(r.train).toEqual(['1 2 1 1 3', '2 1']);
    expect(r.summary.sessions).toBe(3);
  });

  it('clicks at the same instant keep the file order', async () => {
    const r = await prep(
      [
        ['S', 'b', iso(T0)],
        ['S', 'a', iso(T0)],
        ['S', 'c', iso(T0)],
        ...session('T', T0 + 9 * DAY, ['a', 'b']),
      ],
      { testDays: 1 },
    );
    expect(r.vocab).toEqual(['b', 'a', 'c']);
    expect(r.train).toEqual(['1 2 3']);
  });

  it('parses gap durations', () => {
    expect(parseDuration('30m')).toBe(30 * MIN);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(90 * MIN);
    expect(parseDuration('2d')).toBe(2 * DAY);
    expect(() => parseDuration('30')).toThrow(/--gap must be a positive duration.*"30"/);
    expect(() => parseDuration('0m')).toThrow(/--gap/);
  });
});

describe('filters', () => {
  it('short sessions, then rare items, then sessions that became short — once, as the public preprocessing', async () => {
    const r = await prep(
      [
        ...session('s1', T0, ['a', 'b']),
        ...session('s2', T0 + DAY, ['a', 'c']),
        ...session('s3', T0 + 2 * DAY, ['c']), // too short: its c does not count
        ...session('s4', T0 + 3 * DAY, ['b', 'd']), // d is rare → [b] → dropped; b keeps 2 counted clicks
        ...session('s5', T0 + 4 * DAY, ['a', 'a', 'e', 'e']), // consecutive duplicates are kept
        ...session('s6', T0 + 10 * DAY, ['a', 'e']),
      ],
      { minItemClicks: 2, testDays: 1 },
    );
    expect(r.vocab).toEqual(['a', 'b', 'e']);
    expect(r.train).toEqual(['1 2', '1 1 3 3']);
    expect(r.test).toEqual(['1\t3']);
    expect(r.summary).toMatchObject({ sessions: 6, keptSessions: 3, numItems: 3, trainExamples: 4 });
  });

  it('--min-session-length drops shorter sessions', async () => {
    const r = await prep(
      [
        ...session('s1', T0, ['a', 'b', 'c']),
        ...session('s2', T0 + DAY, ['a', 'b']),
        ...session('s3', T0 + 10 * DAY, ['a', 'b', 'c']),
      ],
      { minSessionLength: 3, testDays: 1 },
    );
    expect(r.train).toEqual(['1 2 3']);
    expect(r.test).toEqual(['1 2\t3', '1\t2']);
  });
});

describe('time split', () => {
  it('sessions starting in the last N days are the test set, restricted to training items, every prefix', async () => {
    const r = await prep(
      [
        ...session('s1', T0, ['a', 'b', 'c']),
        ...session('s2', T0 + 7 * DAY, ['c', 'd']),
        // starts before the split, ends after it: a training session
        ['s3', 'b', iso(T0 + 8 * DAY - 10 * MIN)],
        ['s3', 'a', iso(T0 + 8 * DAY + 10 * MIN)],
        ...session('t1', T0 + 9 * DAY, ['c', 'new', 'a', 'b']), // "new" is not in training
        ...session('t2', T0 + 9 * DAY + MIN, ['new', 'a']), // one training item left: dropped
        ...session('t3', T0 + 10 * DAY, ['d', 'd']),
      ],
      { testDays: 2 },
    );
    expect(r.vocab).toEqual(['a', 'b', 'c', 'd']);
    expect(r.train).toEqual(['1 2 3', '3 4', '2 1']);
    expect(r.test).toEqual(['3 1\t2', '3\t1', '4\t4']);
    expect(r.summary).toMatchObject({ trainSessions: 3, testSessions: 2, testCases: 3 });
    expect(r.summary.splitTime).toBe(iso(T0 + 10 * DAY + MIN - 2 * DAY));
    const data = readDataset(r.dir);
    expect(data.numItems).toBe(4);
    expect(data.vocabulary).toEqual(['a', 'b', 'c', 'd']);
    expect(data.testCases.map((c) => [Array.from(c.prefix), c.label])).toEqual([
      [[2, 0], 1],
      [[2], 0],
      [[3], 3],
    ]);
    const meta = JSON.parse(readFileSync(join(r.dir, 'dataset.json'), 'utf8'));
    expect(meta).toMatchObject({
      name: r.dir.split('/').pop(),
      numItems: 4,
      trainSessions: 3,
      testExamples: 3,
    });
    expect(meta.prepare).toMatchObject({
      session: 'key',
      testDays: 2,
      minItemClicks: 1,
      minSessionLength: 2,
    });
  });
});

describe('time column', () => {
  const log = (toTime: (ms: number) => string | number) =>
    [
      ...session('s1', T0, ['a', 'b', 'c']),
      ...session('s2', T0 + DAY + 30_500, ['b', 'c']),
      ...session('s3', T0 + 9 * DAY, ['a', 'c']),
    ].map(([k, s, t]) => [k, s, toTime(Date.parse(t as string))]);

  it('epoch seconds and epoch milliseconds are detected and give what ISO strings give', async () => {
    const isoRun = await prep(log(iso), { testDays: 1 });
    const sec = await prep(
      log((ms) => ms / 1000),
      { testDays: 1 },
    );
    const ms = await prep(
      log((ms) => ms),
      { testDays: 1 },
    );
    expect(isoRun.summary.timeFormat).toBe('iso');
    expect(sec.summary.timeFormat).toBe('epoch-s');
    expect(ms.summary.timeFormat).toBe('epoch-ms');
    for (const r of [sec, ms]) {
      expect([r.train, r.test, r.vocab]).toEqual([isoRun.train, isoRun.test, isoRun.vocab]);
      expect(r.summary.splitTime).toBe(isoRun.summary.splitTime);
    }
  });
});

describe('input errors', () => {
  const good = [...session('s1', T0, ['a', 'b']), ...session('s2', T0 + 9 * DAY, ['a', 'b'])];

  it('a missing column lists the columns there are', async () => {
    const msg = await prepError(good, { item: 'product' });
    expect(msg).toMatch(/case-\d+\.csv: no column "product" \(--item\); the columns are "key", "sku", "ts"/);
    expect(await prepError(good, { session: undefined, user: 'user_id', gapMs: MIN })).toMatch(
      /no column "user_id" \(--user\)/,
    );
  });

  it('an unparsable timestamp names its row, line and value', async () => {
    const rows = [...good];
    rows.splice(2, 0, ['s1', 'c', 'yesterday']);
    expect(await prepError(rows)).toMatch(
      /\.csv: row 3 \(line 4\), column "ts": "yesterday" is not an ISO 8601 timestamp/,
    );
    const epoch = good.map(([k, s, t]) => [k, s, Date.parse(t as string) / 1000]);
    epoch[3] = ['s2', 'b', '2024-05-10'];
    expect(await prepError(epoch)).toMatch(
      /row 4 \(line 5\), column "ts": "2024-05-10" is not an epoch number/,
    );
  });

  it('an empty item or key names its row', async () => {
    const rows = [...good];
    rows[1] = ['s1', '', rows[1]![2]!];
    expect(await prepError(rows)).toMatch(/row 2 \(line 3\), column "sku": empty item id/);
    expect(await prepError([], {})).toMatch(/no events/);
  });

  it('an empty result says which filter emptied it', async () => {
    expect(await prepError(good, { minSessionLength: 3 })).toMatch(
      /nothing left after filtering: no session has --min-session-length 3 clicks \(2 sessions, the longest has 2\)/,
    );
    expect(await prepError(good, { minItemClicks: 3 })).toMatch(
      /no item has --min-item-clicks 3 clicks .*the most clicked has 2/,
    );
    expect(await prepError(good, { testDays: 30 })).toMatch(
      /no training session: every session starts within the last --test-days 30 days/,
    );
    expect(await prepError(good, { testDays: 0.00001 })).toMatch(
      /no test session starts within the last --test-days 0.00001 days/,
    );
    const unseen = [...session('s1', T0, ['a', 'b']), ...session('s2', T0 + 9 * DAY, ['c', 'd'])];
    expect(await prepError(unseen)).toMatch(
      /none of the 1 test sessions keeps 2 clicks of items seen in training/,
    );
  });

  it('option mistakes are RangeErrors', async () => {
    await expect(prep(good, { user: 'key' })).rejects.toThrow(/exactly one of --session/);
    await expect(prep(good, { session: undefined, user: 'key' })).rejects.toThrow(/--user needs --gap/);
    await expect(prep(good, { gapMs: MIN })).rejects.toThrow(/--gap cuts a --user column/);
    await expect(prep(good, { minSessionLength: 1 })).rejects.toThrow(/--min-session-length must be/);
    await expect(
      prepareEvents({ events: join(tmp, 'nope.csv'), item: 'a', time: 'b', session: 'c', out: tmp }),
    ).rejects.toThrow(/nope\.csv: no such file/);
  });
});

describe('dataset reader: vocab.txt', () => {
  it('is read when present and must have V unique non-empty lines', async () => {
    const r = await prep([...session('s1', T0, ['a', 'b']), ...session('s2', T0 + 9 * DAY, ['a', 'b'])]);
    expect(readDataset(r.dir).vocabulary).toEqual(['a', 'b']);
    const vocab = join(r.dir, 'vocab.txt');
    writeFileSync(vocab, 'a\r\nb\r\n');
    expect(readDataset(r.dir).vocabulary).toEqual(['a', 'b']);
    writeFileSync(vocab, 'a\na\n');
    expect(() => readDataset(r.dir)).toThrow(/vocab\.txt:2: item id "a" already on line 1/);
    writeFileSync(vocab, 'a\n\nb\n');
    expect(() => readDataset(r.dir)).toThrow(/vocab\.txt:2: empty item id/);
    writeFileSync(vocab, 'a\nb\nc\n');
    expect(() => readDataset(r.dir)).toThrow(/vocab\.txt: 3 item ids, the dataset has 2 items/);
  });
});
