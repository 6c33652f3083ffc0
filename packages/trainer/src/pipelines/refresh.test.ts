// `pnpm train refresh` end to end on a tiny dataset: a previous compositional bundle and its teacher, a new
// period that adds items and loses some — the refreshed bundle loads in the SDK's CPU engine, knows the new
// items (and recommends them), states where it came from; bad input fails in one line and writes nothing.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { encodeBundle, tensorInputs, vocabularyInput } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../data/prng.ts';
import { sessionPopularityOrder } from '../data/index.ts';
import { Backbone } from '../model/backbone.ts';
import { CompositionalItemTable } from '../model/compositional.ts';
import type { FullItemTable } from '../model/full-table.ts';
import { prefixVariableNames } from '../kd/model-scope.ts';
import { SessionModel } from '../model/session-model.ts';
import { createTeacher } from '../model/teacher.ts';
import { selectBackend } from '../train/backend.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { registerRefreshCommand } from '../cli/commands/refresh.ts';

const V0 = 40; // previous items: ids 1..40
const tmp = mkdtempSync(join(tmpdir(), 'refresh-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const previousDir = join(tmp, 'previous');
const teacherDir = join(tmp, 'previous-teacher');
const hyper = { dim: 8, heads: 1, blocks: 1, maxLen: 10, embScale: 3, layerNormEps: 1e-8, dropout: 0.1 };

/** Sessions of external ids, each a short walk over `ids`. */
function walks(ids: string[], count: number, seed: number): string[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const len = 2 + Math.floor(random() * 5);
    let at = Math.floor(random() * ids.length);
    return Array.from({ length: len }, () => ids[(at = (at + Math.floor(random() * 3)) % ids.length)]!);
  });
}

