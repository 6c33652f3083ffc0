// Random-weight model bundles of every kind, for tests and benchmarks (no training needed).
// Tensor names and shapes follow docs/model.md; the files come from the real codec (`encodeBundle`),
// so a test that loads them exercises exactly what a shop would download.
import { encodeBundle } from '../bundle/index.ts';
import {
  POPULARITY_PRIOR_TENSOR,
  REPEAT_RECENCY_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
  type DType,
  type ModelHyper,
  type ModelKind,
  type TypedArray,
} from '../bundle/types.ts';
import { seededRng } from '../engine/cpu/testing/random-model.ts';
import { popularityPriorData } from '../engine/popularity-prior.ts';

/** A seeded PRNG uniform in [0, 1) (mulberry32), the one random-bundle uses. */
export const seededRandom = seededRng;

export interface RandomBundleOptions {
  numItems: number;
  /** Embedding dimension N (encoder kinds). Default 16. */
  dim?: number;
  heads?: number;
  blocks?: number;
  maxLen?: number;
  /** compositional: M codebooks of K codewords. Defaults 4 × 16. */
  M?: number;
  K?: number;
  /** tt: factors and inner ranks; defaults: 3 cores, p = ⌈V^(1/3)⌉, q splits N, ranks [4, 4]. */
  ttP?: number[];
  ttQ?: number[];
  ttRanks?: number[];
  /** sttd: defaults I1 = ⌈√V⌉, I2 = ⌈V / I1⌉, J splits N, t = 2 when J2 is even, R = 4t. */
  sttdI?: [number, number];
  sttdJ?: [number, number];
  sttdRank?: number;
  sttdT?: number;
  /** Item ids: `range` → "1".."V" (the datasets' form); `list` → shop-like SKUs "sku-000001"… (vocab.txt). */
  vocabulary?: 'range' | 'list';
  /** Stored dtype of the float weights. Default float32. */
  floatDType?: 'float32' | 'float16';
  /** Weights are uniform in [-scale, scale]. Default 0.5 (large enough for well-separated scores). */
  scale?: number;
  seed?: number;
  /** Adds a random session-repeat head (engine/repeat-head.ts) with `repeatHead` recency biases. Encoder kinds only. */
  repeatHead?: number;
  /** Adds a popularity prior (engine/popularity-prior.ts) over the first `popularityPrior` items of the popularity order, with a random weight. Encoder kinds only. */
  popularityPrior?: number;
  /** Extra info recorded in the manifest (e.g. a test marker). */
  info?: Record<string, unknown>;
}

export interface EncodeTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: TypedArray;
}

/** Shop-like external ids used by `vocabulary: 'list'`. */
export function skuOf(index: number): string {
  return `sku-${String(index + 1).padStart(6, '0')}`;
}

