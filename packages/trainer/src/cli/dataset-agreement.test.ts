// `pnpm train` and `pnpm eval` read a dataset folder through the one reader (data/read-dataset.ts), so
// they accept and reject the same folders: a folder eval refuses can't be trained on, and the reverse.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError } from '../data/index.ts';
import { loadBundleEvaluation } from '../eval/bundle-cases.ts';
import { registerTeacherCommand } from './commands/teacher.ts';

const V = 12;
const root = mkdtempSync(join(tmpdir(), 'dataset-agreement-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const train = ['1 2 3', '4 5 6 7', '2 3 4', '8 9 10 11 12', '5 6', '1 3 5 7', '9 10'];
const test = ['1 2\t3', '4 5 6\t7', '8\t9'];

function folder(name: string, files: { train?: string[]; test?: string[]; meta?: unknown }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train.txt'), (files.train ?? train).join('\n') + '\n');
  writeFileSync(join(dir, 'test.txt'), (files.test ?? test).join('\n') + '\n');
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify(files.meta ?? { name, numItems: V }));
  return dir;
}

async function trainTeacher(dataset: string, out: string): Promise<void> {
  const program = new Command('train').exitOverride();
  registerTeacherCommand(program);
  await program.parseAsync([
    'node',
    'train',
    'teacher',
    '--dataset',
    dataset,
    '--out',
    out,
    '--report',
    join(out, '..', 'report.json'),
    '--checkpoint',
    join(out, '..', 'ckpt'),
    '--epochs',
    '1',
    '--dim',
    '8',
    '--heads',
    '1',
    '--max-len',
    '10',
    '--backend',
    'cpu',
    '--loss',
    'sampled',
    '--negatives',
    '4',
    '--no-test',
    '--no-progress',
  ]);
}

describe('train and eval read dataset folders alike', () => {
  it('both accept a well-formed folder', async () => {
    const dir = folder('good', {});
    const out = join(root, 'good-run', 'bundle');
    await trainTeacher(dir, out);
    const evaluation = await loadBundleEvaluation(out, dir);
    expect(evaluation.cases).toHaveLength(test.length);
    evaluation.engine.dispose();
  });

  const bad: [string, Parameters<typeof folder>[1]][] = [
    ['an id above numItems in train.txt', { train: [...train, '3 13'] }],
    ['an id above numItems in test.txt', { test: [...test, '2\t13'] }],
    ['item id 0', { train: ['0 1 2', ...train] }],
    ['a test line without a TAB', { test: ['1 2 3', ...test] }],
    ['numItems not a positive integer', { meta: { name: 'x', numItems: 0 } }],
  ];
  for (const [what, files] of bad) {
    it(`both reject ${what}`, async () => {
      const dir = folder(what.replace(/\W+/g, '-'), files);
      const out = join(root, `${what.replace(/\W+/g, '-')}-run`, 'bundle');
      await expect(trainTeacher(dir, out)).rejects.toBeInstanceOf(DatasetError);
      // eval needs a bundle of the folder's size: the good folder's teacher
      await expect(loadBundleEvaluation(join(root, 'good-run', 'bundle'), dir)).rejects.toBeInstanceOf(
        DatasetError,
      );
    });
  }
});