/** A dataset folder with a vocab.txt: dataset ids 1..|vocab| stand for the vocab's external ids. */
function writeDataset(dir: string, vocab: string[], sessions: string[][]): void {
  mkdirSync(dir, { recursive: true });
  const index = new Map(vocab.map((id, i) => [id, String(i + 1)]));
  const line = (s: string[]) => s.map((id) => index.get(id)!).join(' ');
  writeFileSync(join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  writeFileSync(join(dir, 'train.txt'), sessions.map(line).join('\n') + '\n');
  const test = sessions.slice(0, 20).map((s) => `${line(s.slice(0, -1))}\t${index.get(s[s.length - 1]!)}`);
  writeFileSync(join(dir, 'test.txt'), test.join('\n') + '\n');
  writeFileSync(
    join(dir, 'dataset.json'),
    JSON.stringify({ name: 'refresh-fixture', numItems: vocab.length }),
  );
}

async function refresh(args: string[]): Promise<void> {
  const program = new Command('train').exitOverride();
  registerRefreshCommand(program);
  const { stderr, stdout } = { stderr: process.stderr.write, stdout: process.stdout.write };
  process.stderr.write = process.stdout.write = () => true; // progress lines, the head's JSON
  try {
    await program.parseAsync(['node', 'train', 'refresh', '--backend', 'cpu', '--no-progress', ...args]);
  } finally {
    process.stderr.write = stderr;
    process.stdout.write = stdout;
  }
}

const oldIds = Array.from({ length: V0 }, (_, i) => String(i + 1));
// The new period: items 1–4 gone, 41–48 new (each clicked next to old ones).
const newVocab = [...oldIds.slice(4), ...Array.from({ length: 8 }, (_, i) => String(41 + i))];
const newData = join(tmp, 'new-period');

beforeAll(async () => {
  await selectBackend('cpu');
  const sessions = walks(oldIds, 150, 3).map((s) => Int32Array.from(s, (id) => Number(id) - 1));
  const popularity = sessionPopularityOrder(sessions, V0);
  const teacher = createTeacher(V0, hyper, 7);
  await exportModelBundle(teacherDir, teacher, {
    popularity,
    tableDtype: 'float32',
    info: { seed: 5, dropout: 0.1 },
  });
  // The student as `pnpm train student` starts it: teacher encoder, residual k-means codes.
  prefixVariableNames(teacher.variables(), 'teacher/');
  const items = (teacher.table as FullItemTable).items;
  const table = new CompositionalItemTable(() => items, { M: 2, K: 4, mixup: 0.5, seed: 5 });
  table.initFromResidualKMeans({ margin: 4, seed: 5 });
  const init = new Map([...teacher.backbone.params].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
  const student = new SessionModel(new Backbone(hyper, { init }), table);
  const plain = join(tmp, 'previous-plain');
  await exportModelBundle(plain, student, {
    popularity,
    tableDtype: 'float32',
    info: { seed: 5, eta: 0.5 },
  });
  student.dispose();
  teacher.dispose();
  // …with a repeat head, so that the refresh refits one.
  const b = await readBundleDir(plain);
  await writeBundleDir(
    previousDir,
    await encodeBundle({
      kind: b.manifest.kind,
      hyper: b.manifest.hyper,
      vocabulary: vocabularyInput(b),
      tensors: [
        ...tensorInputs(b),
        { name: 'repeat.recency', dtype: 'float32', shape: [3], data: Float32Array.from([1, 0.5, 0]) },
        { name: 'repeat.weights', dtype: 'float32', shape: [3], data: Float32Array.from([0.1, 0, 0]) },
      ],
      info: b.manifest.info,
    }),
  );
  writeDataset(newData, newVocab, walks(newVocab, 120, 4));
}, 120_000);

describe('pnpm train refresh', () => {
  it('adds the new items, drops the gone ones, refits the head, records its provenance', async () => {
    const out = join(tmp, 'refreshed');
    await refresh([
      ...['--bundle', previousDir, '--teacher', teacherDir, '--dataset', newData, '--out', out],
      ...['--drop-missing', '--max-minutes', '2'],
    ]);
    const previous = await readBundleDir(previousDir);
    const bundle = await readBundleDir(out);
    const m = bundle.manifest;
    expect(m.kind).toBe('compositional');
    expect(m.hyper.numItems).toBe(V0 - 4 + 8);
    expect(m.version).not.toBe(previous.manifest.version);
    expect(m.info?.refreshedFrom).toMatchObject({
      version: previous.manifest.version,
      teacherVersion: (await readBundleDir(teacherDir)).manifest.version,
      dataset: 'refresh-fixture',
      newItems: 8,
      droppedItems: 4,
    });
    // Which epochs the guarded fine-tunes kept (0 = the warm start), as the trainers reported them.
    const kept = m.info?.refreshedFrom as { teacherEpochKept: number; studentEpochKept: number };
    expect(Number.isInteger(kept.teacherEpochKept) && kept.teacherEpochKept >= 0).toBe(true);
    expect(Number.isInteger(kept.studentEpochKept) && kept.studentEpochKept >= 0).toBe(true);
    for (const gone of ['1', '2', '3', '4']) expect(bundle.itemIndex(gone)).toBe(-1);
    for (const id of newVocab) expect(bundle.itemIndex(id)).toBeGreaterThanOrEqual(0);
    expect(bundle.itemIds(0)).toBe('5'); // previous order kept, new ids after
    expect(bundle.itemIds(V0 - 4)).toBe('41');
    expect(bundle.tensors.has('repeat.weights')).toBe(true);
    expect(m.info?.repeatHead).toBeDefined();
    // popularity in the new indices: every entry a valid item, no dropped id
    const popularity = bundle.tensors.get('popularity')!.data;
    expect(Math.max(...popularity)).toBeLessThan(m.hyper.numItems);

    // The SDK's CPU engine scores it; new items are recommended for some single-click session.
    const engine = createCpuEngine(bundle);
    const scores = new Float32Array(m.hyper.numItems);
    let newInTop = 0;
    for (let i = 0; i < m.hyper.numItems; i++) {
      engine.scoreAll([i], scores);
      expect(scores.every(Number.isFinite)).toBe(true);
      const top = Array.from(scores.keys())
        .sort((a, b) => scores[b]! - scores[a]!)
        .slice(0, 10);
      if (top.some((j) => Number(bundle.itemIds(j)) > V0)) newInTop++;
    }
    expect(newInTop).toBeGreaterThan(0);
    // Both fine-tunes ran (warm-started: one epoch each), and the report says so.
    const report = JSON.parse(readFileSync(`${out}-report.json`, 'utf8'));
    expect(report.teacherEpochs).toHaveLength(1);
    expect(report.studentEpochs).toHaveLength(1);
    const { fromNeighbours, fromMean } = report.refreshedFrom.newItemRows;
    expect(fromNeighbours + fromMean).toBe(8); // 44 and 45 sit among new items only: the mean row
    expect(fromNeighbours).toBeGreaterThanOrEqual(4);

    // The refreshed teacher is the next refresh's --teacher: same vocabulary, refresh again from it.
    const teacher = await readBundleDir(`${out}-teacher`);
    expect(teacher.manifest.hyper.numItems).toBe(m.hyper.numItems);
    expect(teacher.itemIds(V0 - 4)).toBe('41');
    const again = join(tmp, 'refreshed-again');
    await refresh([
      ...['--bundle', out, '--teacher', `${out}-teacher`, '--dataset', newData, '--out', again],
      ...['--max-minutes', '1', '--no-head'],
    ]);
    const second = await readBundleDir(again);
    expect(second.manifest.info?.refreshedFrom).toMatchObject({
      version: m.version,
      newItems: 0,
      droppedItems: 0,
    });
  }, 240_000);

  it('keeps every previous item without --drop-missing (the new period only as the dataset)', async () => {
    const out = join(tmp, 'kept');
    await refresh([
      ...['--bundle', previousDir, '--teacher', teacherDir, '--dataset', newData, '--out', out],
      ...['--max-minutes', '1', '--no-head', '--teacher-epochs', '0'],
    ]);
    const bundle = await readBundleDir(out);
    expect(bundle.manifest.hyper.numItems).toBe(V0 + 8);
    expect(bundle.itemIndex('1')).toBe(0);
    expect(bundle.manifest.vocabulary).toMatchObject({ type: 'range', first: 1, count: V0 + 8 });
    expect(bundle.tensors.has('repeat.weights')).toBe(false); // --no-head: the previous head is not carried
  }, 240_000);

  it('bad input: one clear error and nothing written', async () => {
    const out = join(tmp, 'never');
    const args = (over: Record<string, string>) => {
      const flags = {
        '--bundle': previousDir,
        '--teacher': teacherDir,
        '--dataset': newData,
        '--out': out,
        ...over,
      };
      return Object.entries(flags).flat();
    };
    await expect(refresh(args({ '--bundle': teacherDir }))).rejects.toThrow(
      /expected a 'compositional' bundle, got 'full'/,
    );
    await expect(refresh(args({ '--teacher': previousDir }))).rejects.toThrow(
      /expected a 'full' \(teacher\) bundle/,
    );
    const other = join(tmp, 'other-teacher');
    const wide = createTeacher(V0, { ...hyper, dim: 12 }, 1);
    await exportModelBundle(other, wide, {
      popularity: Uint32Array.from({ length: V0 }, (_, i) => i),
      tableDtype: 'float32',
    });
    wide.dispose();
    await expect(refresh(args({ '--teacher': other }))).rejects.toThrow(
      /has dim 12, --bundle .* 8: not the bundle's teacher/,
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'train.txt'), '');
    writeFileSync(join(empty, 'test.txt'), '');
    await expect(refresh(args({ '--dataset': empty }))).rejects.toThrow(/train.txt has no sessions/);
    const malformed = join(tmp, 'malformed');
    mkdirSync(malformed);
    writeFileSync(join(malformed, 'train.txt'), '1 2\n3 x\n');
    writeFileSync(join(malformed, 'test.txt'), '1\t2\n');
    await expect(refresh(args({ '--dataset': malformed }))).rejects.toThrow(/train.txt.*2.*"x"/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}-teacher`)).toBe(false);
  }, 120_000);
});
