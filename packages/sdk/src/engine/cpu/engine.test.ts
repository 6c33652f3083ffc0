import { describe, expect, it } from 'vitest';
import { createCpuEngine, EngineDisposedError, ModelTensorError, topK } from './index.ts';
import {
  popularityBundle,
  randomCompositionalBundle,
  randomFullBundle,
  seededRng,
} from './testing/random-model.ts';

describe('createCpuEngine', () => {
  it('popularity bundle: scores are the counts, top-k is the count order with ties to the lower index', async () => {
    const counts = Float32Array.from([3, 9, 0, 9, 5, 1]);
    const engine = createCpuEngine(popularityBundle(counts));
    expect(engine.name).toBe('cpu');
    expect(Array.from(engine.scoreAll([2, 4]))).toEqual(Array.from(counts));
    expect(await engine.recommend([], { k: 4 })).toEqual([
      { index: 1, score: 9 },
      { index: 3, score: 9 },
      { index: 4, score: 5 },
      { index: 0, score: 3 },
    ]);
    expect((await engine.recommend([0], { k: 2, exclude: new Set([1, 4]) })).map((s) => s.index)).toEqual([
      3, 0,
    ]);
    expect(engine.encode([0])).toBeUndefined();
  });

  it('full and compositional bundles: recommend = top-k of scoreAll = θ·e(i)', async () => {
    const rng = seededRng(21);
    const s = { numItems: 513, dim: 16, heads: 2, blocks: 1, maxLen: 10 };
    for (const bundle of [randomFullBundle(rng, s), randomCompositionalBundle(rng, { ...s, M: 4, K: 32 })]) {
      const engine = createCpuEngine(bundle);
      const session = [5, 9, 400, 9];
      const scores = Float32Array.from(engine.scoreAll(session));
      const exclude = new Set(session);
      const recs = await engine.recommend(session, { k: 20, exclude });
      expect(recs).toEqual(topK(scores, 20, exclude));
      expect(recs.every((r) => !exclude.has(r.index))).toBe(true);
      // scoreAll into a caller buffer gives the same numbers.
      const out = new Float32Array(s.numItems);
      expect(engine.scoreAll(session, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(scores));
    }
  });

  it('scoreThetas (one table pass for several θ) is bit-identical to scoreTheta for each, any count and odd V', () => {
    const rng = seededRng(23);
    const s = { numItems: 207, dim: 12, heads: 3, blocks: 1, maxLen: 10 };
    for (const bundle of [randomFullBundle(rng, s), randomCompositionalBundle(rng, { ...s, M: 2, K: 8 })]) {
      const engine = createCpuEngine(bundle);
      for (const count of [1, 3, 4, 5, 9]) {
        const thetas = Float32Array.from({ length: count * s.dim }, () => rng() * 2 - 1);
        const many = engine.scoreThetas(thetas, count, new Float32Array(count * s.numItems));
        for (let b = 0; b < count; b++) {
          const one = engine.scoreTheta(
            thetas.subarray(b * s.dim, (b + 1) * s.dim),
            new Float32Array(s.numItems),
          );
          expect(Array.from(many.subarray(b * s.numItems, (b + 1) * s.numItems))).toEqual(Array.from(one));
        }
      }
      expect(() => engine.scoreThetas(new Float32Array(5), 1, new Float32Array(s.numItems))).toThrow(
        /thetas has length 5, needs 1 × 12/,
      );
    }
  });

  it('an empty session returns the popularity order for encoder bundles', async () => {
    const rng = seededRng(22);
    const bundle = randomFullBundle(rng, { numItems: 50, dim: 8, heads: 1, blocks: 1, maxLen: 5 });
    const order = bundle.tensors.get('popularity')!.data as Uint32Array;
    const engine = createCpuEngine(bundle);
    const recs = await engine.recommend([], { k: 5 });
    expect(recs.map((r) => r.index)).toEqual(Array.from(order.subarray(0, 5)));
    const excluded = await engine.recommend([], { k: 2, exclude: new Set([order[0]]) });
    expect(excluded.map((r) => r.index)).toEqual([order[1], order[2]]);
  });

  it('rejects bad k, a wrong out length, use after dispose, and a missing popularity order', async () => {
    const engine = createCpuEngine(popularityBundle(Float32Array.from([1, 2, 3])));
    await expect(engine.recommend([0], { k: 0 })).rejects.toThrow(RangeError);
    await expect(engine.recommend([0], { k: 'x' as unknown as number })).rejects.toThrow(
      /k must be a number/,
    );
    expect(() => engine.scoreAll([0], new Float32Array(2))).toThrow(
      /out has length 2, expected numItems = 3/,
    );
    engine.dispose();
    await expect(engine.recommend([0], { k: 1 })).rejects.toThrow(EngineDisposedError);
    expect(() => engine.scoreAll([0])).toThrow(EngineDisposedError);

    const bundle = popularityBundle(Float32Array.from([1, 2, 3]));
    bundle.tensors.delete('popularity');
    expect(() => createCpuEngine(bundle)).toThrow(ModelTensorError);
    expect(() => createCpuEngine(bundle)).toThrow(/tensor "popularity": missing/);
  });
});
