import { describe, expect, it } from 'vitest';
import type { ModelBundle } from '../../bundle/types.ts';
import { createCpuEngine } from './index.ts';
import { naiveHidden, naiveReadout } from './testing/naive-forward.ts';
import {
  makeBundle,
  randomCompositionalBundle,
  randomFullBundle,
  seededRng,
  type Rng,
  type TensorSpec,
} from './testing/random-model.ts';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i])));
  expect(worst).toBeLessThan(tol);
}

const randomSession = (rng: Rng, length: number, numItems: number): number[] =>
  Array.from({ length }, () => Math.floor(rng() * numItems));

/** One block, all weights zero, LN γ = 1 / β = 0, readout f = 1 / c = 0: θ is hand-computable. */
function zeroWeightBundle(itemEmbedding: number[], maxLen: number): ModelBundle {
  const N = itemEmbedding.length;
  const zeros = (shape: number[]): TensorSpec => ({
    name: '',
    dtype: 'float32',
    shape,
    data: new Float32Array(shape.reduce((a, b) => a * b, 1)),
  });
  const named = (name: string, t: TensorSpec): TensorSpec => ({ ...t, name });
  const ones = (name: string): TensorSpec => ({
    name,
    dtype: 'float32',
    shape: [N],
    data: new Float32Array(N).fill(1),
  });
  const tensors: TensorSpec[] = [
    { name: 'items', dtype: 'float32', shape: [1, N], data: Float32Array.from(itemEmbedding) },
    named('pos', zeros([maxLen, N])),
    ones('block0.attn_ln.gamma'),
    named('block0.attn_ln.beta', zeros([N])),
    ...['wq', 'wk', 'wv', 'wo'].map((w) => named(`block0.attn.${w}`, zeros([N, N]))),
    ...['bq', 'bk', 'bv', 'bo'].map((b) => named(`block0.attn.${b}`, zeros([N]))),
    ones('block0.ffn_ln.gamma'),
    named('block0.ffn_ln.beta', zeros([N])),
    named('block0.ffn.w1', zeros([N, 3])),
    named('block0.ffn.b1', zeros([3])),
    named('block0.ffn.w2', zeros([3, N])),
    named('block0.ffn.b2', zeros([N])),
    ones('final_ln.gamma'),
    named('final_ln.beta', zeros([N])),
    named('readout.w1', zeros([N, N])),
    named('readout.w2', zeros([N, N])),
    named('readout.c', zeros([N])),
    ones('readout.f'),
    { name: 'popularity', dtype: 'uint32', shape: [1], data: new Uint32Array(1) },
  ];
  return makeBundle(
    'full',
    { numItems: 1, maxLen, dim: N, heads: 1, blocks: 1, embScale: 1, layerNormEps: 1e-12 },
    tensors,
  );
}

