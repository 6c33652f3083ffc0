// SASRec encoder + soft-attention readout (paper Eq. 2–3), exactly the forward pass of docs/model.md,
// written so that ONE causal pass over a padded batch of sessions yields θ for every prefix.
import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from './fast-matmul.ts';
import { gatherRows } from './gather-rows.ts';
import { uniqueVariableName } from './variable-name.ts';
import { seededRandom } from '../data/prng.ts';
import type { ExportedTensor } from './item-table.ts';
import type { ModelBundle } from '@session-rec/sdk/bundle';

export interface BackboneHyper {
  dim: number;
  heads: number;
  blocks: number;
  maxLen: number;
  embScale: number;
  layerNormEps: number;
  dropout: number;
}

/** A read bundle's backbone hyper-parameters; dropout (a training setting) from `dropout`, else its info. */
export function bundleBackboneHyper(manifest: ModelBundle['manifest'], dropout?: number): BackboneHyper {
  const h = manifest.hyper;
  return {
    dim: h.dim!,
    heads: h.heads!,
    blocks: h.blocks!,
    maxLen: h.maxLen,
    embScale: h.embScale ?? 1,
    layerNormEps: h.layerNormEps ?? 1e-8,
    dropout: dropout ?? Number(manifest.info?.dropout ?? 0),
  };
}

/** A read bundle's float tensors by name (float16 ones already widened by the reader), for initialising weights. */
export function bundleFloatTensors(bundle: ModelBundle): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of bundle.tensors) if (t.data instanceof Float32Array) out.set(name, t.data);
  return out;
}

/** Name → shape of every backbone tensor (bundle names of docs/model.md). */
export function backboneShapes(h: BackboneHyper): Record<string, number[]> {
  const n = h.dim;
  const shapes: Record<string, number[]> = { pos: [h.maxLen, n] };
  for (let b = 0; b < h.blocks; b++) {
    const p = `block${b}.`;
    for (const ln of ['attn_ln', 'ffn_ln']) {
      shapes[`${p}${ln}.gamma`] = [n];
      shapes[`${p}${ln}.beta`] = [n];
    }
    for (const w of ['wq', 'wk', 'wv', 'wo']) shapes[`${p}attn.${w}`] = [n, n];
    for (const bias of ['bq', 'bk', 'bv', 'bo']) shapes[`${p}attn.${bias}`] = [n];
    shapes[`${p}ffn.w1`] = [n, n];
    shapes[`${p}ffn.b1`] = [n];
    shapes[`${p}ffn.w2`] = [n, n];
    shapes[`${p}ffn.b2`] = [n];
  }
  shapes['final_ln.gamma'] = [n];
  shapes['final_ln.beta'] = [n];
  shapes['readout.w1'] = [n, n];
  shapes['readout.w2'] = [n, n];
  shapes['readout.c'] = [n];
  shapes['readout.f'] = [n];
  return shapes;
}

/** Initial value of a parameter: LN gains 1, biases/LN shifts 0, everything else U(-0.1, 0.1) (paper Sec. 6.1.3). */
function initialValue(name: string, shape: number[], seed: number): tf.Tensor {
  if (name.endsWith('.gamma')) return tf.ones(shape);
  if (name.endsWith('.beta') || /\.b[qkvo12]$/.test(name) || name === 'readout.c') return tf.zeros(shape);
  return tf.randomUniform(shape, -0.1, 0.1, 'float32', seed);
}

export class Backbone {
  readonly hyper: BackboneHyper;
  readonly params = new Map<string, tf.Variable>();

  /** `init`: every tensor's values by name (e.g. from a bundle); without it, weights are drawn from `seed`. */
  constructor(hyper: BackboneHyper, options: { seed?: number; init?: Map<string, Float32Array> } = {}) {
    if (hyper.dim % hyper.heads !== 0)
      throw new RangeError(`dim ${hyper.dim} is not divisible by heads ${hyper.heads}`);
    this.hyper = hyper;
    let k = 0;
    for (const [name, shape] of Object.entries(backboneShapes(hyper))) {
      const given = options.init?.get(name);
      if (options.init && !given)
        throw new TypeError(`backbone weights: missing tensor '${name}' [${shape.join(', ')}]`);
      if (given && given.length !== shape.reduce((a, b) => a * b, 1)) {
        throw new RangeError(
          `backbone weights: tensor '${name}' has ${given.length} values, expected shape [${shape.join(', ')}]`,
        );
      }
      const value = given
        ? tf.tensor(given, shape)
        : initialValue(name, shape, (options.seed ?? 1) * 7919 + ++k);
      this.params.set(name, tf.variable(value, true, uniqueVariableName(name)));
      value.dispose();
    }
  }

  p(name: string): tf.Tensor {
    const v = this.params.get(name);
    if (!v) throw new Error(`backbone has no parameter ${name}`);
    return v;
  }

  variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  exportTensors(): Record<string, ExportedTensor> {
    const out: Record<string, ExportedTensor> = {};
    for (const [name, v] of this.params)
      out[name] = { dtype: 'float32', shape: v.shape.slice(), data: v.dataSync() as Float32Array };
    return out;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }

