import { describe, expect, it } from 'vitest';
import { rowBudgetS } from './rows.ts';

describe('rowBudgetS', () => {
  it("is the profile's budget while the run is on time", () => {
    // 660 s left for 34 rows: a share of 19.4 s, half of it 9.7 s > 8 s.
    expect(rowBudgetS(660, 34, 8, 1)).toBe(8);
  });

  it('shrinks to half of the share of the time left when the run falls behind, down to the floor', () => {
    expect(rowBudgetS(100, 20, 8, 1)).toBeCloseTo(2.5);
    expect(rowBudgetS(10, 20, 8, 1)).toBe(1);
    expect(rowBudgetS(-50, 3, 8, 0.25)).toBe(0.25);
  });

  it('gives the last row half of what is left', () => {
    expect(rowBudgetS(6, 1, 8, 1)).toBe(3);
    expect(rowBudgetS(6, 0, 8, 1)).toBe(3);
  });
});
