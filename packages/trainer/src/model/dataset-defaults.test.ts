// The per-dataset defaults table: the paper's two rows, and a stated fallback for any other dataset.
import { describe, expect, it } from 'vitest';
import { paperKdDefaults } from '../kd/distiller.ts';
import { datasetDefaults, describeFallbackDefaults } from './dataset-defaults.ts';
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

  it('another dataset gets the Tmall row, and says so with the reason and the source', () => {
    const d = datasetDefaults('diginetica');
    expect(d.row).toBe('tmall');
    expect(d.teacher).toEqual(datasetDefaults('tmall').teacher);
    expect(d.fallbackReason).toMatch(/not one of the paper's datasets/);
    const line = describeFallbackDefaults('diginetica')!;
    expect(line).toContain('"diginetica"');
    expect(line).toContain('"dim":128');
    expect(line).toContain('"eta":0.8');
    expect(line).toMatch(/source: EODRec Sec\. 6\.1\.3, Tmall/);
  });
});