  private layerNorm(x: tf.Tensor, prefix: string): tf.Tensor {
    const { mean, variance } = tf.moments(x, -1, true);
    const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.hyper.layerNormEps)));
    return tf.add(tf.mul(normed, this.p(`${prefix}.gamma`)), this.p(`${prefix}.beta`));
  }

  /** x · W + b over the last axis, as one 2-D A·B product (tfjs-wasm's fast path). */
  private dense(x: tf.Tensor, w: string, b: string): tf.Tensor {
    const shape = x.shape;
    const flat = tf.reshape(x, [-1, shape[shape.length - 1]!]);
    const y = tf.add(matMulFast(flat as tf.Tensor2D, this.p(w) as tf.Tensor2D), this.p(b));
    return tf.reshape(y, [...shape.slice(0, -1), -1]);
  }

  /**
   * Encoder over a batch of sessions, oldest item first at position 0, padded at the END (causal, so
   * padding never reaches a real position). items: int32 [B, L], L ≤ maxLen; table: [V, N].
   * Returns x: [B, L, N]. `dropoutSeed` makes training dropout reproducible.
   */
  encode(items: tf.Tensor2D, table: tf.Tensor2D, training: boolean, dropoutSeed = 0): tf.Tensor3D {
    const { dim: n, heads, blocks, embScale, dropout } = this.hyper;
    const [batch, len] = items.shape;
    // masks from one fast JS PRNG: tf.dropout's seeded path draws through seedrandom, slow enough to
    // cost a third of an encoder step here
    const random = seededRandom(dropoutSeed);
    const keep = 1 - dropout;
    const drop = (t: tf.Tensor): tf.Tensor => {
      if (!training || dropout <= 0) return t;
      const mask = new Float32Array(t.size);
      for (let i = 0; i < mask.length; i++) mask[i] = random() < keep ? 1 / keep : 0;
      return tf.mul(t, tf.tensor(mask, t.shape));
    };
    const pos = tf.slice(this.p('pos'), [0, 0], [len, n]);
    let h = tf.add(tf.mul(gatherRows(table, items), embScale), pos);
    h = drop(h);
    const headDim = n / heads;
    // additive causal mask: position t attends to u ≤ t only
    const causal = tf.linalg.bandPart(tf.ones([len, len]), -1, 0);
    const maskAdd = tf.mul(tf.sub(1, causal), -1e9);
    const splitHeads = (t: tf.Tensor) =>
      tf.transpose(tf.reshape(t, [batch, len, heads, headDim]), [0, 2, 1, 3]);
    for (let b = 0; b < blocks; b++) {
      const p = `block${b}.`;
      const q = this.layerNorm(h, `${p}attn_ln`);
      const Q = splitHeads(this.dense(q, `${p}attn.wq`, `${p}attn.bq`));
      const K = splitHeads(this.dense(h, `${p}attn.wk`, `${p}attn.bk`));
      const V = splitHeads(this.dense(h, `${p}attn.wv`, `${p}attn.bv`));
      const logits = tf.add(tf.mul(tf.matMul(Q, K, false, true), 1 / Math.sqrt(headDim)), maskAdd);
      const attn = drop(tf.softmax(logits));
      const O = tf.reshape(tf.transpose(tf.matMul(attn, V), [0, 2, 1, 3]), [batch, len, n]);
      h = tf.add(q, drop(this.dense(O, `${p}attn.wo`, `${p}attn.bo`)));
      const g = this.layerNorm(h, `${p}ffn_ln`);
      const inner = tf.relu(this.dense(g, `${p}ffn.w1`, `${p}ffn.b1`));
      h = tf.add(g, drop(this.dense(drop(inner), `${p}ffn.w2`, `${p}ffn.b2`)));
    }
    return this.layerNorm(h, 'final_ln') as tf.Tensor3D;
  }

  /**
   * Soft-attention readout (Eq. 3) of every prefix at once: θ[b, t] reads x[b, 0..t] with
   * x̄ = running mean and α[t, u] = f · σ(x̄_t W1 + x_u W2 + c), u ≤ t. Returns [B, L, N].
   */
  readoutAllPrefixes(x: tf.Tensor3D): tf.Tensor3D {
    const [batch, len, n] = x.shape;
    // running mean as one [L, L] × [L, B·N] product (tfjs's Cumsum gradient is wrong for axis 1)
    const causal = tf.linalg.bandPart(tf.ones([len, len]), -1, 0);
    const averaging = tf.div(causal, tf.range(1, len + 1).reshape([len, 1]));
    const byPosition = tf.reshape(tf.transpose(x, [1, 0, 2]), [len, batch * n]);
    const mean = tf.transpose(
      tf.reshape(matMulFast(averaging as tf.Tensor2D, byPosition as tf.Tensor2D), [len, batch, n]),
      [1, 0, 2],
    );
    const a1 = this.dense(mean, 'readout.w1', 'readout.c'); // [B, L(t), N]
    const a2 = tf.reshape(
      matMulFast(tf.reshape(x, [-1, n]) as tf.Tensor2D, this.p('readout.w2') as tf.Tensor2D),
      [batch, len, n],
    ); // [B, L(u), N]
    const s = tf.sigmoid(tf.add(tf.expandDims(a1, 2), tf.expandDims(a2, 1))); // [B, t, u, N]
    const alpha = tf.reshape(
      matMulFast(
        tf.reshape(s, [-1, n]) as tf.Tensor2D,
        tf.reshape(this.p('readout.f'), [n, 1]) as tf.Tensor2D,
      ),
      [batch, len, len],
    );
    return tf.matMul(tf.mul(alpha, causal), x) as tf.Tensor3D;
  }

  /** θ of the whole session for each row (readout at the last real position); lengths: [B]. */
  readoutLast(x: tf.Tensor3D, lengths: number[]): tf.Tensor2D {
    const [batch, len, n] = x.shape;
    const theta = this.readoutAllPrefixes(x);
    const rows = lengths.map((l, b) => b * len + l - 1);
    return tf.gather(tf.reshape(theta, [batch * len, n]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D;
  }
}
