import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from './stats.ts';

describe('percentile (nearest rank)', () => {
  it('matches the definition on 1..200', () => {
    const sorted = Array.from({ length: 200 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(100);
    expect(percentile(sorted, 95)).toBe(190);
    expect(percentile(sorted, 99)).toBe(198);
    expect(percentile(sorted, 100)).toBe(200);
  });

  it('is an observed value for small samples', () => {
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('rejects p outside (0, 100] and is NaN for no samples', () => {
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(/percentile p/);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarize and median sort their input themselves', () => {
    const samples = [9, 1, 5, 3, 7];
    expect(summarize(samples)).toEqual({ p50: 5, p95: 9, p99: 9, mean: 5 });
    expect(median([4, 1, 3, 2])).toBe(2);
    expect(samples).toEqual([9, 1, 5, 3, 7]);
  });
});
