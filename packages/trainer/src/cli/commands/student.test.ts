// `pnpm train student` end to end on a generated dataset folder and a small teacher bundle:
// report, bundle, compression ratios, code usage, resume.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../data/prng.ts';
import { createTeacher } from '../../model/teacher.ts';
import { selectBackend } from '../../train/backend.ts';
import { validationScore } from '../../train/loop.ts';
import { exportModelBundle } from '../../train/export-bundle.ts';
import { sessionPopularityOrder } from '../../data/index.ts';
import { registerStudentCommand } from './student.ts';

const V = 60;
const tmp = mkdtempSync(join(tmpdir(), 'student-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeDataset(dir: string): Int32Array[] {
  mkdirSync(dir, { recursive: true });
  const random = seededRandom(3);
  const sessions = Array.from({ length: 120 }, () => {
    const len = 2 + Math.floor(random() * 6);
    const s = [1 + Math.floor(random() * V)];
    for (let t = 1; t < len; t++) s.push(((s[t - 1]! + Math.floor(random() * 3)) % V) + 1);
    return s;
  });
  writeFileSync(join(dir, 'train.txt'), sessions.map((s) => s.join(' ')).join('\n') + '\n');
  writeFileSync(
    join(dir, 'test.txt'),
    sessions
      .slice(0, 30)
      .map((s) => `${s.slice(0, -1).join(' ')}\t${s[s.length - 1]}`)
      .join('\n') + '\n',
  );
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name: 'fixture', numItems: V }));
  return sessions.map((s) => Int32Array.from(s, (v) => v - 1));
}

async function train(args: string[]): Promise<void> {
  const program = new Command('train').exitOverride();
  registerStudentCommand(program);
  await program.parseAsync(['node', 'train', 'student', ...args]);
}

describe('pnpm train student', () => {
  it('writes a compositional bundle and a report with both compression ratios, and resumes', async () => {
    await selectBackend('cpu');
    const data = join(tmp, 'fixture');
    const sessions = writeDataset(data);
    const teacherDir = join(tmp, 'teacher');
    const teacher = createTeacher(
      V,
      { dim: 16, heads: 1, blocks: 1, maxLen: 10, embScale: 4, layerNormEps: 1e-8, dropout: 0.1 },
      7,
    );
    await exportModelBundle(teacherDir, teacher, {
      popularity: sessionPopularityOrder(sessions, V),
      tableDtype: 'float32',
      info: { seed: 42, dropout: 0.1 },
    });
    teacher.dispose();
    const out = join(tmp, 'student');
    const report = join(tmp, 'report.json');
    const common = [
      '--dataset',
      data,
      '--teacher',
      teacherDir,
      '--M',
      '2',
      '--K',
      '8',
      '--out',
      out,
      '--report',
      report,
      '--checkpoint',
      join(tmp, 'ckpt'),
      '--teacher-out',
      join(tmp, 'teacher-after'),
      '--backend',
      'cpu',
      '--no-progress',
      '--code-warmup-steps',
      '5',
      '--negatives',
      '16',
      '--batch-positions',
      '128',
    ];
    await train([...common, '--pretrain-epochs', '1', '--epochs', '0']);
    const first = JSON.parse(readFileSync(report, 'utf8'));
    expect(first.epochs.map((e: { stage: string }) => e.stage)).toEqual(['pretrain']);

    await train([...common, '--pretrain-epochs', '1', '--epochs', '1', '--resume']);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    expect(r.epochs.map((e: { stage: string; epoch: number }) => [e.epoch, e.stage])).toEqual([
      [1, 'pretrain'],
      [2, 'kd'],
    ]);
    expect(r.configuration.loss).toBe('sampled');
    expect(r.compression.eq11).toBeCloseTo((V * 16) / (2 * 8 * 16 + 2 * V), 6);
    expect(r.compression.bytesRatio).toBeCloseTo(
      r.compression.teacherBundleBytes / r.compression.bundleBytes,
      6,
    );
    expect(r.test.cases).toBe(30);
    // The teacher was scored before KD changed it; it ships (is tested and exported) as changed by KD only
    // if the best student epoch is a KD one and the teacher then beat its own score before KD.
    const tv = r.teacherValidation as {
      beforeKd: Record<string, number>;
      keptEpoch: Record<string, number> | null;
      shipped: boolean;
    };
    expect(tv.beforeKd.cases).toBeGreaterThan(0);
    const beat = tv.keptEpoch !== null && validationScore(tv.keptEpoch) > validationScore(tv.beforeKd);
    expect(tv.shipped).toBe(r.bestEpochStage === 'kd' && beat);
    if (tv.shipped) expect(r.teacherAfterKdTest.cases).toBe(30);
    else expect(r.teacherAfterKdTest).toBeNull();
    // Fig. 6 data: every item uses exactly one codeword per codebook
    for (const row of r.codeUsage as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBe(V);

    const bundle = await readBundleDir(out);
    expect(bundle.manifest.kind).toBe('compositional');
    expect(bundle.tensors.get('codes')!.dtype).toBe('uint8');
    expect(bundle.manifest.info?.compressionRatioEq11).toBeCloseTo(r.compression.eq11, 1);
    expect(bundle.manifest.metrics?.['P@10']).toBeCloseTo(r.test['P@10'], 1);
    if (tv.shipped) expect((await readBundleDir(join(tmp, 'teacher-after'))).manifest.kind).toBe('full');
    else expect(existsSync(join(tmp, 'teacher-after'))).toBe(false);
  });

  it('checks every flag before the teacher loads: a mistyped --loss fails first', async () => {
    const data = join(tmp, 'fixture-flags');
    writeDataset(data);
    const missingTeacher = join(tmp, 'no-such-teacher');
    await expect(
      train(['--dataset', data, '--teacher', missingTeacher, '--loss', 'sampeld']),
    ).rejects.toThrow(/^--loss: expected full or sampled, got "sampeld"$/);
    await expect(
      train(['--dataset', data, '--teacher', missingTeacher, '--code-init', 'kmeans']),
    ).rejects.toThrow(/--code-init/);
    // with the flags right, the same command gets as far as the (missing) teacher
    await expect(train(['--dataset', data, '--teacher', missingTeacher, '--backend', 'cpu'])).rejects.toThrow(
      /no-such-teacher/,
    );
  });
});
