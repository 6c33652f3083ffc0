import { describe, expect, it } from 'vitest';
import type { BundleSummary } from './models/bundle-summary.ts';
import { describeEngineChoice, fallbackCandidates, parseRoute } from './shop.ts';

describe('parseRoute', () => {
  it('decodes product links, and bad percent-encoding or unknown paths are not found', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/')).toEqual({ page: 'home' });
    expect(parseRoute('#/item/sku%2F12%20a')).toEqual({ page: 'item', id: 'sku/12 a' });
    expect(parseRoute('#/item/%E0%A4%A')).toEqual({ page: 'not-found' });
    expect(parseRoute('#/item/')).toEqual({ page: 'not-found' });
    expect(parseRoute('#/cart')).toEqual({ page: 'not-found' });
  });
});

describe('fallbackCandidates', () => {
  const b = (id: string, bundleBytes: number, random = false) =>
    ({ id, dataset: id.split('-')[0], bundleBytes, random }) as BundleSummary;
  it('same dataset only, trained only, smallest first, at most two', () => {
    const list = [
      b('t-teacher', 9e6),
      b('t-popularity', 3e5),
      b('t-tt', 1e6),
      b('r-popularity', 1),
      b('t-x', 5, true),
    ];
    expect(fallbackCandidates(list, list[0]).map((x) => x.id)).toEqual(['t-popularity', 't-tt']);
    expect(fallbackCandidates(list, list[1]).map((x) => x.id)).toEqual(['t-tt', 't-teacher']);
  });
});

describe('describeEngineChoice', () => {
  it('formats what the SDK says, whatever its optional parts', () => {
    expect(describeEngineChoice(undefined)).toBeNull();
    expect(describeEngineChoice({ engine: 'cpu', reason: 'forced' })).toBe('cpu: forced');
    expect(
      describeEngineChoice({
        engine: 'cpu',
        reason: 'fallback-adapter',
        adapter: { vendor: 'google', architecture: 'swiftshader', isFallback: true },
        timings: { cpu: 1.5, webgpu: 20 },
      }),
    ).toBe('cpu: fallback-adapter · google swiftshader · cpu 1.50 ms, webgpu 20.0 ms');
  });
});
