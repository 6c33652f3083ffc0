// The training bar's ETA: the rate so far, never past what the time budget still allows.
import { describe, expect, it } from 'vitest';
import { boundedEtaSeconds, formatDuration } from './progress.ts';

describe('progress', () => {
  it('the ETA follows the rate, bounded by the budget left', () => {
    // 10 of 100 batches in 20 s: 180 s to go by the rate
    expect(boundedEtaSeconds(10, 100, 0, 20_000, Infinity)).toBeCloseTo(180, 6);
    expect(boundedEtaSeconds(10, 100, 0, 20_000, 60_000)).toBeCloseTo(60, 6);
    expect(boundedEtaSeconds(10, 100, 0, 20_000, -5_000)).toBe(0);
    // a resumed epoch: the rate counts only the batches this process ran
    expect(boundedEtaSeconds(60, 100, 50, 20_000, Infinity)).toBeCloseTo(80, 6);
    // before the first batch: the budget is the only bound
    expect(boundedEtaSeconds(0, 100, 0, 0, 90_000)).toBe(90);
  });

  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(Infinity)).toBe('?');
  });
});
