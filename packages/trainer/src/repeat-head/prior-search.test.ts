import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import { priorValues, type PopularityPrior } from '@session-rec/sdk/engine/popularity-prior';
import { PriorSearch, priorGrid } from './prior-search.ts';

/** Rank (0-based) of the label among the items outside the session, the slow way: sort every score. */
function exploreRank(
  scores: Float32Array,
  session: number[],
  label: number,
  order: Uint32Array,
  prior: PopularityPrior,
): number {
  const s = Float32Array.from(scores);
  const values = priorValues(prior);
  if (prior.weight > 0) for (let r = 0; r < prior.depth; r++) s[order[r]] += values[r];
  const others = [...s.keys()].filter((i) => i !== label && !session.includes(i));
  return others.filter((i) => s[i] >= s[label]).length;
}

describe('popularity prior search', () => {
  it('new-item P@10 and NDCG@10 of every candidate equal ranking all items with the prior added', () => {
    const V = 400;
    const rng = seededRandom(3);
    const order = Uint32Array.from([...Array(V).keys()].sort(() => rng() - 0.5));
    const grid = priorGrid([0.5, 2], [10, 100, 1000], V);
    expect(grid.map((c) => c.depth)).toEqual([10, 100, 400, 10, 100, 400]);
    const search = new PriorSearch(order, grid, V);
    expect(search.candidates[0]).toEqual({ weight: 0, depth: 1 }); // "no prior" added first
    const expected = search.candidates.map(() => ({ p: 0, ndcg: 0 }));
    let counted = 0;
    const batch = new Float32Array(2 * V);
    for (let c = 0; c < 300; c++) {
      const session = Array.from({ length: 1 + Math.floor(rng() * 6) }, () => Math.floor(rng() * V));
      // Labels drawn among popular items half the time, so that some priors help and some hurt.
      const label = rng() < 0.5 ? order[Math.floor(rng() * 30)] : Math.floor(rng() * V);
      const offset = c % 2 === 0 ? 0 : V;
      for (let i = 0; i < V; i++) batch[offset + i] = rng() * 4;
      const scores = batch.slice(offset, offset + V);
      if (!search.add(session, label, batch, offset)) {
        expect(session).toContain(label); // repeat cases are the repeat head's
        continue;
      }
      counted++;
      search.candidates.forEach((prior, k) => {
        const rank = exploreRank(scores, session, label, order, prior);
        if (rank < 10) {
          expected[k].p++;
          expected[k].ndcg += 1 / Math.log2(rank + 2);
        }
      });
    }
    expect(search.newItemCases).toBe(counted);
    const results = search.results();
    results.forEach((r, k) => {
      expect(r.p).toBeCloseTo(expected[k].p / counted, 12);
      expect(r.ndcg).toBeCloseTo(expected[k].ndcg / counted, 12);
    });
    // The labels favour popular items: some prior beats none, and best() picks the top objective.
    const best = search.best();
    expect(best.prior.weight).toBeGreaterThan(0);
    expect(Math.max(...results.map((r) => r.p + r.ndcg))).toBe(best.p + best.ndcg);
  });

  it('keeps "no prior" when no candidate beats it, and rejects depths past the order', () => {
    const V = 50;
    const order = Uint32Array.from({ length: V }, (_, i) => i);
    const search = new PriorSearch(order, [{ weight: 1, depth: 20 }], V);
    const scores = Float32Array.from({ length: V }, (_, i) => i / V); // item 49 best, 0 worst
    // The label is the least popular item and already first: a prior on popular items can only hurt.
    search.add([3], 49, scores, 0);
    expect(search.best().prior.weight).toBe(0);
    expect(search.results()[1].p).toBeLessThanOrEqual(search.results()[0].p);
    expect(() => new PriorSearch(order, [{ weight: 1, depth: 51 }], V)).toThrow(RangeError);
  });
});
