import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import {
  MetricAccumulator,
  metricNames,
  metricsFromRanks,
  rankOfLabel,
  rankOfLabelExcluding,
} from './metrics.ts';

describe('rankOfLabel', () => {
  it('counts strictly higher scores, and equal scores only at lower indices (the top-k tie rule)', () => {
    const scores = [0.5, 0.9, 0.5, 0.1, 0.5];
    expect(rankOfLabel(scores, 1)).toBe(1);
    expect(rankOfLabel(scores, 0)).toBe(2); // behind 0.9; ties at 2 and 4 have higher indices
    expect(rankOfLabel(scores, 2)).toBe(3); // behind 0.9 and the tie at index 0
    expect(rankOfLabel(scores, 4)).toBe(4);
    expect(rankOfLabel(scores, 3)).toBe(5);
  });

  it('ranks a NaN label after every number, NaN items never above a number', () => {
    expect(rankOfLabel([NaN, 1, NaN, -Infinity], 2)).toBe(4);
    expect(rankOfLabel([NaN, 1, NaN, -Infinity], 3)).toBe(2);
  });

  it('reads a window of a flat batch of score rows', () => {
    const batch = Float32Array.from([9, 9, 9, /* row 1: */ 1, 3, 2]);
    expect(rankOfLabel(batch, 0, 3, 3)).toBe(3);
    expect(rankOfLabel(batch, 2, 3, 3)).toBe(2);
  });

  it('rejects a label outside the items', () => {
    expect(() => rankOfLabel([1, 2], 2)).toThrow(/label 2 is not an item index in \[0, 2\)/);
  });
});

describe('rankOfLabelExcluding', () => {
  it('equals rankOfLabel over the scores with the excluded items removed (random scores, ties, NaN)', () => {
    const rng = seededRandom(5);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + Math.floor(rng() * 30);
      // Few distinct values, so ties are common; a NaN now and then.
      const scores = Array.from({ length: n }, () => (rng() < 0.1 ? NaN : Math.floor(rng() * 5)));
      const excluded = new Set(Array.from({ length: Math.floor(rng() * n) }, () => Math.floor(rng() * n)));
      const label = Math.floor(rng() * n);
      const kept = scores.map((_, i) => i).filter((i) => !excluded.has(i));
      const expected = excluded.has(label)
        ? n + 1
        : rankOfLabel(
            kept.map((i) => scores[i]),
            kept.indexOf(label),
          );
      expect(rankOfLabelExcluding(scores, label, excluded)).toBe(expected);
    }
  });

  it('reads a window of a flat batch, ignores excluded ids outside it, and makes an excluded label a miss', () => {
    const batch = Float32Array.from([9, 9, 9, /* row 1: */ 1, 3, 2]);
    expect(rankOfLabelExcluding(batch, 0, new Set([1, 7]), 3, 3)).toBe(2);
    expect(rankOfLabelExcluding(batch, 1, new Set([1]), 3, 3)).toBe(4);
    expect(() => rankOfLabelExcluding(batch, 3, new Set(), 3, 3)).toThrow(/label 3 is not an item index/);
  });
});

describe('MetricAccumulator', () => {
  it('rank 1, rank K and rank K + 1 give the hand-computed values', () => {
    const at = (rank: number) => {
      const acc = new MetricAccumulator([5, 10, 20]);
      acc.add(rank);
      return acc.result();
    };
    expect(at(1)).toEqual({
      'P@5': 100,
      'MRR@5': 100,
      'NDCG@5': 100,
      'P@10': 100,
      'MRR@10': 100,
      'NDCG@10': 100,
      'P@20': 100,
      'MRR@20': 100,
      'NDCG@20': 100,
      cases: 1,
    });
    const r5 = at(5);
    expect(r5['P@5']).toBe(100);
    expect(r5['MRR@5']).toBeCloseTo(20, 12);
    expect(r5['NDCG@5']).toBeCloseTo(100 / Math.log2(6), 12); // 38.685…
    const r6 = at(6);
    expect([r6['P@5'], r6['MRR@5'], r6['NDCG@5']]).toEqual([0, 0, 0]);
    expect(r6['P@10']).toBe(100);
    expect(r6['MRR@10']).toBeCloseTo(100 / 6, 12);
    expect(r6['NDCG@10']).toBeCloseTo(100 / Math.log2(7), 12);
    const r21 = at(21);
    expect(
      Object.values(r21)
        .slice(0, 9)
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('averages over cases in percent and keeps the output order', () => {
    const acc = new MetricAccumulator();
    for (const r of [1, 3, 8, 30]) acc.add(r);
    const m = acc.result();
    expect(Object.keys(m)).toEqual([...metricNames(), 'cases']);
    expect(m.cases).toBe(4);
    expect(m['P@5']).toBe(50);
    expect(m['P@10']).toBe(75);
    expect(m['MRR@5']).toBeCloseTo((100 * (1 + 1 / 3)) / 4, 12);
    expect(m['NDCG@10']).toBeCloseTo((100 * (1 + 1 / 2 + 1 / Math.log2(9))) / 4, 12);
  });

  it('a tie at the boundary: the label ties with the K-th item and loses by index', () => {
    // Five items score above, one ties at a lower index → rank 7, outside the top 5 and inside the top 10.
    const scores = [3, 3, 3, 3, 3, 1, 0, 1];
    const acc = new MetricAccumulator([5, 10]);
    expect(rankOfLabel(scores, 7)).toBe(7);
    acc.add(rankOfLabel(scores, 7));
    const m = acc.result();
    expect([m['P@5'], m['P@10']]).toEqual([0, 100]);
    expect(m['MRR@10']).toBeCloseTo(100 / 7, 12);
  });

  it('merges accumulators (worker results) into the same totals', () => {
    const whole = new MetricAccumulator();
    const a = new MetricAccumulator();
    const b = new MetricAccumulator();
    [2, 9, 15, 40, 1].forEach((r, i) => {
      whole.add(r);
      (i % 2 ? a : b).add(r);
    });
    a.merge(b);
    const merged = a.result();
    for (const [name, value] of Object.entries(whole.result())) expect(merged[name]).toBeCloseTo(value, 10);
    expect(() => a.merge(new MetricAccumulator([5]))).toThrow(/different cutoffs/);
  });

  it('rejects a rank that is not a positive integer', () => {
    expect(() => new MetricAccumulator().add(0)).toThrow(RangeError);
  });

  it('metricsFromRanks: the accumulator over a list of ranks (0 for no cases)', () => {
    const acc = new MetricAccumulator();
    [3, 1, 25, 7, 11].forEach((r) => acc.add(r));
    expect(metricsFromRanks(Int32Array.from([3, 1, 25, 7, 11]))).toEqual(acc.result());
    expect(metricsFromRanks([])).toEqual(new MetricAccumulator().result());
  });
});