describe('encoder (docs/model.md forward pass)', () => {
  it('hand-checkable case: one item, zero weights → θ = (N/2) · standardise(e)', () => {
    // Zero weights make attention, FFN and biases vanish; every LN then standardises (1, 2, 3, 4)
    // to (−1.5, −0.5, 0.5, 1.5)/√1.25, and α = Σ_d 1·sigmoid(0) = 4 · 0.5 = 2.
    const engine = createCpuEngine(zeroWeightBundle([1, 2, 3, 4], 5));
    const theta = engine.encode([0])!;
    expectClose(theta, [-2.6832816, -0.8944272, 0.8944272, 2.6832816], 1e-6);
    // The same item three times: x_t identical for every t, α_t = 2 each → θ = 3 · 2 · standardise(e).
    expectClose(engine.encode([0, 0, 0])!, [-8.0498447, -2.6832816, 2.6832816, 8.0498447], 1e-6);
  });

  for (const s of [
    { numItems: 37, dim: 8, heads: 1, blocks: 1, maxLen: 6, hidden: 8 },
    { numItems: 101, dim: 12, heads: 3, blocks: 2, maxLen: 10, hidden: 20, embScale: Math.sqrt(12) },
    { numItems: 250, dim: 32, heads: 2, blocks: 1, maxLen: 50, hidden: 32 },
  ]) {
    it(`every prefix's θ equals the naive one-pass forward (N = ${s.dim}, heads = ${s.heads}, blocks = ${s.blocks})`, () => {
      const rng = seededRng(s.dim * 31 + s.blocks);
      for (const bundle of [
        randomFullBundle(rng, s),
        randomCompositionalBundle(rng, { ...s, M: 3, K: 16 }),
      ]) {
        const engine = createCpuEngine(bundle);
        const session = randomSession(rng, s.maxLen, s.numItems);
        // x_t computed once for the whole session (causal) must give each prefix's θ.
        const x = naiveHidden(bundle, session);
        const all = engine.encodePrefixes(session)!;
        for (let n = 1; n <= session.length; n++) {
          const theta = engine.encode(session.slice(0, n))!;
          expectClose(theta, naiveReadout(bundle, x, n), 2e-5);
          // The one-pass prefixes do the same arithmetic per position: bit-identical.
          expect(Array.from(all.subarray((n - 1) * s.dim, n * s.dim))).toEqual(Array.from(theta));
        }
      }
    });
  }

  it('reuses its scratch without leaking state between sessions', () => {
    const rng = seededRng(11);
    const s = { numItems: 60, dim: 16, heads: 2, blocks: 2, maxLen: 12 };
    const bundle = randomFullBundle(rng, s);
    const a = randomSession(rng, 9, s.numItems);
    const b = randomSession(rng, 3, s.numItems);
    const engine = createCpuEngine(bundle);
    const first = Float32Array.from(engine.encode(a)!);
    engine.encode(randomSession(rng, 12, s.numItems));
    engine.encode(b);
    expect(Array.from(engine.encode(a)!)).toEqual(Array.from(first));
    expect(Array.from(createCpuEngine(bundle).encode(b)!)).toEqual(Array.from(engine.encode(b)!));
  });

  it('reads only the last maxLen items of a longer session', () => {
    const rng = seededRng(12);
    const s = { numItems: 40, dim: 8, heads: 2, blocks: 1, maxLen: 5 };
    const engine = createCpuEngine(randomFullBundle(rng, s));
    const long = randomSession(rng, 17, s.numItems);
    expect(Array.from(engine.encode(long)!)).toEqual(Array.from(engine.encode(long.slice(-5))!));
    const scores = engine.scoreAll(long);
    expect(Array.from(scores)).toEqual(Array.from(engine.scoreAll(long.slice(-5))));
  });

  it('is invariant to a permutation of the heads', () => {
    // Permuting the head slices of Q, K, V (columns) and of wo (rows) must not change θ.
    const rng = seededRng(13);
    const s = { numItems: 30, dim: 12, heads: 3, blocks: 1, maxLen: 8 };
    const bundle = randomFullBundle(rng, s);
    const perm = [2, 0, 1];
    const dh = s.dim / s.heads;
    const col = (c: number): number => perm[Math.floor(c / dh)] * dh + (c % dh); // new column c ← old column col(c)
    const permuted = new Map(bundle.tensors);
    const N = s.dim;
    for (const w of ['wq', 'wk', 'wv']) {
      const old = bundle.tensors.get(`block0.attn.${w}`)!.data as Float32Array;
      const data = new Float32Array(N * N);
      for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) data[r * N + c] = old[r * N + col(c)];
      permuted.set(`block0.attn.${w}`, { dtype: 'float32', shape: [N, N], data });
    }
    for (const b of ['bq', 'bk', 'bv']) {
      const old = bundle.tensors.get(`block0.attn.${b}`)!.data as Float32Array;
      permuted.set(`block0.attn.${b}`, {
        dtype: 'float32',
        shape: [N],
        data: Float32Array.from({ length: N }, (_, c) => old[col(c)]),
      });
    }
    const wo = bundle.tensors.get('block0.attn.wo')!.data as Float32Array;
    const woP = new Float32Array(N * N);
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) woP[r * N + c] = wo[col(r) * N + c];
    permuted.set('block0.attn.wo', { dtype: 'float32', shape: [N, N], data: woP });
    const other: ModelBundle = { ...bundle, tensors: permuted };
    const session = randomSession(rng, 8, s.numItems);
    expectClose(createCpuEngine(other).encode(session)!, createCpuEngine(bundle).encode(session)!, 1e-6);
    // Sanity: permuting only wo (not Q/K/V) does change θ, so the check above has teeth.
    const broken: ModelBundle = {
      ...bundle,
      tensors: new Map(bundle.tensors).set('block0.attn.wo', permuted.get('block0.attn.wo')!),
    };
    const diff = createCpuEngine(broken)
      .encode(session)!
      .some((v, d) => Math.abs(v - createCpuEngine(bundle).encode(session)![d]) > 1e-4);
    expect(diff).toBe(true);
  });

  it('rejects out-of-range session items, naming the position', () => {
    const rng = seededRng(14);
    const engine = createCpuEngine(
      randomFullBundle(rng, { numItems: 10, dim: 4, heads: 1, blocks: 1, maxLen: 5 }),
    );
    expect(() => engine.encode([1, 10])).toThrow(/session\[1\] = 10 is not an item index in \[0, 10\)/);
    expect(() => engine.encode([-1])).toThrow(RangeError);
    expect(() => engine.encode([0.5])).toThrow(RangeError);
    expect(() => engine.encodePrefixes([1, 2, 3, 4, 5, 6])).toThrow(
      /session length 6 is not in \[1, maxLen = 5\]/,
    );
  });

  it('rejects heads that do not divide dim and a missing encoder tensor', () => {
    const rng = seededRng(15);
    const bundle = randomFullBundle(rng, { numItems: 10, dim: 6, heads: 2, blocks: 1, maxLen: 5 });
    bundle.manifest.hyper.heads = 4;
    expect(() => createCpuEngine(bundle)).toThrow(/"heads": 4 does not divide dim 6/);
    bundle.manifest.hyper.heads = 2;
    bundle.tensors.delete('block0.ffn.b2');
    expect(() => createCpuEngine(bundle)).toThrow(/tensor "block0.ffn.b2": missing/);
  });
});
