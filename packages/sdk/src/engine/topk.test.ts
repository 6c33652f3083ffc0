import { describe, expect, it } from 'vitest';
import { seededRng } from './cpu/testing/random-model.ts';
import { ranksBefore, topK } from './topk.ts';

/** Reference: sort every eligible item by the tie rule, take k. */
function sortedTopK(scores: ArrayLike<number>, k: number, exclude?: ReadonlySet<number>) {
  const idx = Array.from({ length: scores.length }, (_, i) => i).filter((i) => !exclude?.has(i));
  idx.sort((a, b) => (ranksBefore(scores[a], a, scores[b], b) ? -1 : 1));
  return idx.slice(0, k).map((index) => ({ index, score: scores[index] }));
}

describe('topK', () => {
  it('equals a full sort on random scores with many ties, with and without exclusions', () => {
    const rng = seededRng(7);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rng() * 3000);
      const distinct = trial % 3 === 0 ? 5 : trial % 3 === 1 ? 50 : 1e9; // heavy ties … none
      const scores = new Float32Array(n);
      for (let i = 0; i < n; i++) scores[i] = Math.floor(rng() * distinct) - distinct / 2;
      const k = 1 + Math.floor(rng() * 120);
      const exclude = new Set<number>();
      if (trial % 2 === 0) for (let e = 0; e < 40; e++) exclude.add(Math.floor(rng() * n));
      expect(topK(scores, k, exclude)).toEqual(sortedTopK(scores, k, exclude));
    }
  });

  it('breaks ties by the lower index', () => {
    expect(topK([1, 3, 3, 2, 3], 3).map((s) => s.index)).toEqual([1, 2, 4]);
    expect(topK([0, 0, 0, 0], 2).map((s) => s.index)).toEqual([0, 1]);
  });

  it('returns fewer items when fewer are eligible, and none when all are excluded', () => {
    expect(topK([5, 4], 10).map((s) => s.index)).toEqual([0, 1]);
    expect(topK([5, 4], 3, new Set([0, 1]))).toEqual([]);
  });

  it('ranks NaN below every number, -Infinity included', () => {
    const scores = [NaN, -Infinity, 2, NaN, 1];
    expect(topK(scores, 5).map((s) => s.index)).toEqual([2, 4, 1, 0, 3]);
    expect(topK(scores, 2).map((s) => s.index)).toEqual([2, 4]);
    expect(topK([NaN, NaN, 3], 1).map((s) => s.index)).toEqual([2]);
  });

  it('rejects a k that is not a positive integer, naming k', () => {
    expect(() => topK([1], 0)).toThrow(RangeError);
    expect(() => topK([1], 1.5)).toThrow(/k must be a positive integer/);
    expect(() => topK([1], '3' as unknown as number)).toThrow(TypeError);
    expect(() => topK([1], NaN)).toThrow(/k must be a number/);
  });
});
