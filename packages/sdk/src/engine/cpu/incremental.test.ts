// Incremental encoding (encoder.ts): a reused encoder/engine must give exactly what a fresh one gives for
// every session, however the sessions follow each other — growing one click at a time, crossing maxLen,
// reset, interleaved with another session, restored on a fresh engine — and must actually save work.
import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles, type ModelKind } from '../../bundle/index.ts';
import type { ModelBundle } from '../../bundle/types.ts';
import { randomBundleFiles } from '../../testing/random-bundle.ts';
import { createCpuEngine, createEncoder, createItemTable } from './index.ts';
import { naiveHidden, naiveReadout } from './testing/naive-forward.ts';
import { randomCompositionalBundle, seededRng, type Rng } from './testing/random-model.ts';

const V = 97;
const maxLen = 6;

async function bundleOf(kind: ModelKind, seed: number): Promise<ModelBundle> {
  return decodeBundleFromFiles(
    await randomBundleFiles(kind, {
      numItems: V,
      dim: 16,
      heads: 2,
      blocks: 2,
      maxLen,
      seed,
      repeatHead: 4,
      popularityPrior: 20,
    }),
  );
}

const bits = (a: Float32Array): number[] => Array.from(a);

/** θ from an encoder that has never seen anything: the full recompute. */
function freshTheta(bundle: ModelBundle, session: number[]): number[] {
  return bits(createEncoder(bundle, createItemTable(bundle)).encode(session));
}

const randomItem = (rng: Rng): number => Math.floor(rng() * V);

