import { describe, expect, it } from 'vitest';
import { deriveSeed, seededRandom, shuffleInPlace } from './random.ts';

describe('prng', () => {
  it('is reproducible, uniform-looking and in [0, 1)', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(xs.every((x) => x === b())).toBe(true);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((p, q) => p + q, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01); // σ of the mean ≈ 0.002
    const buckets = new Array(10).fill(0);
    for (const x of xs) buckets[Math.floor(x * 10)]++;
    for (const count of buckets) expect(Math.abs(count - 2000)).toBeLessThan(200);
    expect(seededRandom(124)()).not.toBe(seededRandom(123)());
  });

  it('derived seeds differ for neighbouring streams', () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, i) => deriveSeed(42, i)));
    expect(seeds.size).toBe(1000);
    expect(deriveSeed(42, 1)).toBe(deriveSeed(42, 1));
  });

  it('shuffles arrays and typed arrays into a permutation', () => {
    const xs = shuffleInPlace(
      Int32Array.from({ length: 100 }, (_, i) => i),
      seededRandom(1),
    );
    expect(Array.from(xs).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(xs)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});
