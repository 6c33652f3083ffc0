// Dataset items → bundle items by external id: a bundle of another size (a refreshed one) is accepted when it
// knows every item of the dataset, refused when it does not.
import { describe, expect, it } from 'vitest';
import { datasetToBundle } from './bundle-cases.ts';

const bundle = (ids: string[], type: 'list' | 'range' = 'list') => ({
  manifest: { hyper: { numItems: ids.length }, vocabulary: { type } } as never,
  itemIndex: (id: string) => ids.indexOf(id),
});

describe('datasetToBundle', () => {
  it('maps by id when the bundle holds more items than the dataset', () => {
    const b = bundle(['7', 'a', 'b', 'c']);
    expect(Array.from(datasetToBundle({ name: 'd', numItems: 2, vocabulary: ['c', 'a'] }, b))).toEqual([
      3, 1,
    ]);
  });
  it('refuses a bundle of another size that lacks dataset items, naming the first', () => {
    const b = bundle(['1', '2']);
    expect(() => datasetToBundle({ name: 'd', numItems: 3 }, b)).toThrow(
      /numItems = 2 but dataset d has 3 items, 1 of them \(first: id "3"\).*not trained on this dataset/,
    );
  });
  it('a bundle of the same size maps as before (unknown ids −1, the test cases then name them)', () => {
    expect(
      Array.from(datasetToBundle({ name: 'd', numItems: 2, vocabulary: ['x', '1'] }, bundle(['1', '2']))),
    ).toEqual([-1, 0]);
  });
  it('with ids 1..V on both sides the counts must agree, even where every id would map', () => {
    expect(() => datasetToBundle({ name: 'd', numItems: 2 }, bundle(['1', '2', '3'], 'range'))).toThrow(
      /numItems = 3 but dataset d has 2 items \(ids 1..V on both sides\)/,
    );
    expect(Array.from(datasetToBundle({ name: 'd', numItems: 2 }, bundle(['1', '2', '3'])))).toEqual([0, 1]);
  });
});
