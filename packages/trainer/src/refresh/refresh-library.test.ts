// Vocabulary growth and shrinkage, new items' teacher rows and their codes: the pieces of `pnpm train
// refresh` that decide which row, code and popularity entry belongs to which external id.
import { describe, expect, it } from 'vitest';
import { sessionPopularityOrder } from '../data/index.ts';
import { residualEncode } from '../model/residual-kmeans.ts';
import { refreshedCodes } from './new-item-codes.ts';
import { fillNewItemRows } from './new-item-rows.ts';
import { asRange, carryRows, planVocabulary, remapSessions } from './vocabulary.ts';

/** A previous vocabulary of explicit ids (the SDK's list vocabulary). */
function listVocabulary(ids: string[]) {
  const byId = new Map(ids.map((id, i) => [id, i]));
  return {
    count: ids.length,
    itemIds: (i: number) => ids[i]!,
    itemIndex: (id: string) => byId.get(id) ?? -1,
  };
}
/** A previous range vocabulary first … first + count − 1. */
function rangeVocabulary(first: number, count: number) {
  return listVocabulary(Array.from({ length: count }, (_, i) => String(first + i)));
}

describe('planVocabulary', () => {
  const previous = listVocabulary(['a', 'b', 'c', 'd']);
  const dataset = ['c', 'x', 'a', 'y']; // b and d gone, x and y new

  it('keeps previous ids in order, appends new ids in dataset order', () => {
    const plan = planVocabulary(previous, dataset, { dropMissing: false });
    expect(plan.ids).toEqual(['a', 'b', 'c', 'd', 'x', 'y']);
    expect(plan.vocabulary).toEqual(plan.ids);
    expect(Array.from(plan.previousIndex)).toEqual([0, 1, 2, 3, -1, -1]);
    expect(Array.from(plan.fromDataset)).toEqual([2, 4, 0, 5]);
    expect(plan.newItems).toBe(2);
    expect(plan.droppedItems).toBe(0);
  });

  it('drops the ids the dataset no longer has (dropMissing), indices closing up', () => {
    const plan = planVocabulary(previous, dataset, { dropMissing: true });
    expect(plan.ids).toEqual(['a', 'c', 'x', 'y']);
    expect(Array.from(plan.previousIndex)).toEqual([0, 2, -1, -1]);
    expect(Array.from(plan.fromPrevious)).toEqual([0, -1, 1, -1]);
    // every dataset item lands on the index that now carries its id
    dataset.forEach((id, d) => expect(plan.ids[plan.fromDataset[d]!]).toBe(id));
    expect(plan.droppedItems).toBe(2);
  });

  it('a range grown by the next ids stays a range; any gap makes it a list', () => {
    const grown = planVocabulary(rangeVocabulary(1, 5), ['2', '6', '7', '1'], { dropMissing: false });
    expect(grown.vocabulary).toEqual({ type: 'range', first: 1, count: 7 });
    const shrunk = planVocabulary(rangeVocabulary(1, 5), ['2', '6', '7', '1'], { dropMissing: true });
    expect(shrunk.vocabulary).toEqual(['1', '2', '6', '7']);
    expect(asRange(['3', '4', '5'])).toEqual({ type: 'range', first: 3, count: 3 });
    expect(asRange(['3', '05'])).toBeNull();
    expect(asRange(['sku-1'])).toBeNull();
  });

  it('refuses a refresh that would leave no item', () => {
    expect(() => planVocabulary(previous, [], { dropMissing: true })).toThrow(/no items/);
  });

  it('table rows and codes follow their ids; the popularity order is in the new indices', () => {
    const plan = planVocabulary(previous, dataset, { dropMissing: true });
    const N = 2;
    const rows = carryRows(Float32Array.from([1, 1, 2, 2, 3, 3, 4, 4]), N, plan, (n) => new Float32Array(n));
    expect(Array.from(rows)).toEqual([1, 1, 3, 3, 0, 0, 0, 0]); // a, c, then x, y unfilled
    // clicks in dataset indices: y ×3, a ×2, c ×1 → y, a, c, x in the new indices
    const sessions = remapSessions(
      [Int32Array.from([3, 2, 3]), Int32Array.from([3, 2, 0])],
      plan.fromDataset,
    );
    const order = Array.from(sessionPopularityOrder(sessions, plan.ids.length), (i) => plan.ids[i]);
    expect(order).toEqual(['y', 'a', 'c', 'x']);
  });
});

describe('fillNewItemRows', () => {
  it('a new item gets the mean row of the known items within the window, else the mean known row', () => {
    const N = 2;
    // items 0, 1, 2 known; 3 and 4 new
    const table = Float32Array.from([2, 0, 0, 4, 10, 10, 0, 0, 0, 0]);
    const known = Uint8Array.from([1, 1, 1, 0, 0]);
    const sessions = [Int32Array.from([0, 3, 1]), Int32Array.from([3, 4, 2, 2, 2]), Int32Array.from([4, 4])];
    const result = fillNewItemRows(table, N, known, sessions, 1);
    // 3: neighbours 0 and 1 in session 1; 4 (its neighbour in session 2) is new → ignored. Mean (1, 2).
    expect(Array.from(table.subarray(6, 8))).toEqual([1, 2]);
    // 4: neighbour 2 once (session 2, window 1); the repeats further on are out of the window.
    expect(Array.from(table.subarray(8, 10))).toEqual([10, 10]);
    expect(result).toEqual({ fromNeighbours: 2, fromMean: 0 });
    expect(Array.from(table.subarray(0, 6))).toEqual([2, 0, 0, 4, 10, 10]); // known rows untouched

    const lonely = Float32Array.from([2, 0, 0, 4, 0, 0]);
    const r2 = fillNewItemRows(lonely, N, Uint8Array.from([1, 1, 0]), [Int32Array.from([2, 2])], 2);
    expect(Array.from(lonely.subarray(4))).toEqual([1, 2]); // mean of the known rows
    expect(r2).toEqual({ fromNeighbours: 0, fromMean: 1 });
  });
});

describe('new-item codes', () => {
  const M = 2;
  const K = 3;
  const N = 2;
  // codebook 0: coarse directions; codebook 1: small corrections
  const codebooks = Float32Array.from([10, 0, 0, 10, -10, 0, 1, 0, 0, 1, -1, -1]);

  it('residualEncode picks codeword by codeword the nearest to what the earlier ones left', () => {
    const rows = Float32Array.from([11, 0, 0, 11, -11, -1, 9, -1]);
    expect(Array.from(residualEncode(rows, N, codebooks, M, K))).toEqual([0, 0, 1, 1, 2, 2, 0, 2]);
    expect(() => residualEncode(rows, N, codebooks.subarray(1), M, K)).toThrow(/codebooks/);
  });

  it('previous items keep their codes by id, new items get the nearest composite of their teacher row', () => {
    const plan = planVocabulary(listVocabulary(['a', 'b', 'c']), ['c', 'n', 'a'], { dropMissing: true });
    expect(plan.ids).toEqual(['a', 'c', 'n']);
    const previousCodes = Uint8Array.from([1, 2, 0, 0, 2, 1]); // a: (1,2) b: (0,0) c: (2,1)
    const teacherRows = Float32Array.from([0, 0, 0, 0, 0, 11]); // n ≈ codeword (1) + (1)
    const codes = refreshedCodes(previousCodes, codebooks, teacherRows, plan, { M, K, N });
    expect(Array.from(codes)).toEqual([1, 2, 2, 1, 1, 1]);
  });
});
