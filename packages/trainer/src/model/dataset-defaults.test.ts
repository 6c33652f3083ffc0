// The per-dataset defaults table: the paper's two rows, and a stated fallback for any other dataset.
import { describe, expect, it } from 'vitest';
import { paperKdDefaults } from '../kd/distiller.ts';
import { compositionalCompressionRatio } from './compositional-codes.ts';
import {
  datasetDefaults,
  derivedCodewords,
  describeFallbackDefaults,
  NEUTRAL_RATIO_FLOOR,
  priorDepthsWithinRatio,
} from './dataset-defaults.ts';
import { teacherPreset } from './teacher.ts';

describe('dataset defaults', () => {
  it('the paper rows for Tmall and RetailRocket (SPEC §3), matched by name', () => {
    expect(datasetDefaults('tmall')).toMatchObject({
      row: 'tmall',
      teacher: { dim: 128, heads: 1, dropout: 0.5 },
    });
    expect(datasetDefaults('Tmall-2015').kd).toEqual({ eta: 0.8, beta: 0.01, gamma: 0.3, tau: 0.2 });
    expect(datasetDefaults('retailrocket')).toMatchObject({
      row: 'retailrocket',
      teacher: { dim: 256, heads: 2 },
    });
    expect(paperKdDefaults('retailrocket')).toEqual({ eta: 0.7, beta: 0.5, gamma: 0.3, tau: 0.2 });
    expect(teacherPreset('retailrocket')).toEqual({
      blocks: 1,
      maxLen: 50,
      layerNormEps: 1e-8,
      dim: 256,
      heads: 2,
      dropout: 0.2,
    });
    expect(datasetDefaults('tmall').fallbackReason).toBeUndefined();
    expect(describeFallbackDefaults('retailrocket')).toBeNull();
  });

  it("another dataset gets the neutral row, not a paper dataset's, and says so with the reason", () => {
    const d = datasetDefaults('diginetica');
    expect(d.row).toBe('neutral');
    expect(d.teacher).not.toEqual(datasetDefaults('tmall').teacher);
    expect(d.kd.eta).not.toBe(datasetDefaults('tmall').kd.eta);
    expect(d.fallbackReason).toMatch(/not one of the shipped datasets/);
    const line = describeFallbackDefaults('diginetica')!;
    expect(line).toContain('"diginetica"');
    expect(line).toMatch(/neutral row/);
  });

  it('derives K and the prior depths from the catalogue by the Eq.-11 floor', () => {
    // Tmall's catalogue and N give its shipped K (29.08 ≥ 29; K = 64 would be 26.6)
    expect(derivedCodewords({ numItems: 40727, dim: 128 })).toBe(32);
    const K = derivedCodewords({ numItems: 200_000, dim: 128 });
    expect(compositionalCompressionRatio(200_000, 128, 4, K)).toBeGreaterThanOrEqual(NEUTRAL_RATIO_FLOOR);
    if (K < 256)
      expect(compositionalCompressionRatio(200_000, 128, 4, 2 * K)).toBeLessThan(NEUTRAL_RATIO_FLOOR);
    const depths = priorDepthsWithinRatio({ numItems: 40727, dim: 128, M: 4, K: 32 });
    const deepest = depths[depths.length - 1]!;
    const params = (n: number) => 4 * 32 * 128 + 4 * 40727 + n + 15;
    expect((40727 * 128) / params(deepest)).toBeGreaterThanOrEqual(NEUTRAL_RATIO_FLOOR);
    expect((40727 * 128) / params(deepest + 2)).toBeLessThan(NEUTRAL_RATIO_FLOOR);
    expect(priorDepthsWithinRatio({ numItems: 60, dim: 16, M: 2, K: 8 })).toEqual([]);
  });
});
