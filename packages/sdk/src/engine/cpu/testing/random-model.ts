// Test fixtures: ModelBundle objects built directly in memory (no codec), with seeded random weights,
// so that engine tests depend only on bundle/types.ts.
import { seededRandom } from '../../../random.ts';
import type {
  DType,
  Manifest,
  ModelBundle,
  ModelHyper,
  ModelKind,
  TypedArray,
} from '../../../bundle/types.ts';

export type Rng = () => number;

/** The project's seeded PRNG (mulberry32), under the name these fixtures use. */
export const seededRng: (seed: number) => Rng = seededRandom;

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

export function uniform(rng: Rng, shape: number[], scale = 1): TensorSpec['data'] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng() * 2 - 1) * scale;
  return out;
}

/** A ModelBundle with a `range` vocabulary (external id = String(index + 1)). */
export function makeBundle(kind: ModelKind, hyper: ModelHyper, tensors: TensorSpec[]): ModelBundle {
  const manifest: Manifest = {
    format: 'session-rec-bundle',
    formatVersion: 1,
    kind,
    version: 'test',
    createdAt: '1970-01-01T00:00:00.000Z',
    hyper,
    vocabulary: { type: 'range', first: 1, count: hyper.numItems },
    tensors: [],
    files: [],
  };
  return {
    manifest,
    tensors: new Map(tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data: t.data }])),
    itemIds: (i) => String(i + 1),
    itemIndex: (id) => {
      const i = Number(id) - 1;
      return Number.isInteger(i) && i >= 0 && i < hyper.numItems ? i : -1;
    },
  };
}

export interface EncoderShape {
  numItems: number;
  dim: number;
  heads: number;
  blocks: number;
  maxLen: number;
  hidden?: number;
  embScale?: number;
}

/** Random encoder tensors (docs/model.md names) + a popularity order, scaled so activations stay O(1). */
export function randomEncoderTensors(rng: Rng, s: EncoderShape): TensorSpec[] {
  const N = s.dim;
  const F = s.hidden ?? N;
  const w = 1 / Math.sqrt(N);
  const f32 = (name: string, shape: number[], scale: number): TensorSpec => ({
    name,
    dtype: 'float32',
    shape,
    data: uniform(rng, shape, scale),
  });
  const around1 = (name: string): TensorSpec => {
    const data = uniform(rng, [N], 0.2);
    for (let i = 0; i < N; i++) data[i] += 1;
    return { name, dtype: 'float32', shape: [N], data };
  };
  const out: TensorSpec[] = [f32('pos', [s.maxLen, N], 0.5)];
  for (let b = 0; b < s.blocks; b++) {
    const p = `block${b}.`;
    out.push(
      around1(`${p}attn_ln.gamma`),
      f32(`${p}attn_ln.beta`, [N], 0.1),
      f32(`${p}attn.wq`, [N, N], w),
      f32(`${p}attn.bq`, [N], 0.1),
      f32(`${p}attn.wk`, [N, N], w),
      f32(`${p}attn.bk`, [N], 0.1),
      f32(`${p}attn.wv`, [N, N], w),
      f32(`${p}attn.bv`, [N], 0.1),
      f32(`${p}attn.wo`, [N, N], w),
      f32(`${p}attn.bo`, [N], 0.1),
      around1(`${p}ffn_ln.gamma`),
      f32(`${p}ffn_ln.beta`, [N], 0.1),
      f32(`${p}ffn.w1`, [N, F], w),
      f32(`${p}ffn.b1`, [F], 0.1),
      f32(`${p}ffn.w2`, [F, N], 1 / Math.sqrt(F)),
      f32(`${p}ffn.b2`, [N], 0.1),
    );
  }
  out.push(
    around1('final_ln.gamma'),
    f32('final_ln.beta', [N], 0.1),
    f32('readout.w1', [N, N], w),
    f32('readout.w2', [N, N], w),
    f32('readout.c', [N], 0.1),
    f32('readout.f', [N], w),
  );
  out.push(popularityOrder(rng, s.numItems));
  return out;
}

/** A `popularity` order tensor: a random permutation of all items. */
export function popularityOrder(rng: Rng, numItems: number): TensorSpec {
  const order = new Uint32Array(numItems);
  for (let i = 0; i < numItems; i++) order[i] = i;
  for (let i = numItems - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return { name: 'popularity', dtype: 'uint32', shape: [numItems], data: order };
}

function hyperOf(s: EncoderShape, extra: Partial<ModelHyper> = {}): ModelHyper {
  return {
    numItems: s.numItems,
    maxLen: s.maxLen,
    dim: s.dim,
    heads: s.heads,
    blocks: s.blocks,
    embScale: s.embScale ?? 1,
    layerNormEps: 1e-6,
    ...extra,
  };
}

/** A random `full` bundle. */
export function randomFullBundle(rng: Rng, s: EncoderShape): ModelBundle {
  const items: TensorSpec = {
    name: 'items',
    dtype: 'float32',
    shape: [s.numItems, s.dim],
    data: uniform(rng, [s.numItems, s.dim], 0.5),
  };
  return makeBundle('full', hyperOf(s), [items, ...randomEncoderTensors(rng, s)]);
}

/** A random `compositional` bundle with M codebooks of K codewords. */
export function randomCompositionalBundle(rng: Rng, s: EncoderShape & { M: number; K: number }): ModelBundle {
  const codes = s.K <= 256 ? new Uint8Array(s.numItems * s.M) : new Uint16Array(s.numItems * s.M);
  for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(rng() * s.K);
  const tensors: TensorSpec[] = [
    { name: 'codes', dtype: s.K <= 256 ? 'uint8' : 'uint16', shape: [s.numItems, s.M], data: codes },
    {
      name: 'codebooks',
      dtype: 'float32',
      shape: [s.M, s.K, s.dim],
      data: uniform(rng, [s.M, s.K, s.dim], 0.5),
    },
    ...randomEncoderTensors(rng, s),
  ];
  return makeBundle('compositional', hyperOf(s, { M: s.M, K: s.K }), tensors);
}

/** A `popularity` bundle from given counts (order: count descending, ties → lower index). */
export function popularityBundle(counts: Float32Array, maxLen = 50): ModelBundle {
  const order = Uint32Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  return makeBundle('popularity', { numItems: counts.length, maxLen }, [
    { name: 'counts', dtype: 'float32', shape: [counts.length], data: counts },
    { name: 'popularity', dtype: 'uint32', shape: [counts.length], data: order },
  ]);
}
