import { describe, expect, it } from 'vitest';
import { samplePopularitySessions } from './sessions.ts';

describe('samplePopularitySessions', () => {
  const V = 20_000;
  // A popularity order that is not the identity, so that a sampler ignoring it would be caught.
  const popularity = Uint32Array.from({ length: V }, (_, i) => (i * 7919) % V);
  const itemId = (index: number) => `id-${index}`;

  it('is deterministic for a seed and draws only from the 5,000 most popular items', () => {
    const a = samplePopularitySessions(popularity, itemId, 300, 3);
    expect(samplePopularitySessions(popularity, itemId, 300, 3)).toEqual(a);
    expect(samplePopularitySessions(popularity, itemId, 300, 4)).not.toEqual(a);
    const head = new Set(Array.from(popularity.subarray(0, 5000), itemId));
    for (const session of a) for (const id of session) expect(head.has(id)).toBe(true);
  });

  it('gives session lengths from 1 to 50 averaging like the datasets (~6)', () => {
    const sessions = samplePopularitySessions(popularity, itemId, 2000);
    const lengths = sessions.map((s) => s.length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(50);
    const mean = lengths.reduce((x, y) => x + y, 0) / lengths.length;
    expect(mean).toBeGreaterThan(4);
    expect(mean).toBeLessThan(8);
  });

  it('gives every session the fixed length when asked', () => {
    const sessions = samplePopularitySessions(popularity, itemId, 50, 7, 20);
    expect(sessions.map((s) => s.length)).toEqual(Array(50).fill(20));
  });

  it('favours popular items', () => {
    const ids = samplePopularitySessions(popularity, itemId, 2000).flat();
    const top100 = new Set(Array.from(popularity.subarray(0, 100), itemId));
    // Uniform over 5,000 would put 2% of clicks in the top 100; a Zipf-like draw puts far more there.
    expect(ids.filter((id) => top100.has(id)).length / ids.length).toBeGreaterThan(0.2);
  });
});