describe('incremental encoding', () => {
  for (const kind of ['full', 'compositional', 'tt', 'sttd'] as const) {
    it(`${kind}: a session growing one click at a time past maxLen is bit-identical to the full recompute, one position per click until the window slides`, async () => {
      const bundle = await bundleOf(kind, 3);
      const encoder = createEncoder(bundle, createItemTable(bundle));
      const rng = seededRng(41);
      const session: number[] = [];
      for (let len = 1; len <= 2 * maxLen + 3; len++) {
        // Repeats included: a click on an item already in the window is still a new position.
        session.push(len % 4 === 0 ? session[0] : randomItem(rng));
        const before = encoder.positionsComputed;
        const theta = bits(encoder.encode(session));
        expect(theta).toEqual(freshTheta(bundle, session));
        // Below maxLen one new position; once the window slides every position moved: all recomputed.
        expect(encoder.positionsComputed - before).toBe(len <= maxLen ? 1 : maxLen);
        expect(encoder.window()).toEqual(session.slice(-maxLen));
      }
    });
  }

  it('the same session again runs no position; reset, a different session and a shared start are handled', async () => {
    const bundle = await bundleOf('compositional', 4);
    const encoder = createEncoder(bundle, createItemTable(bundle));
    const a = [5, 9, 40, 9];
    const b = [70, 1, 2];
    encoder.encode(a);
    let before = encoder.positionsComputed;
    expect(bits(encoder.encode(a))).toEqual(freshTheta(bundle, a));
    expect(encoder.positionsComputed - before).toBe(0);

    // A different session in between: recomputed, and a then b + 1 click are still exact.
    before = encoder.positionsComputed;
    expect(bits(encoder.encode(b))).toEqual(freshTheta(bundle, b));
    expect(encoder.positionsComputed - before).toBe(b.length);
    expect(bits(encoder.encode(a))).toEqual(freshTheta(bundle, a));
    expect(bits(encoder.encode([...a, 3]))).toEqual(freshTheta(bundle, [...a, 3]));

    // Last click replaced (same start): only that position.
    before = encoder.positionsComputed;
    expect(bits(encoder.encode([...a, 4]))).toEqual(freshTheta(bundle, [...a, 4]));
    expect(encoder.positionsComputed - before).toBe(1);
    // A shorter session with the same start: nothing to compute, and the cache now holds it.
    before = encoder.positionsComputed;
    expect(bits(encoder.encode(a.slice(0, 2)))).toEqual(freshTheta(bundle, a.slice(0, 2)));
    expect(encoder.positionsComputed - before).toBe(0);
    expect(encoder.window()).toEqual(a.slice(0, 2));

    encoder.reset();
    expect(encoder.window()).toEqual([]);
    before = encoder.positionsComputed;
    expect(bits(encoder.encode(a))).toEqual(freshTheta(bundle, a));
    expect(encoder.positionsComputed - before).toBe(a.length);
  });

  it('extend(item) = encode(window + item), sliding once the window is full; a bad item changes nothing', async () => {
    const bundle = await bundleOf('full', 5);
    const encoder = createEncoder(bundle, createItemTable(bundle));
    const rng = seededRng(42);
    const session: number[] = [];
    for (let len = 1; len <= maxLen + 4; len++) {
      const item = randomItem(rng);
      session.push(item);
      expect(bits(encoder.extend(item))).toEqual(freshTheta(bundle, session));
      expect(encoder.window()).toEqual(session.slice(-maxLen));
    }
    const window = encoder.window();
    expect(() => encoder.extend(V)).toThrow(/item 97 is not an item index in \[0, 97\)/);
    expect(() => encoder.extend(1.5)).toThrow(RangeError);
    // A bad new click through encode() names its position and leaves the cache as it was.
    expect(() => encoder.encode([...window.slice(1), -1])).toThrow(/session\[5\] = -1/);
    expect(encoder.window()).toEqual(window);
    const before = encoder.positionsComputed;
    expect(bits(encoder.encode(window))).toEqual(freshTheta(bundle, window));
    expect(encoder.positionsComputed - before).toBe(0);
  });

  it('encodePrefixes after encode (and encode after it) reuse the shared start and stay exact', async () => {
    const bundle = await bundleOf('tt', 6);
    const encoder = createEncoder(bundle, createItemTable(bundle));
    const session = [3, 14, 15, 92, 65];
    encoder.encode(session.slice(0, 3));
    const before = encoder.positionsComputed;
    const all = encoder.encodePrefixes(session, new Float32Array(session.length * 16));
    expect(encoder.positionsComputed - before).toBe(2);
    for (let n = 1; n <= session.length; n++)
      expect(Array.from(all.subarray((n - 1) * 16, n * 16))).toEqual(freshTheta(bundle, session.slice(0, n)));
    expect(bits(encoder.encode([...session, 35]))).toEqual(freshTheta(bundle, [...session, 35]));
  });

  it('matches the naive forward pass of docs/model.md at every length of a growing session', () => {
    const rng = seededRng(43);
    const s = { numItems: 120, dim: 12, heads: 3, blocks: 2, maxLen: 8, hidden: 20 };
    const bundle = randomCompositionalBundle(rng, { ...s, M: 3, K: 16 });
    const encoder = createEncoder(bundle, createItemTable(bundle));
    const session = Array.from({ length: s.maxLen }, () => Math.floor(rng() * s.numItems));
    const x = naiveHidden(bundle, session);
    for (let n = 1; n <= s.maxLen; n++) {
      const theta = encoder.encode(session.slice(0, n));
      const expected = naiveReadout(bundle, x, n);
      for (let d = 0; d < s.dim; d++)
        expect(Math.abs(theta[d] - expected[d]) / (1 + Math.abs(expected[d]))).toBeLessThan(2e-5);
    }
  });

  it('engine: replaying clicks through recommend/scoreAll (prior + repeat head) equals a fresh engine per call, sessions interleaved and restored', async () => {
    for (const kind of ['compositional', 'full'] as const) {
      const bundle = await bundleOf(kind, 7);
      const engine = createCpuEngine(bundle);
      const rng = seededRng(44);
      const a: number[] = [];
      const b: number[] = [];
      for (let step = 0; step < 2 * maxLen + 2; step++) {
        // Two shoppers' sessions on one engine, clicks interleaved (b every third step).
        const session = step % 3 === 2 ? b : a;
        session.push(rng() < 0.3 && session.length > 0 ? session[0] : randomItem(rng));
        const exclude = new Set(session);
        const fresh = createCpuEngine(bundle);
        expect(await engine.recommend(session, { k: 10, exclude })).toEqual(
          await fresh.recommend(session, { k: 10, exclude }),
        );
        expect(bits(engine.scoreAll(session))).toEqual(bits(fresh.scoreAll(session)));
      }
      // "Restored": the same content on a fresh engine (a reload) gives the same θ as the long-lived one.
      expect(bits(createCpuEngine(bundle).encode(a)!)).toEqual(bits(engine.encode(a)!));
    }
  });
});
