// The refresh experiment's split and counts: time order kept, new items and their test labels counted,
// period folders readable with the source's ids as their vocabulary.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countNewItems, splitByTime, writePeriodDataset } from './period-split.ts';
import { datasetItemId, readDataset, type Dataset } from './read-dataset.ts';

const s = (...ids: number[]) => Int32Array.from(ids);
const tmp = mkdtempSync(join(tmpdir(), 'period-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('splitByTime / countNewItems', () => {
  const sessions = [s(0, 1), s(1, 2), s(0, 2), s(3, 1), s(4, 3, 4), s(2, 5)];
  const test = [
    { prefix: s(0), label: 3 }, // new
    { prefix: s(3), label: 4 }, // new
    { prefix: s(1), label: 2 }, // old
    { prefix: s(2), label: 6 }, // in neither period
  ];

  it('cuts at ⌈fraction · S⌉ in file order', () => {
    const { earlier, recent } = splitByTime(sessions, 0.5);
    expect(earlier).toEqual(sessions.slice(0, 3));
    expect(recent).toEqual(sessions.slice(3));
    expect(splitByTime(sessions, 0.9).recent).toHaveLength(0);
    expect(() => splitByTime(sessions, 1)).toThrow(/fraction/);
  });

  it('counts the recent period’s new items, their clicks and the test labels they are', () => {
    const { earlier, recent } = splitByTime(sessions, 0.5);
    expect(countNewItems(earlier, recent, test, 7)).toEqual({
      newItems: 3, // 3, 4, 5
      recentItems: 5, // 1, 2, 3, 4, 5
      newItemClicks: 5, // 3, 4, 3, 4, 5
      recentClicks: 7,
      testCases: 4,
      testLabelsNew: 2,
      testLabelsUnseen: 1,
    });
  });
});

describe('writePeriodDataset', () => {
  it('writes the period’s items with the source ids as vocab.txt, test cases it can hold', () => {
    const source: Dataset = {
      name: 'src',
      numItems: 6,
      trainSessions: [s(0, 1), s(4, 5, 4)],
      testCases: [
        { prefix: s(0, 5), label: 4 }, // prefix item 0 left out in the recent folder
        { prefix: s(1), label: 5 }, // prefix empty there: dropped
        { prefix: s(4), label: 2 }, // label 2 in no folder: dropped
      ],
    };
    const dir = join(tmp, 'recent');
    const r = writePeriodDataset(dir, 'src-recent', source, source.trainSessions.slice(1));
    expect(r).toEqual({ numItems: 2, sessions: 1, testCases: 1, droppedTestCases: 2 });
    const data = readDataset(dir);
    expect(data.vocabulary).toEqual(['5', '6']);
    const id = datasetItemId(data);
    expect(Array.from(data.trainSessions[0]!, id)).toEqual(['5', '6', '5']);
    expect(Array.from(data.testCases[0]!.prefix, id)).toEqual(['6']);
    expect(id(data.testCases[0]!.label)).toBe('5');
    expect(JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')).name).toBe('src-recent');
  });
});
