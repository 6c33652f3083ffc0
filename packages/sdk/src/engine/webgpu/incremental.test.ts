import { describe, expect, it } from 'vitest';
import { keptRows } from './incremental.ts';

describe('keptRows', () => {
  it('keeps the previous window when the new one extends it', () => {
    expect(keptRows([4, 9], [4, 9, 1])).toBe(2);
    expect(keptRows([4, 9], [4, 9, 1, 7])).toBe(2);
    // The same window again: every row is kept, only the readout runs.
    expect(keptRows([4, 9, 1], [4, 9, 1])).toBe(3);
  });

  it('encodes everything when the window changed, shrank, slid or nothing is cached', () => {
    expect(keptRows([], [4, 9])).toBe(0);
    expect(keptRows([4, 9, 1], [4, 9])).toBe(0);
    expect(keptRows([4, 9, 1], [4, 8, 1, 2])).toBe(0);
    // A window that slid by one (positions are absolute in the window): nothing lines up.
    expect(keptRows([1, 2, 3], [2, 3, 4])).toBe(0);
    expect(keptRows([5], [6])).toBe(0);
  });
});
