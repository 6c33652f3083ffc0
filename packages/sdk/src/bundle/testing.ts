// Test helper: a valid encodeBundle input of any kind with small random weights, so that codec and
// engine tests can build bundles without a trainer. Deterministic for a seed.
import type { EncodeBundleInput, TensorInput } from './encode.ts';
import type { DType, ModelHyper, ModelKind } from './types.ts';

export interface TestBundleOptions {
  numItems?: number;
  dim?: number;
  heads?: number;
  blocks?: number;
  maxLen?: number;
  /** compositional */
  M?: number;
  K?: number;
  /** Float dtype of every weight. */
  floatType?: 'float32' | 'float16';
  seed?: number;
}

/** Uniform values in [-scale, scale) from a hash of (seed, i): reproducible, no generator state. */
export function hashedUniform(length: number, seed: number, scale = 0.1): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const x = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    out[i] = (x - Math.floor(x) - 0.5) * 2 * scale;
  }
  return out;
}

export function testBundleInput(kind: ModelKind, opts: TestBundleOptions = {}): EncodeBundleInput {
  const V = opts.numItems ?? 30;
  const N = opts.dim ?? 8;
  const maxLen = opts.maxLen ?? 5;
  const blocks = opts.blocks ?? 1;
  const floatType: DType = opts.floatType ?? 'float32';
  let seed = opts.seed ?? 1;
  const tensors: TensorInput[] = [];
  const float = (name: string, shape: number[]): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, dtype: floatType, shape, data: hashedUniform(n, seed++) });
  };

  // Popularity: a permutation of the items, most popular first.
  const counts = hashedUniform(V, seed++, 50).map((x) => Math.round(x + 50));
  const order = Uint32Array.from({ length: V }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  tensors.push({ name: 'popularity', dtype: 'uint32', shape: [V], data: order });

  const hyper: ModelHyper = { numItems: V, maxLen };
  if (kind === 'popularity') {
    tensors.push({ name: 'counts', dtype: 'float32', shape: [V], data: counts });
    return { kind, hyper, tensors };
  }
  Object.assign(hyper, { dim: N, heads: opts.heads ?? 2, blocks, embScale: 1, layerNormEps: 1e-6 });
  if (kind === 'full') float('items', [V, N]);
  if (kind === 'compositional') {
    const M = opts.M ?? 3;
    const K = opts.K ?? 4;
    Object.assign(hyper, { M, K });
    const codes = hashedUniform(V * M, seed++, 0.5).map((x) => Math.floor((x + 0.5) * K));
    const Codes = K <= 256 ? Uint8Array : Uint16Array;
    tensors.push({
      name: 'codes',
      dtype: K <= 256 ? 'uint8' : 'uint16',
      shape: [V, M],
      data: Codes.from(codes),
    });
    float('codebooks', [M, K, N]);
  }
  if (kind === 'tt') {
    // Two cores: p covers V, q multiplies to N.
    const p = [Math.ceil(Math.sqrt(V)), Math.ceil(Math.sqrt(V))];
    const q = [2, N / 2];
    Object.assign(hyper, { ttP: p, ttQ: q, ttRanks: [3] });
    float('tt.core0', [1, p[0], q[0], 3]);
    float('tt.core1', [3, p[1], q[1], 1]);
  }
  if (kind === 'sttd') {
    // docs/model.md "Semi-tensor train": I1·I2 ≥ V, J1·J2 = N, t = 2 divides R = 2 and J2 = N/2.
    const I = [Math.ceil(V / 5), 5];
    const J = [2, N / 2];
    Object.assign(hyper, { sttdI: I, sttdJ: J, sttdRank: 2, sttdT: 2 });
    float('sttd.g1', [I[0] * J[0], 2]);
    float('sttd.g2', [1, (I[1] * J[1]) / 2]);
  }
  float('pos', [maxLen, N]);
  for (let b = 0; b < blocks; b++) {
    const p = `block${b}.`;
    float(`${p}attn_ln.gamma`, [N]);
    float(`${p}attn_ln.beta`, [N]);
    for (const m of ['q', 'k', 'v', 'o']) {
      float(`${p}attn.w${m}`, [N, N]);
      float(`${p}attn.b${m}`, [N]);
    }
    float(`${p}ffn_ln.gamma`, [N]);
    float(`${p}ffn_ln.beta`, [N]);
    float(`${p}ffn.w1`, [N, N]);
    float(`${p}ffn.b1`, [N]);
    float(`${p}ffn.w2`, [N, N]);
    float(`${p}ffn.b2`, [N]);
  }
  float('final_ln.gamma', [N]);
  float('final_ln.beta', [N]);
  float('readout.w1', [N, N]);
  float('readout.w2', [N, N]);
  float('readout.c', [N]);
  float('readout.f', [N]);
  return { kind, hyper, tensors };
}
