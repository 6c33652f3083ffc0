import { describe, expect, it } from 'vitest';
import {
  BundleSchemaError,
  BundleShapeError,
  decodeBundleFromFiles,
  encodeBundle,
  REPEAT_RECENCY_TENSOR,
  type ModelKind,
} from '../bundle/index.ts';
import { randomBundleFiles, randomBundleInput } from '../testing/random-bundle.ts';
import { createCpuEngine } from './cpu/index.ts';
import { readRepeatHead, repeatBoosts, repeatFeatures, type RepeatHead } from './repeat-head.ts';

/** The head's formula written out per item, the slow way (docs/model.md "Repeat head"). */
function naiveBoost(head: RepeatHead, session: readonly number[], item: number): number {
  const last = session.lastIndexOf(item);
  const after = new Set(session.slice(last + 1)).size;
  const count = session.filter((x) => x === item).length;
  const share = 1 - new Set(session).size / session.length;
  const R = head.recency.length;
  return (
    head.recency[Math.min(after, R - 1)] + head.countWeight * Math.log(count) + head.repeatShareWeight * share
  );
}

describe('repeat head', () => {
  it('features: distinct items most recent first, their counts, the repeat share', () => {
    expect(repeatFeatures([4, 7, 4, 9, 7, 7])).toEqual({
      items: [7, 9, 4],
      counts: [3, 1, 2],
      repeatShare: 0.5,
    });
    expect(repeatFeatures([])).toEqual({ items: [], counts: [], repeatShare: 0 });
  });

  it('boosts follow the formula, with recency ranks past R sharing the last bias', () => {
    const head: RepeatHead = {
      recency: Float32Array.from([2, 1, 0.5]),
      countWeight: 0.7,
      repeatShareWeight: -0.3,
      scoreWeight: -0.25,
    };
    const session = [1, 2, 3, 4, 2, 5, 5, 1, 6];
    const b = repeatBoosts(head, session);
    expect(Array.from(b.indices)).toEqual([6, 1, 5, 2, 4, 3]);
    for (let j = 0; j < b.count; j++) {
      expect(b.boosts[j]).toBeCloseTo(naiveBoost(head, session, b.indices[j]), 6);
    }
    // Items 5, 2, 4, 3 are ≥ 2 distinct items back: all at recency[2] (plus their own count term).
    expect(b.boosts[4]).toBeCloseTo(0.5 - 0.3 * (1 - 6 / 9), 6);
  });

  for (const kind of ['full', 'compositional', 'tt', 'sttd'] as ModelKind[]) {
    it(`${kind}: the CPU engine adds exactly the boosts to the window's items and nothing else`, async () => {
      const options = { numItems: 300, dim: 8, maxLen: 6, seed: 3 };
      const plain = createCpuEngine(await decodeBundleFromFiles(await randomBundleFiles(kind, options)));
      const bundle = await decodeBundleFromFiles(
        await randomBundleFiles(kind, { ...options, repeatHead: 4 }),
      );
      expect(bundle.manifest.formatVersion).toBe(3);
      const headed = createCpuEngine(bundle);
      const head = readRepeatHead(bundle)!;
      // 2 and 11 fall out of the 6-click window; 7 is clicked twice inside it.
      const session = [2, 11, 7, 40, 7, 299, 40, 5];
      const window = session.slice(-6);
      const base = plain.scoreAll(session).slice();
      const scores = headed.scoreAll(session);
      const { indices, boosts } = repeatBoosts(head, window);
      const boosted = new Map(Array.from(indices, (item, j) => [item, boosts[j]]));
      expect([...boosted.keys()].sort((a, b) => a - b)).toEqual([5, 7, 40, 299]);
      expect(head.scoreWeight).not.toBe(0);
      for (let i = 0; i < 300; i++) {
        const boost = boosted.get(i);
        // score + (scoreWeight · score + boost) for the window's items, in float32 steps; others untouched.
        const expected =
          boost === undefined
            ? base[i]
            : Math.fround(
                base[i] + Math.fround(Math.fround(Math.fround(head.scoreWeight) * base[i]) + boost),
              );
        expect(scores[i]).toBe(expected);
      }
      // The batch path the evaluation uses gives the same numbers.
      const batch = plain.scoreAll(session).slice();
      expect(headed.addHeadScores(session, batch)).toBe(true);
      expect(Array.from(batch)).toEqual(Array.from(scores));
      expect(plain.addHeadScores(session, batch)).toBe(false);
      // Empty session: the popularity order, no head.
      expect(Array.from(headed.scoreAll([]))).toEqual(Array.from(plain.scoreAll([])));
    });
  }

  it('bundles without a head stay format version 1', async () => {
    const bundle = await decodeBundleFromFiles(await randomBundleFiles('full', { numItems: 50, dim: 8 }));
    expect(bundle.manifest.formatVersion).toBe(1);
    expect(readRepeatHead(bundle)).toBeUndefined();
  });

  it('the contract rejects a head on a popularity bundle, half a head, unknown and empty head tensors', async () => {
    const input = randomBundleInput('full', { numItems: 50, dim: 8, repeatHead: 3 });
    const without = (name: string) => ({ ...input, tensors: input.tensors.filter((t) => t.name !== name) });
    await expect(encodeBundle(without('repeat.weights'))).rejects.toThrow(/needs tensor 'repeat.weights'/);
    await expect(encodeBundle(without('repeat.recency'))).rejects.toThrow(BundleSchemaError);
    const extra = { name: 'repeat.gate', dtype: 'float32' as const, shape: [8], data: new Float32Array(8) };
    await expect(encodeBundle({ ...input, tensors: [...input.tensors, extra] })).rejects.toThrow(
      /unknown repeat-head tensor 'repeat.gate'/,
    );
    const empty = input.tensors.map((t) =>
      t.name === REPEAT_RECENCY_TENSOR ? { ...t, shape: [0], data: new Float32Array(0) } : t,
    );
    await expect(encodeBundle({ ...input, tensors: empty })).rejects.toThrow(BundleShapeError);
    const popularity = randomBundleInput('popularity', { numItems: 50 });
    const head = input.tensors.filter((t) => t.name.startsWith('repeat.'));
    await expect(encodeBundle({ ...popularity, tensors: [...popularity.tensors, ...head] })).rejects.toThrow(
      /'popularity' bundle has no session encoder/,
    );
  });

  it('a manifest that claims format version 2 but has a head is rejected', async () => {
    const files = await randomBundleFiles('full', { numItems: 50, dim: 8, repeatHead: 3 });
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    manifest.formatVersion = 2;
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
    await expect(decodeBundleFromFiles(files)).rejects.toThrow(/needs formatVersion ≥ 3, not 2/);
  });
});
