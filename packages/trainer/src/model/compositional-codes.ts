// Compositional code learning (EODRec Sec. 4.2): each item gets M discrete codes in [0, K); its embedding
// is the sum of the selected codewords, one from each of M codebooks of K vectors of dimension N (Eq. 10).
// Codes are learned end-to-end: a two-layer MLP on the teacher's item embedding gives α (Eq. 15), and
// Gumbel-softmax over log α (Eq. 14) gives differentiable, nearly one-hot code vectors during training.
// At export the codes are argmax α per codebook (no noise), which is what the device runs.
import * as tf from '@tensorflow/tfjs-core';
import { matMulAB } from './tt-products.ts';

export interface CompositionalCodesConfig {
  numItems: number;
  /** Embedding dimension N (the teacher's). */
  dim: number;
  /** Number of codebooks M. */
  M: number;
  /** Codewords per codebook K. */
  K: number;
  /** Gumbel-softmax temperature ε (paper: 0.3). */
  gumbelTemperature: number;
  /** Initialisation U(-initRange, initRange) (paper: 0.1). */
  initRange: number;
  seed: number;
}

export const DEFAULT_GUMBEL_TEMPERATURE = 0.3;

/** Gumbel(0, 1) noise −log(−log U), U ~ Uniform(0, 1), deterministic for a seed. */
export function gumbelNoise(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    // Bounded away from 0 and 1 so both logs stay finite.
    const u = tf.randomUniform(shape, 1e-9, 1 - 1e-7, 'float32', seed);
    return tf.neg(tf.log(tf.neg(tf.log(u))));
  });
}

/**
 * Eq. 14: softmax((log α + G) / ε) over the last axis. `noise` null gives the noise-free relaxation
 * (used to test the limit ε → 0, where the result tends to the one-hot of argmax log α).
 */
export function gumbelSoftmax(logAlpha: tf.Tensor, temperature: number, noise: tf.Tensor | null): tf.Tensor {
  if (!(temperature > 0)) throw new RangeError(`gumbelSoftmax: temperature must be > 0, got ${temperature}`);
  return tf.tidy(() => {
    const perturbed = noise ? tf.add(logAlpha, noise) : logAlpha;
    return tf.softmax(tf.div(perturbed, temperature));
  });
}

/** Compression ratio of the item table, EODRec Eq. 11: |V|·N / (M·K·N + M·|V|). */
export function compositionalCompressionRatio(numItems: number, dim: number, M: number, K: number): number {
  return (numItems * dim) / (M * K * dim + M * numItems);
}

export class CompositionalCodes {
  readonly config: CompositionalCodesConfig;
  /** Codebooks E_1..E_M stacked row-wise: row m·K + k is codeword k of codebook m. */
  readonly codebooks: tf.Variable<tf.Rank.R2>;
  /** Eq. 15: h = tanh(X θ + b), θ: [N, MK/2]. */
  readonly mlpW1: tf.Variable<tf.Rank.R2>;
  readonly mlpB1: tf.Variable<tf.Rank.R1>;
  /** Eq. 15: α = softmax(softplus(h θ' + b')), θ': [MK/2, MK], split into M groups of K. */
  readonly mlpW2: tf.Variable<tf.Rank.R2>;
  readonly mlpB2: tf.Variable<tf.Rank.R1>;

