// Issue 21 end to end: a generated click log with SKU strings, as CSV and as Parquet (written here by DuckDB),
// → pnpm train prepare → a tiny teacher and a tiny student (the real commands) → bundles carrying vocab.txt
// → the SDK's recommender in Node, which takes track('SKU-…') and answers SKU strings; pnpm eval reads it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { createRecommender } from '@session-rec/sdk';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { afterAll, describe, expect, it } from 'vitest';
import { registerPopularityCommand } from '../cli/commands/popularity.ts';
import { registerStudentCommand } from '../cli/commands/student.ts';
import { registerTeacherCommand } from '../cli/commands/teacher.ts';
import { readDataset } from '../data/index.ts';
import { evaluateBundle } from '../eval/index.ts';
import { selectBackend } from '../train/backend.ts';
import { prepareEvents } from './index.ts';
import { writeSyntheticEvents } from './synthetic-events.ts';

const tmp = mkdtempSync(join(tmpdir(), 'prepare-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function train(args: string[]): Promise<void> {
  const program = new Command('train').exitOverride();
  registerTeacherCommand(program);
  registerStudentCommand(program);
  registerPopularityCommand(program);
  await program.parseAsync(['node', 'train', ...args]);
}

/** A fetch that serves a bundle folder from disk under any base URL. */
const folderFetch = (dir: string) => async (input: RequestInfo | URL) => {
  const path = new URL(String(input)).pathname.split('/').pop()!;
  try {
    return new Response(readFileSync(join(dir, path)));
  } catch {
    return new Response('not found', { status: 404 });
  }
};

describe('click log → prepare → teacher, student → recommender with SKU ids', () => {
  it('CSV and Parquet give the same dataset; every bundle recommends SKUs', async () => {
    const csv = join(tmp, 'events.csv');
    writeSyntheticEvents(csv, { events: 4000, users: 300, items: 80, days: 14, seed: 5, time: 'epoch-s' });
    // The same log as Parquet with other column names and a typed timestamp column.
    const parquet = join(tmp, 'events.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT user_id AS visitor, sku AS product, to_timestamp(CAST(ts AS BIGINT)) AS at
             FROM read_csv('${csv}', header = true, all_varchar = true))
       TO '${parquet}' (FORMAT parquet)`,
    );
    c.closeSync();
    db.closeSync();

    const common = { gapMs: 30 * 60_000, testDays: 2, minItemClicks: 5 };
    const fromCsv = join(tmp, 'shop-csv');
    const fromParquet = join(tmp, 'shop-parquet');
    const a = await prepareEvents({
      events: csv,
      item: 'sku',
      time: 'ts',
      user: 'user_id',
      out: fromCsv,
      ...common,
    });
    const b = await prepareEvents({
      events: parquet,
      item: 'product',
      time: 'at',
      user: 'visitor',
      out: fromParquet,
      ...common,
    });
    expect(a.timeFormat).toBe('epoch-s');
    expect(b.timeFormat).toBe('timestamp');
    for (const f of ['train.txt', 'test.txt', 'vocab.txt'])
      expect(readFileSync(join(fromParquet, f), 'utf8')).toBe(readFileSync(join(fromCsv, f), 'utf8'));
    expect(a.events).toBe(4000);
    expect(a.testCases).toBeGreaterThan(20);
    const data = readDataset(fromCsv);
    expect(data.vocabulary!.every((id) => /^SKU-\d{6}$/.test(id))).toBe(true);

    await selectBackend('cpu');
    const teacher = join(tmp, 'teacher');
    const tiny = ['--backend', 'cpu', '--no-progress', '--negatives', '16', '--batch-positions', '128'];
    await train([
      'teacher',
      ...['--dataset', fromParquet, '--out', teacher, '--report', join(tmp, 'teacher.json')],
      ...[
        '--checkpoint',
        join(tmp, 'ckpt-t'),
        '--epochs',
        '1',
        '--dim',
        '8',
        '--heads',
        '1',
        '--blocks',
        '1',
      ],
      ...['--dropout', '0.1', '--max-len', '10', '--loss', 'sampled', ...tiny],
    ]);
    const student = join(tmp, 'student');
    await train([
      'student',
      ...['--dataset', fromCsv, '--teacher', teacher, '--M', '2', '--K', '4', '--out', student],
      ...['--report', join(tmp, 'student.json'), '--checkpoint', join(tmp, 'ckpt-s')],
      ...['--teacher-out', join(tmp, 'teacher-after'), '--code-warmup-steps', '5'],
      ...['--pretrain-epochs', '1', '--epochs', '0', ...tiny],
    ]);
    const popularity = join(tmp, 'popularity');
    await train(['popularity', '--dataset', fromCsv, '--out', popularity]);

    const clicks = data.trainSessions[0]!.slice(0, 3);
    const skus = Array.from(clicks, (i) => data.vocabulary![i]!);
    for (const dir of [teacher, student, popularity]) {
      const bundle = await readBundleDir(dir);
      expect(bundle.manifest.vocabulary).toEqual({ type: 'list', file: 'vocab.txt', count: data.numItems });
      expect(data.vocabulary!.every((sku, i) => bundle.itemIndex(sku) === i)).toBe(true);

      const rec = await createRecommender(
        {
          model: 'https://shop.example/models/mine/',
          backend: 'cpu',
          storage: 'memory',
          fetch: folderFetch(dir),
        },
        { sessionPersistence: null, choiceStorage: null },
      );
      for (const sku of skus) expect(rec.track(sku)).toBe(true);
      expect(rec.track('SKU-not-sold-here')).toBe(false);
      const got = await rec.recommend({ k: 10 });
      // What the engine ranks for the same clicks as indices, named by vocab.txt.
      const want = await createCpuEngine(bundle).recommend(Array.from(clicks), { k: 10 });
      expect(got).toEqual(want.map((r) => ({ itemId: data.vocabulary![r.index], score: r.score })));
      expect(got.every((r) => data.vocabulary!.includes(r.itemId))).toBe(true);
      rec.dispose();

      // pnpm eval accepts the folder: its test cases map through the SKUs.
      const result = await evaluateBundle({ bundleDir: dir, datasetDir: fromCsv });
      expect(result.metrics.cases).toBe(a.testCases);
    }
  }, 120_000);
});