/** The tensors and hyper-parameters of a random bundle, before encoding (useful to compare against). */
export function randomBundleInput(kind: ModelKind, options: RandomBundleOptions) {
  const V = options.numItems;
  if (!Number.isInteger(V) || V < 1) throw new RangeError(`numItems must be a positive integer, got ${V}`);
  const N = options.dim ?? 16;
  const maxLen = options.maxLen ?? 50;
  const scale = options.scale ?? 0.5;
  const floatDType = options.floatDType ?? 'float32';
  const rand = seededRng(options.seed ?? 1);
  const uniform = (size: number, s = scale) => {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = (rand() * 2 - 1) * s;
    return a;
  };
  const tensors: EncodeTensor[] = [];
  const float = (name: string, shape: number[], data?: Float32Array) =>
    tensors.push({ name, dtype: floatDType, shape, data: data ?? uniform(shape.reduce((x, y) => x * y, 1)) });

  // Popularity: random counts, and the order they imply (most frequent first, ties → lower index).
  const counts = new Float32Array(V);
  for (let i = 0; i < V; i++) counts[i] = Math.floor(rand() * 1000);
  const order = Uint32Array.from({ length: V }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const hyper: ModelHyper = { numItems: V, maxLen };

  if (kind === 'popularity') {
    tensors.push({ name: 'counts', dtype: 'float32', shape: [V], data: counts });
  } else {
    const heads = options.heads ?? 1;
    const blocks = options.blocks ?? 1;
    if (N % heads !== 0) throw new RangeError(`dim ${N} is not a multiple of heads ${heads}`);
    Object.assign(hyper, { dim: N, heads, blocks, embScale: 1, layerNormEps: 1e-6 });
    addItemTable(kind, options, hyper, tensors, float, rand, uniform);
    float('pos', [maxLen, N]);
    const layerNorm = (prefix: string) => {
      float(
        `${prefix}.gamma`,
        [N],
        Float32Array.from(uniform(N, 0.1), (x) => 1 + x),
      );
      float(`${prefix}.beta`, [N], uniform(N, 0.1));
    };
    // Matrices scaled by 1/sqrt(N) so that activations stay O(1) whatever N is.
    const matrixScale = scale / Math.sqrt(N);
    for (let b = 0; b < blocks; b++) {
      const p = `block${b}`;
      layerNorm(`${p}.attn_ln`);
      for (const w of ['q', 'k', 'v', 'o']) {
        float(`${p}.attn.w${w}`, [N, N], uniform(N * N, matrixScale));
        float(`${p}.attn.b${w}`, [N], uniform(N, 0.1));
      }
      layerNorm(`${p}.ffn_ln`);
      float(`${p}.ffn.w1`, [N, N], uniform(N * N, matrixScale));
      float(`${p}.ffn.b1`, [N], uniform(N, 0.1));
      float(`${p}.ffn.w2`, [N, N], uniform(N * N, matrixScale));
      float(`${p}.ffn.b2`, [N], uniform(N, 0.1));
    }
    layerNorm('final_ln');
    float('readout.w1', [N, N], uniform(N * N, matrixScale));
    float('readout.w2', [N, N], uniform(N * N, matrixScale));
    float('readout.c', [N]);
    float('readout.f', [N]);
  }
  tensors.push({ name: 'popularity', dtype: 'uint32', shape: [V], data: order });
  if (options.repeatHead !== undefined) {
    if (kind === 'popularity') throw new RangeError('a popularity bundle cannot have a repeat head');
    const R = options.repeatHead;
    // Biases in [0, 3], falling with recency on average, large enough to reorder a random model's top-k.
    const recency = Float32Array.from({ length: R }, (_, r) => 3 * rand() * (1 - r / (R + 1)));
    const weights = Float32Array.from([rand(), rand() * 2 - 1, -0.5 * rand()]);
    tensors.push(
      { name: REPEAT_RECENCY_TENSOR, dtype: 'float32', shape: [R], data: recency },
      { name: REPEAT_WEIGHTS_TENSOR, dtype: 'float32', shape: [3], data: weights },
    );
  }
  if (options.popularityPrior !== undefined) {
    if (kind === 'popularity') throw new RangeError('a popularity bundle cannot have a popularity prior');
    // A weight in [0.1, 0.3]: raises the listed items by up to 0.3 · ln(1 + depth) — enough to reorder a
    // top-k, not so much that the prior alone decides it.
    const prior = { weight: 0.1 + 0.2 * rand(), depth: options.popularityPrior };
    tensors.push({
      name: POPULARITY_PRIOR_TENSOR,
      dtype: 'float32',
      shape: [2],
      data: popularityPriorData(prior),
    });
  }

  const vocabulary =
    options.vocabulary === 'list'
      ? Array.from({ length: V }, (_, i) => skuOf(i))
      : { type: 'range' as const, first: 1, count: V };
  return { kind, hyper, vocabulary, tensors, info: { generator: 'random-bundle', ...options.info } };
}

function addItemTable(
  kind: ModelKind,
  options: RandomBundleOptions,
  hyper: ModelHyper,
  tensors: EncodeTensor[],
  float: (name: string, shape: number[], data?: Float32Array) => void,
  rand: () => number,
  uniform: (size: number, s?: number) => Float32Array,
): void {
  const V = hyper.numItems;
  const N = hyper.dim!;
  switch (kind) {
    case 'full':
      float('items', [V, N]);
      return;
    case 'compositional': {
      const M = options.M ?? 4;
      const K = options.K ?? 16;
      const codes = K <= 256 ? new Uint8Array(V * M) : new Uint16Array(V * M);
      for (let i = 0; i < codes.length; i++) codes[i] = Math.floor(rand() * K);
      Object.assign(hyper, { M, K });
      tensors.push({ name: 'codes', dtype: K <= 256 ? 'uint8' : 'uint16', shape: [V, M], data: codes });
      // Sum of M codewords: scale each by 1/sqrt(M) so that e(i) has the same spread for any M.
      float('codebooks', [M, K, N], uniform(M * K * N, (options.scale ?? 0.5) / Math.sqrt(M)));
      return;
    }
    case 'tt': {
      const d = options.ttP?.length ?? 3;
      const p = options.ttP ?? Array.from({ length: d }, () => Math.ceil(Math.cbrt(V) - 1e-9));
      const q = options.ttQ ?? splitDim(N, d);
      const ranks = options.ttRanks ?? Array.from({ length: d - 1 }, () => 4);
      if (p.reduce((x, y) => x * y, 1) < V) throw new RangeError(`ttP ${p} covers fewer than ${V} items`);
      if (q.reduce((x, y) => x * y, 1) !== N) throw new RangeError(`ttQ ${q} does not multiply to dim ${N}`);
      Object.assign(hyper, { ttP: p, ttQ: q, ttRanks: ranks });
      const R = [1, ...ranks, 1];
      for (let k = 0; k < d; k++) {
        const size = R[k] * p[k] * q[k] * R[k + 1];
        // Scaled so that the chain product's entries have a spread independent of the ranks.
        float(
          `tt.core${k}`,
          [R[k], p[k], q[k], R[k + 1]],
          uniform(size, Math.pow(0.9, 1 / d) / Math.sqrt(R[k])),
        );
      }
      return;
    }
    case 'sttd': {
      // docs/model.md "Semi-tensor train": I1·I2 ≥ V, J1·J2 = N, t divides R and J2.
      const I1 = options.sttdI?.[0] ?? Math.ceil(Math.sqrt(V));
      const I2 = options.sttdI?.[1] ?? Math.ceil(V / I1);
      const [J1, J2] = options.sttdJ ?? splitDim(N, 2).reverse();
      const t = options.sttdT ?? (J2 % 2 === 0 ? 2 : 1);
      const R = options.sttdRank ?? 4 * t;
      if (I1 * I2 < V) throw new RangeError(`sttdI ${I1}×${I2} covers fewer than ${V} items`);
      if (J1 * J2 !== N) throw new RangeError(`sttdJ ${J1}×${J2} does not multiply to dim ${N}`);
      if (R % t !== 0 || J2 % t !== 0) throw new RangeError(`sttdT ${t} must divide rank ${R} and J2 ${J2}`);
      Object.assign(hyper, { sttdI: [I1, I2], sttdJ: [J1, J2], sttdRank: R, sttdT: t });
      // e(i) sums R/t products: scale so that its spread does not grow with the rank.
      float('sttd.g1', [I1 * J1, R], uniform(I1 * J1 * R, 1 / Math.sqrt(R / t)));
      float('sttd.g2', [R / t, (I2 * J2) / t], uniform(((R / t) * I2 * J2) / t, 1));
      return;
    }
    default:
      throw new RangeError(`unknown bundle kind ${String(kind)}`);
  }
}

/** Splits N into d factors, largest first (e.g. 16 → [4, 2, 2], 128 → [8, 4, 4]). */
function splitDim(N: number, d: number): number[] {
  const factors: number[] = [];
  let rest = N;
  for (let k = d; k > 1; k--) {
    let f = Math.max(1, Math.round(Math.pow(rest, 1 / k)));
    while (rest % f !== 0) f--;
    factors.push(f);
    rest /= f;
  }
  factors.push(rest);
  return factors.sort((a, b) => b - a);
}

/** A random bundle's files (manifest.json, tensors.bin, vocab.txt when `list`), as a web server would serve them. */
export async function randomBundleFiles(
  kind: ModelKind,
  options: RandomBundleOptions,
): Promise<Map<string, Uint8Array>> {
  return encodeBundle(randomBundleInput(kind, options));
}
