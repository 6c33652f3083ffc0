// The refresh experiment's data (results/refresh/): a dataset's time-ordered training sessions cut into an
// earlier part (what the stale model saw) and the recent period (what a refresh adds), written as dataset
// folders with vocab.txt (the original ids as external ids, so that bundles trained on different folders
// name items alike), and the count of what the recent period brings: items the earlier part never had, and
// how many test labels they are (cases a stale model cannot get right).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset, SessionCase } from './read-dataset.ts';
import { datasetItemId } from './read-dataset.ts';

/** The first ⌈fraction · S⌉ training sessions (train.txt is in time order) and the rest. */
export function splitByTime(sessions: readonly Int32Array[], fraction: number) {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction must be in (0, 1), got ${fraction}`);
  const cut = Math.ceil(fraction * sessions.length);
  return { earlier: sessions.slice(0, cut), recent: sessions.slice(cut) };
}

export interface NewItemCounts {
  /** Items clicked in the recent period that the earlier part never had. */
  newItems: number;
  /** Items of the recent period. */
  recentItems: number;
  /** Recent-period clicks on new items. */
  newItemClicks: number;
  recentClicks: number;
  testCases: number;
  /** Test cases whose label is a new item. */
  testLabelsNew: number;
  /** Test cases whose label neither period has (0 for the shipped datasets). */
  testLabelsUnseen: number;
}

function seen(sessions: readonly Int32Array[], numItems: number): Uint8Array {
  const mark = new Uint8Array(numItems);
  for (const s of sessions) for (const i of s) mark[i] = 1;
  return mark;
}

export function countNewItems(
  earlier: readonly Int32Array[],
  recent: readonly Int32Array[],
  testCases: readonly SessionCase[],
  numItems: number,
): NewItemCounts {
  const old = seen(earlier, numItems);
  const fresh = seen(recent, numItems);
  let newItems = 0;
  let recentItems = 0;
  for (let i = 0; i < numItems; i++) {
    recentItems += fresh[i]!;
    if (fresh[i] && !old[i]) newItems++;
  }
  let newItemClicks = 0;
  let recentClicks = 0;
  for (const s of recent)
    for (const i of s) {
      recentClicks++;
      if (!old[i]) newItemClicks++;
    }
  let testLabelsNew = 0;
  let testLabelsUnseen = 0;
  for (const c of testCases) {
    if (!old[c.label] && fresh[c.label]) testLabelsNew++;
    if (!old[c.label] && !fresh[c.label]) testLabelsUnseen++;
  }
  return {
    newItems,
    recentItems,
    newItemClicks,
    recentClicks,
    testCases: testCases.length,
    testLabelsNew,
    testLabelsUnseen,
  };
}

/**
 * Writes `sessions` as a dataset folder over the items they click (vocab.txt: the source's external ids,
 * ascending index), with the test cases whose label it has (prefix items it lacks left out, cases left
 * with an empty prefix dropped). Returns the folder's item and test-case counts.
 */
export function writePeriodDataset(
  dir: string,
  name: string,
  source: Dataset,
  sessions: readonly Int32Array[],
): { numItems: number; sessions: number; testCases: number; droppedTestCases: number } {
  const mark = seen(sessions, source.numItems);
  const index = new Int32Array(source.numItems).fill(-1);
  const ids: string[] = [];
  const itemId = datasetItemId(source);
  for (let i = 0; i < source.numItems; i++) if (mark[i]) index[i] = ids.push(itemId(i)) - 1;
  const line = (items: ArrayLike<number>) =>
    Array.from(items, (i) => index[i]!)
      .filter((i) => i >= 0)
      .map((i) => i + 1)
      .join(' ');
  const test: string[] = [];
  for (const c of source.testCases) {
    const prefix = line(c.prefix);
    if (index[c.label]! >= 0 && prefix !== '') test.push(`${prefix}\t${index[c.label]! + 1}`);
  }
  if (sessions.length === 0) throw new RangeError(`${name}: no sessions to write`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vocab.txt'), ids.join('\n') + '\n');
  writeFileSync(join(dir, 'train.txt'), sessions.map(line).join('\n') + '\n');
  writeFileSync(join(dir, 'test.txt'), test.length ? test.join('\n') + '\n' : '');
  writeFileSync(join(dir, 'dataset.json'), JSON.stringify({ name, numItems: ids.length }) + '\n');
  return {
    numItems: ids.length,
    sessions: sessions.length,
    testCases: test.length,
    droppedTestCases: source.testCases.length - test.length,
  };
}
