import { describe, expect, it } from 'vitest';
import { paretoChart, paretoFront } from './pareto.ts';

describe('paretoFront', () => {
  it('keeps exactly the points no other point beats on both bytes (fewer) and quality (higher)', () => {
    const points = [
      { label: 'a', kind: 'full', bytes: 100, quality: 10 },
      { label: 'b', kind: 'compositional', bytes: 10, quality: 5 },
      { label: 'c', kind: 'tt', bytes: 20, quality: 4 }, // dominated by b
      { label: 'd', kind: 'full', bytes: 50, quality: 10 }, // dominates a (same quality, fewer bytes)
      { label: 'e', kind: 'popularity', bytes: 5, quality: 1 },
      { label: 'f', kind: 'sttd', bytes: 10, quality: 5 }, // equal to b: neither dominates
      { label: 'g', kind: 'tt', bytes: 1, quality: NaN }, // no measurement: never on the front
    ];
    expect(paretoFront(points).map((p) => p.label)).toEqual(['e', 'b', 'f', 'd']);
    // Brute-force check of the definition on random points.
    const rng = (() => {
      let x = 7;
      return () => (x = (x * 48271) % 2147483647) / 2147483647;
    })();
    const random = Array.from({ length: 60 }, (_, i) => ({
      label: String(i),
      kind: 'k',
      bytes: 1 + Math.floor(rng() * 30),
      quality: Math.floor(rng() * 30),
    }));
    const front = new Set(paretoFront(random));
    for (const p of random) {
      const beaten = random.some(
        (q) => q.bytes <= p.bytes && q.quality >= p.quality && (q.bytes < p.bytes || q.quality > p.quality),
      );
      expect(front.has(p)).toBe(!beaten);
    }
  });

  it('the chart is one standalone SVG with a mark and a label per bundle and every kind in the key', () => {
    const svg = paretoChart([
      {
        dataset: 'tmall',
        points: [
          { label: 'teacher', kind: 'full', bytes: 2e7, quality: 3.9 },
          { label: 'compositional', kind: 'compositional', bytes: 8e5, quality: 0.5 },
        ],
      },
      {
        dataset: 'retailrocket',
        points: [{ label: 'popularity', kind: 'popularity', bytes: 3e5, quality: 0.5 }],
      },
    ]);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    for (const text of [
      'teacher',
      'compositional',
      'popularity',
      '● full',
      '● compositional',
      'tmall',
      'retailrocket',
    ])
      expect(svg).toContain(text);
    expect(svg.match(/<circle/g)?.length).toBe(3);
  });
});
