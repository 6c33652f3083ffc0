import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetError } from './errors.ts';
import { readDataset } from './read-dataset.ts';
import { seededRandom } from './prng.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixture(files: { train?: string; test?: string; meta?: unknown }, name = 'fixture'): string {
  const root = mkdtempSync(join(tmpdir(), 'dataset-'));
  dirs.push(root);
  const dir = join(root, name);
  mkdirSync(dir);
  if (files.train !== undefined) writeFileSync(join(dir, 'train.txt'), files.train);
  if (files.test !== undefined) writeFileSync(join(dir, 'test.txt'), files.test);
  if (files.meta !== undefined) {
    writeFileSync(
      join(dir, 'dataset.json'),
      typeof files.meta === 'string' ? files.meta : JSON.stringify(files.meta),
    );
  }
  return dir;
}

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('readDataset', () => {
  it('reads sessions and test cases as 0-based indices', () => {
    const dir = fixture({ train: '1 2 3\n4 5\n2\n', test: '1 2\t3\n5\t4\n' }, 'shop');
    const d = readDataset(dir);
    expect(d.name).toBe('shop');
    expect(d.numItems).toBe(5);
    expect(d.trainSessions.map((s) => Array.from(s))).toEqual([[0, 1, 2], [3, 4], [1]]);
    expect(d.testCases.map((c) => [Array.from(c.prefix), c.label])).toEqual([
      [[0, 1], 2],
      [[4], 3],
    ]);
  });

  it('takes name and numItems from dataset.json (items that never occur included)', () => {
    const dir = fixture({ train: '1 2\n', test: '1\t2\n', meta: { name: 'toy', numItems: 9, extra: true } });
    const d = readDataset(dir);
    expect(d.name).toBe('toy');
    expect(d.numItems).toBe(9);
  });

  it('without dataset.json, numItems is the largest id in train or test', () => {
    expect(readDataset(fixture({ train: '1 2\n', test: '1\t7\n' })).numItems).toBe(7);
    expect(readDataset(fixture({ train: '1 8\n', test: '1\t2\n' })).numItems).toBe(8);
  });

  it('accepts CRLF line ends and a missing final newline', () => {
    const d = readDataset(fixture({ train: '1 2\r\n3 4', test: '1 2\t3\r\n' }));
    expect(d.trainSessions.map((s) => Array.from(s))).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(d.testCases[0].label).toBe(2);
  });

  it('round-trips random sessions exactly', () => {
    const random = seededRandom(7);
    const sessions = Array.from({ length: 300 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 12) }, () => 1 + Math.floor(random() * 5000)),
    );
    const dir = fixture({
      train: sessions.map((s) => s.join(' ')).join('\n') + '\n',
      test: sessions.map((s) => `${s.join(' ')}\t${s[0]}`).join('\n') + '\n',
      meta: { numItems: 5000 },
    });
    const d = readDataset(dir);
    expect(d.trainSessions.map((s) => Array.from(s, (x) => x + 1))).toEqual(sessions);
    expect(d.testCases.map((c) => c.label + 1)).toEqual(sessions.map((s) => s[0]));
  });

  describe('names file and line of malformed input', () => {
    it.each([
      [
        'a non-integer id',
        { train: '1 2\n3 x4 5\n' },
        'train.txt',
        2,
        /item id "x4" in session is not a positive integer/,
      ],
      ['a negative id', { train: '1 -2\n' }, 'train.txt', 1, /item id "-2"/],
      ['a decimal id', { train: '1 2.5\n' }, 'train.txt', 1, /item id "2.5"/],
      ['id 0', { train: '1 2\n1 0 2\n' }, 'train.txt', 2, /item id 0 in session: ids start at 1/],
      [
        'an id > numItems',
        { train: '1 2\n', test: '1\t2\n3 11\t2\n', meta: { numItems: 10 } },
        'test.txt',
        2,
        /item id 11 in prefix exceeds numItems 10/,
      ],
      ['an empty line inside train.txt', { train: '1 2\n\n3 4\n' }, 'train.txt', 2, /empty line/],
      ['a double space', { train: '1  2\n' }, 'train.txt', 1, /empty item id in session/],
      ['a trailing space', { train: '1 2 \n' }, 'train.txt', 1, /trailing space/],
      ['a TAB in train.txt', { train: '1 2\t3\n' }, 'train.txt', 1, /unexpected TAB in session/],
      ['a missing TAB in test.txt', { test: '1 2\t3\n1 2 3\n' }, 'test.txt', 2, /missing TAB/],
      ['an empty prefix', { test: '\t3\n' }, 'test.txt', 1, /empty prefix/],
      ['two labels', { test: '1\t2 3\n' }, 'test.txt', 1, /the label must be one item id, found 2/],
      ['a second TAB', { test: '1\t2\t3\n' }, 'test.txt', 1, /unexpected TAB in label/],
      [
        'an id beyond int32',
        { train: '1 99999999999\n' },
        'train.txt',
        1,
        /exceeds the largest supported id/,
      ],
    ])('%s', (_what, files, file, line, message) => {
      const dir = fixture({ train: '1 2\n', test: '1\t2\n', ...files });
      const err = errorOf(() => readDataset(dir));
      expect(err.file).toBe(join(dir, file));
      expect(err.line).toBe(line);
      expect(err.message.startsWith(`${join(dir, file)}:${line}: `)).toBe(true);
      expect(err.message).toMatch(message);
    });

    it('trailing empty lines at the end are fine, an empty line before content is not', () => {
      expect(readDataset(fixture({ train: '1 2\n\n\n', test: '1\t2\n' })).trainSessions).toHaveLength(1);
      expect(errorOf(() => readDataset(fixture({ train: '\n1 2\n', test: '1\t2\n' }))).line).toBe(1);
    });

    it('a missing file or a bad dataset.json', () => {
      const noTest = fixture({ train: '1 2\n' });
      expect(errorOf(() => readDataset(noTest)).message).toBe(`${join(noTest, 'test.txt')}: no such file`);
      const badJson = fixture({ train: '1 2\n', test: '1\t2\n', meta: '{oops' });
      expect(errorOf(() => readDataset(badJson)).message).toMatch(/dataset.json: not valid JSON/);
      const badCount = fixture({ train: '1 2\n', test: '1\t2\n', meta: { numItems: 0 } });
      expect(errorOf(() => readDataset(badCount)).message).toMatch(
        /numItems must be a positive integer, got 0/,
      );
    });
  });
});
