import { describe, expect, it } from 'vitest';
import { recentPopularityOrder } from './recent-popularity.ts';

describe('recent popularity order', () => {
  // Item 0 was clicked often long ago, item 1 a little recently, item 2 once in the middle.
  const sessions = [
    Int32Array.from([0, 0, 0]),
    Int32Array.from([0, 2]),
    Int32Array.from([1, 1]),
    Int32Array.from([3]), // at `now`: never counted
  ];
  const positions = [0, 10, 19, 20];

  it('half-life 0 counts every click before now once (ties to the lower index)', () => {
    expect(Array.from(recentPopularityOrder({ sessions, positions }, 4, 0, 20))).toEqual([0, 1, 2, 3]);
    // Only the first two sessions are before position 15.
    expect(Array.from(recentPopularityOrder({ sessions, positions }, 4, 0, 15))).toEqual([0, 2, 1, 3]);
  });

  it('a short half-life puts recent clicks first: weight 2^(−(age − 1) / halfLife)', () => {
    // halfLife 2: item 0 ≈ 3·2^(−9.5) + 2^(−4.5) ≈ 0.05, item 1 = 2 · 2^0 = 2, item 2 = 2^(−4.5) ≈ 0.044.
    expect(Array.from(recentPopularityOrder({ sessions, positions }, 4, 2, 20))).toEqual([1, 0, 2, 3]);
    expect(() => recentPopularityOrder({ sessions, positions }, 4, -1, 20)).toThrow(RangeError);
  });
});