  constructor(config: CompositionalCodesConfig) {
    const { numItems, dim, M, K } = config;
    for (const [name, value] of Object.entries({ numItems, dim, M, K })) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`CompositionalCodes: ${name} must be a positive integer, got ${value}`);
    }
    if (K > 65536) throw new RangeError(`CompositionalCodes: K must be ≤ 65536 (uint16 codes), got ${K}`);
    this.config = config;
    const hidden = Math.max(1, Math.floor((M * K) / 2));
    const r = config.initRange;
    let seed = config.seed;
    const uniform = (shape: number[]) => tf.randomUniform(shape, -r, r, 'float32', seed++);
    this.codebooks = tf.variable(uniform([M * K, dim]) as tf.Tensor2D);
    this.mlpW1 = tf.variable(uniform([dim, hidden]) as tf.Tensor2D);
    this.mlpB1 = tf.variable(tf.zeros([hidden]) as tf.Tensor1D);
    this.mlpW2 = tf.variable(uniform([hidden, M * K]) as tf.Tensor2D);
    this.mlpB2 = tf.variable(tf.zeros([M * K]) as tf.Tensor1D);
  }

  variables(): tf.Variable[] {
    return Object.values(this.namedVariables());
  }

  /** Stable names for checkpoints (tfjs variable names must be globally unique, so they are not used). */
  namedVariables(): Record<string, tf.Variable> {
    return {
      codebooks: this.codebooks,
      'mlp.w1': this.mlpW1,
      'mlp.b1': this.mlpB1,
      'mlp.w2': this.mlpW2,
      'mlp.b2': this.mlpB2,
    };
  }

  /**
   * log α, shape [rows, M, K] (Eq. 15), from teacher embeddings X [rows, N]. `offsets` [rows, M·K]: the
   * rows' per-item code logits, added before the softmax when the codes were started from a quantiser
   * (see CompositionalItemTable.initFromResidualKMeans).
   */
  logAlpha(teacherEmbeddings: tf.Tensor2D, offsets: tf.Tensor2D | null = null): tf.Tensor3D {
    const { M, K } = this.config;
    return tf.tidy(() => {
      // matMulAB: [V, ·] products whose gradients stay on tfjs-wasm's fast A·B path.
      const h = tf.tanh(tf.add(matMulAB(teacherEmbeddings, this.mlpW1), this.mlpB1)) as tf.Tensor2D;
      const mlp = tf.softplus(tf.add(matMulAB(h, this.mlpW2), this.mlpB2));
      const logits = offsets ? tf.add(mlp, offsets) : mlp;
      return tf.logSoftmax(tf.reshape(logits, [-1, M, K])) as tf.Tensor3D;
    });
  }

  /**
   * Training-time code vectors O (Eq. 14), flattened to [rows, M·K]. `noiseSeed` null = no Gumbel noise
   * (deterministic relaxation); otherwise fresh noise from that seed.
   */
  softCodes(
    teacherEmbeddings: tf.Tensor2D,
    noiseSeed: number | null,
    temperature = this.config.gumbelTemperature,
    offsets: tf.Tensor2D | null = null,
  ): tf.Tensor2D {
    const { M, K } = this.config;
    return tf.tidy(() => {
      const logAlpha = this.logAlpha(teacherEmbeddings, offsets);
      const noise = noiseSeed === null ? null : gumbelNoise(logAlpha.shape, noiseSeed);
      return tf.reshape(gumbelSoftmax(logAlpha, temperature, noise), [-1, M * K]) as tf.Tensor2D;
    });
  }

  /** Eq. 13: e = Σ_m E_mᵀ O_m, i.e. O [rows, M·K] · codebooks [M·K, N]. */
  compose(codeVectors: tf.Tensor2D): tf.Tensor2D {
    return matMulAB(codeVectors, this.codebooks);
  }

  /** Export-time codes: argmax α per codebook, [rows, M] as Int32Array (row-major). */
  hardCodes(teacherEmbeddings: tf.Tensor2D, offsets: tf.Tensor2D | null = null): Int32Array {
    const codes = tf.tidy(() => tf.argMax(this.logAlpha(teacherEmbeddings, offsets), 2));
    const data = codes.dataSync() as Int32Array;
    codes.dispose();
    return Int32Array.from(data);
  }

  /** Embeddings of the discrete codes, Σ_m codebooks[m, codes[i, m]] (Eq. 10): what the device computes. */
  embedHardCodes(codes: Int32Array): tf.Tensor2D {
    const { M, K } = this.config;
    return tf.tidy(() => {
      const rows = codes.length / M;
      const flat = new Int32Array(codes.length);
      for (let i = 0; i < codes.length; i++) flat[i] = (i % M) * K + codes[i];
      const gathered = tf.gather(this.codebooks, tf.tensor1d(flat, 'int32')); // [rows·M, N]
      return tf.sum(tf.reshape(gathered, [rows, M, this.config.dim]), 1) as tf.Tensor2D;
    });
  }

  /** Eq. 12: mean over items of ‖e_v − X_v‖². */
  static mseLoss(composite: tf.Tensor2D, teacherEmbeddings: tf.Tensor2D): tf.Scalar {
    return tf.tidy(() => tf.mean(tf.sum(tf.square(tf.sub(composite, teacherEmbeddings)), 1)) as tf.Scalar);
  }

  /** Codebooks as [M, K, N] float32 (bundle layout). */
  codebooksData(): Float32Array {
    return Float32Array.from(this.codebooks.dataSync() as Float32Array);
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }
}

/** Eq. 16: e' = η X + (1 − η) e (training only). */
export function embeddingMixup(teacherEmbeddings: tf.Tensor, composite: tf.Tensor, eta: number): tf.Tensor {
  if (!(eta >= 0 && eta < 1)) throw new RangeError(`embeddingMixup: η must be in [0, 1), got ${eta}`);
  return tf.tidy(() => tf.add(tf.mul(teacherEmbeddings, eta), tf.mul(composite, 1 - eta)));
}

/** Zero-gradient identity: the teacher's embedding is a target/input for the student, not something its losses move. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;
