import { describe, expect, it } from 'vitest';
import {
  BundleSchemaError,
  BundleValueError,
  decodeBundleFromFiles,
  encodeBundle,
  POPULARITY_PRIOR_TENSOR,
  type ModelKind,
} from '../bundle/index.ts';
import { randomBundleFiles, randomBundleInput } from '../testing/random-bundle.ts';
import { createCpuEngine, type CpuScoringEngine } from './cpu/index.ts';
import { priorValues, readPopularityPrior } from './popularity-prior.ts';
import { addRepeatBoosts, readRepeatHead } from './repeat-head.ts';

/** θ·e(i) of every item for `session`: no prior, no repeat head. */
function thetaScores(engine: CpuScoringEngine, session: readonly number[]): Float32Array {
  return engine.scoreTheta(engine.encode(session)!, new Float32Array(engine.bundle.manifest.hyper.numItems));
}

describe('popularity prior', () => {
  it('values: weight · ln((1 + depth) / (1 + r)), falling to the last entry and positive', () => {
    const v = priorValues({ weight: 0.5, depth: 4 });
    expect(Array.from(v)).toEqual([0, 1, 2, 3].map((r) => Math.fround(0.5 * Math.log(5 / (1 + r)))));
    expect(v[3]).toBeGreaterThan(0);
  });

  for (const kind of ['full', 'compositional', 'tt', 'sttd'] as ModelKind[]) {
    it(`${kind}: the CPU engine adds the prior to the first depth items of the popularity order, before the repeat head`, async () => {
      const options = { numItems: 300, dim: 8, maxLen: 6, seed: 3, repeatHead: 3 };
      const plain = createCpuEngine(await decodeBundleFromFiles(await randomBundleFiles(kind, options)));
      const bundle = await decodeBundleFromFiles(
        await randomBundleFiles(kind, { ...options, popularityPrior: 40 }),
      );
      expect(bundle.manifest.formatVersion).toBe(4);
      const withPrior = createCpuEngine(bundle);
      const prior = readPopularityPrior(bundle)!;
      expect(prior.depth).toBe(40);
      const order = bundle.tensors.get('popularity')!.data;
      // The session holds a listed item (order[0]) and unlisted ones: the head must see the prior-added score.
      const session = [order[0], order[200], 17, order[0], order[250]];
      const expected = thetaScores(plain, session);
      const values = priorValues(prior);
      for (let r = 0; r < prior.depth; r++) expected[order[r]] += values[r];
      addRepeatBoosts(readRepeatHead(bundle)!, session, expected);
      const scores = withPrior.scoreAll(session);
      expect(Array.from(scores)).toEqual(Array.from(expected));
      // Items past the depth and outside the session keep θ·e(i).
      const theta = thetaScores(plain, session);
      const listed = new Set(Array.from(order.subarray(0, prior.depth)));
      for (let i = 0; i < 300; i++) {
        if (!listed.has(i) && !session.includes(i)) expect(scores[i]).toBe(theta[i]);
      }
      // The batch path the evaluation uses gives the same numbers.
      const batch = thetaScores(plain, session);
      expect(withPrior.addHeadScores(session, batch)).toBe(true);
      expect(Array.from(batch)).toEqual(Array.from(scores));
      // Empty session: the popularity order alone, no prior.
      expect(Array.from(withPrior.scoreAll([]))).toEqual(Array.from(plain.scoreAll([])));
    });
  }

  it('a prior without a repeat head changes the ranking of a session', async () => {
    const options = { numItems: 500, dim: 8, maxLen: 6, seed: 9 };
    const plain = createCpuEngine(await decodeBundleFromFiles(await randomBundleFiles('full', options)));
    const bundle = await decodeBundleFromFiles(
      await randomBundleFiles('full', { ...options, popularityPrior: 500 }),
    );
    const engine = createCpuEngine(bundle);
    expect(engine.addHeadScores([1, 2], new Float32Array(500))).toBe(true);
    const a = await plain.recommend([1, 2, 3], { k: 10 });
    const b = await engine.recommend([1, 2, 3], { k: 10 });
    expect(b.map((x) => x.index)).not.toEqual(a.map((x) => x.index));
  });

  it('the contract rejects a prior on a popularity bundle, a bad shape, an unknown prior, a depth past the order, format < 4', async () => {
    const input = randomBundleInput('full', { numItems: 50, dim: 8, popularityPrior: 10 });
    const withPrior = (data: Float32Array, shape = [2]) => ({
      ...input,
      tensors: input.tensors.map((t) => (t.name === POPULARITY_PRIOR_TENSOR ? { ...t, shape, data } : t)),
    });
    await expect(encodeBundle(withPrior(Float32Array.from([0.3, 51])))).rejects.toThrow(BundleValueError);
    await expect(encodeBundle(withPrior(Float32Array.from([0.3, 2.5])))).rejects.toThrow(
      /depth 2.5 is not an integer/,
    );
    await expect(encodeBundle(withPrior(Float32Array.from([0.3, 0])))).rejects.toThrow(BundleValueError);
    await expect(encodeBundle(withPrior(Float32Array.from([0.3, 5, 1]), [3]))).rejects.toThrow(
      /expected \[2\]/,
    );
    await expect(encodeBundle(withPrior(Float32Array.from([NaN, 5])))).rejects.toThrow(/not finite/);
    const extra = { name: 'prior.recent', dtype: 'float32' as const, shape: [2], data: new Float32Array(2) };
    await expect(encodeBundle({ ...input, tensors: [...input.tensors, extra] })).rejects.toThrow(
      /unknown prior tensor 'prior.recent'/,
    );
    const popularity = randomBundleInput('popularity', { numItems: 50 });
    const prior = input.tensors.filter((t) => t.name === POPULARITY_PRIOR_TENSOR);
    await expect(encodeBundle({ ...popularity, tensors: [...popularity.tensors, ...prior] })).rejects.toThrow(
      BundleSchemaError,
    );
    const files = await randomBundleFiles('full', { numItems: 50, dim: 8, popularityPrior: 10 });
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    manifest.formatVersion = 3;
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    await expect(decodeBundleFromFiles(files)).rejects.toThrow(/needs formatVersion ≥ 4, not 3/);
  });
});
