// The compositional student's item table (EODRec Sec. 4, docs/model.md kind `compositional`):
// e(i) = Σ_m codebooks[m, codes[i, m]], with codes chosen from the teacher's embedding X_i by the code MLP.
// Training: Gumbel-softmax codes (fresh noise each step), L_mse to X as the aux loss (Eq. 12), and the
// embedding mixup e' = η X + (1 − η) e (Eq. 16). Inference/export: argmax codes, no mixup.
import * as tf from '@tensorflow/tfjs-core';
import {
  CompositionalCodes,
  DEFAULT_GUMBEL_TEMPERATURE,
  embeddingMixup,
  gumbelNoise,
  stopGradient,
} from './compositional-codes.ts';
import { chunkedSoftComposite } from './chunked-soft-codes.ts';
import { seededRandom } from '../data/prng.ts';
import { gatherRows } from './gather-rows.ts';
import { residualKMeans } from './residual-kmeans.ts';
import type { ItemTable, ItemTableExport } from './item-table.ts';

export interface CompositionalTableOptions {
  M: number;
  K: number;
  /** Mixup weight η of the teacher embedding (Eq. 16); 0 disables mixup (ablation Stu-w/o-m). */
  mixup: number;
  gumbelTemperature?: number;
  initRange?: number;
  seed?: number;
}

/**
 * Rows per chunk of the whole-table soft codes in training (model/chunked-soft-codes.ts); 0 = tfjs
 * autodiff over the whole table at once (the path before the chunked one: the training benchmark's
 * "before"). 'auto' (default): chunks of 4,096 rows when the table's code activations are large
 * (V·M·K ≥ 2^24 floats, e.g. RetailRocket M·K = 768: 28M), where the memory is what limits (autodiff keeps
 * ~8 of them alive); autodiff below, where it is faster (Tmall M·K = 128: 2.7 vs 4.0 s a stage-1 step).
 */
let softCodeChunkRows: number | 'auto' = 'auto';
export function setSoftCodeChunkRows(rows: number | 'auto'): void {
  if (rows !== 'auto' && (!Number.isInteger(rows) || rows < 0))
    throw new RangeError(`soft-code chunk rows: expected 'auto' or an integer ≥ 0, got ${rows}`);
  softCodeChunkRows = rows;
}
function chunkRowsFor(numItems: number, M: number, K: number): number {
  if (softCodeChunkRows !== 'auto') return softCodeChunkRows;
  return numItems * M * K >= 2 ** 24 ? 4096 : 0;
}

export class CompositionalItemTable implements ItemTable {
  readonly kind = 'compositional' as const;
  readonly numItems: number;
  readonly dim: number;
  readonly codes: CompositionalCodes;
  /** Mixup weight η (Eq. 16); the trainer may anneal it (`--eta-anneal`), so it is not readonly. */
  mixup: number;
  /**
   * Per-item code logits [V, M·K] added to the MLP's (null until initFromResidualKMeans): training-only
   * parameters that let codes start from a quantiser and still move by Gumbel-softmax gradients. The
   * device never sees them — it gets the argmax codes.
   */
  codeOffsets: tf.Variable<tf.Rank.R2> | null = null;
  /** Step counter that seeds each step's Gumbel noise (saved in checkpoints so a resumed run continues the stream). */
  noiseStep = 0;
  private readonly noiseSeed: number;
  private lastMse: tf.Scalar | null = null;

  /**
   * `teacherItems` returns the teacher's current X [V, N] (a variable that bidirectional KD may update).
   * The student reads it through a zero-gradient identity: X is the code MLP's input, L_mse's target and
   * the mixup partner; only the teacher's own losses move it.
   */
  constructor(
    private readonly teacherItems: () => tf.Tensor2D,
    options: CompositionalTableOptions,
  ) {
    const X = teacherItems();
    const [numItems, dim] = X.shape;
    this.numItems = numItems;
    this.dim = dim;
    this.mixup = options.mixup;
    if (!(options.mixup >= 0 && options.mixup < 1))
      throw new RangeError(`CompositionalItemTable: mixup η must be in [0, 1), got ${options.mixup}`);
    this.noiseSeed = (options.seed ?? 1) * 7919;
    this.codes = new CompositionalCodes({
      numItems,
      dim,
      M: options.M,
      K: options.K,
      gumbelTemperature: options.gumbelTemperature ?? DEFAULT_GUMBEL_TEMPERATURE,
      initRange: options.initRange ?? 0.1,
      seed: options.seed ?? 1,
    });
  }

  get M(): number {
    return this.codes.config.M;
  }
  get K(): number {
    return this.codes.config.K;
  }

  embeddings({ training }: { training: boolean }): tf.Tensor2D {
    const X = stopGradient(this.teacherItems()) as tf.Tensor2D;
    if (!training) {
      this.lastMse = null;
      return this.hardEmbeddings(X, this.codeOffsets);
    }
    const seed = this.noiseSeed + this.noiseStep++;
    const chunkRows = chunkRowsFor(this.numItems, this.M, this.K);
    const composite =
      chunkRows > 0
        ? this.chunkedComposite(this.codeInput(X), seed, chunkRows)
        : this.codes.compose(this.codes.softCodes(this.codeInput(X), seed, undefined, this.codeOffsets));
    this.lastMse = CompositionalCodes.mseLoss(composite, X);
    return (this.mixup > 0 ? embeddingMixup(X, composite, this.mixup) : composite) as tf.Tensor2D;
  }

  /** The whole table's soft composite, chunk by chunk (model/chunked-soft-codes.ts): the memory-lean path. */
  private chunkedComposite(codeInput: tf.Tensor2D, seed: number, chunkRows: number): tf.Tensor2D {
    const { M, K, gumbelTemperature } = this.codes.config;
    const c = this.codes;
    return chunkedSoftComposite(
      codeInput,
      { w1: c.mlpW1, b1: c.mlpB1, w2: c.mlpW2, b2: c.mlpB2, codebooks: c.codebooks },
      this.codeOffsets,
      {
        M,
        K,
        temperature: gumbelTemperature,
        chunkRows,
        // Noise per chunk from (seed, first row): the same draw when the backward recomputes the chunk.
        noise: (start, rows) =>
          tf.reshape(gumbelNoise([rows, M * K], seed * 65_537 + start), [rows, M * K]) as tf.Tensor2D,
      },
    );
  }

  /**
   * Embeddings of the rows `indices` only (a step with a sampled loss needs ~5k of V rows): the same as
   * rows of `embeddings()`, with L_mse over these rows. Gumbel noise is drawn for these rows only.
   */
  rows(indices: tf.Tensor1D, { training }: { training: boolean }): tf.Tensor2D {
    // gatherRows (scatter gradient) because bidirectional KD differentiates through X's variable on tfjs-wasm
    const X = stopGradient(gatherRows(this.teacherItems(), indices)) as tf.Tensor2D;
    const offsets = this.codeOffsets ? (gatherRows(this.codeOffsets, indices) as tf.Tensor2D) : null;
    if (!training) {
      this.lastMse = null;
      return this.hardEmbeddings(X, offsets);
    }
    const composite = this.codes.compose(
      this.codes.softCodes(this.codeInput(X), this.noiseSeed + this.noiseStep++, undefined, offsets),
    );
    this.lastMse = CompositionalCodes.mseLoss(composite, X);
    return (this.mixup > 0 ? embeddingMixup(X, composite, this.mixup) : composite) as tf.Tensor2D;
  }

  /** L_mse of the last training `embeddings()` / `rows()` call (Eq. 12). */
  auxLoss(): tf.Scalar | null {
    return this.lastMse;
  }

  /**
   * The code MLP's input: teacher rows standardised per feature with the whole table's statistics (no
   * gradient). Raw teacher rows are small (‖x‖² ≈ 0.25 on Tmall after an epoch), so α starts uniform and
   * the codes collapse onto a few codewords — measured on the Tmall teacher's checkpoint, 150 warm-up
   * steps: 3–4 of 32 codewords used per codebook raw, 31–32 of 32 standardised. L_mse and the mixup
   * still use the raw rows.
   */
  codeInput(rows: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(stopGradient(this.teacherItems()), 0);
      return tf.div(tf.sub(rows, mean), tf.sqrt(tf.add(variance, 1e-8))) as tf.Tensor2D;
    });
  }

  /** What the device computes: one-hot(argmax α) · codebooks, without reading back to the CPU. */
  hardEmbeddings(X: tf.Tensor2D, offsets: tf.Tensor2D | null): tf.Tensor2D {
    const { M, K } = this.codes.config;
    return tf.tidy(() => {
      const oneHot = tf.oneHot(tf.argMax(this.codes.logAlpha(this.codeInput(X), offsets), 2), K); // [V, M, K]
      return this.codes.compose(tf.reshape(tf.cast(oneHot, 'float32'), [-1, M * K]) as tf.Tensor2D);
    });
  }

  /**
   * Fits the code MLP and codebooks to the teacher table by L_mse alone (Eq. 12), on random item
   * minibatches — the code learning of Shu & Nakayama (EODRec's ref. [35]) as a cheap start, so that
   * stage 1 begins from codes that already reconstruct X. Returns L_mse of the argmax codes before/after.
   */
  warmUpCodes(
    steps: number,
    opts: { lr: number; itemsPerStep: number; seed: number; log?: (line: string) => void },
  ): { steps: number; mseBefore: number; mseAfter: number } {
    const X = this.teacherItems();
    const hardMse = () =>
      tf.tidy(() => CompositionalCodes.mseLoss(this.hardEmbeddings(X, this.codeOffsets), X).dataSync()[0]!);
    const mseBefore = hardMse();
    const optimizer = tf.train.adam(opts.lr);
    const random = seededRandom(opts.seed * 613 + 5);
    const n = Math.min(opts.itemsPerStep, this.numItems);
    for (let s = 0; s < steps; s++) {
      const idx = tf.tensor1d(
        Int32Array.from({ length: n }, () => Math.floor(random() * this.numItems)),
        'int32',
      );
      const xb = tf.gather(X, idx) as tf.Tensor2D;
      const loss = optimizer.minimize(
        () =>
          CompositionalCodes.mseLoss(
            this.codes.compose(this.codes.softCodes(this.codeInput(xb), this.noiseSeed - 1 - s)),
            xb,
          ),
        true,
        this.codes.variables(),
      );
      if (opts.log && (s % 100 === 0 || s === steps - 1))
        opts.log(
          `code warm-up step ${s + 1}/${steps}: L_mse (soft codes) ${loss!.dataSync()[0]!.toFixed(4)}`,
        );
      tf.dispose([idx, xb, loss!]);
    }
    optimizer.dispose();
    const mseAfter = hardMse();
    opts.log?.(`code warm-up: L_mse of the argmax codes ${mseBefore.toFixed(4)} → ${mseAfter.toFixed(4)}`);
    return { steps, mseBefore, mseAfter };
  }

  /**
   * Starts the codes from a residual k-means of the teacher table (LightRec's residual codebooks): the
   * codebooks become its centroids and each item's code logits get +`margin` on its quantiser code. With
   * margin 4 and ε = 0.3, Gumbel noise picks another codeword for ~2% of draws: the codes are stable at
   * the start yet still learned (Eq. 14). Returns L_mse of the argmax codes before/after.
   */
  initFromResidualKMeans(opts: {
    margin: number;
    iterations?: number;
    seed: number;
    log?: (line: string) => void;
  }): {
    mseBefore: number;
    mseAfter: number;
    distinctCodes: number;
  } {
    const { M, K, dim } = this.codes.config;
    const X = this.teacherItems();
    const mse = () =>
      tf.tidy(() => CompositionalCodes.mseLoss(this.hardEmbeddings(X, this.codeOffsets), X).dataSync()[0]!);
    const mseBefore = mse();
    const rq = residualKMeans(X.dataSync() as Float32Array, this.numItems, dim, M, K, {
      iterations: opts.iterations ?? 15,
      seed: opts.seed,
    });
    const distinctCodes = this.setCodes(rq.codes, rq.codebooks, opts.margin);
    const mseAfter = mse();
    opts.log?.(
      `residual k-means codes: L_mse ${mseBefore.toFixed(4)} → ${mseAfter.toFixed(4)} ` +
        `(per codebook ${rq.mseAfter.map((v) => v.toFixed(4)).join(', ')}), ${distinctCodes} distinct codes`,
    );
    return { mseBefore, mseAfter, distinctCodes };
  }

  /**
   * Sets the codebooks ([M, K, N]) and gives each item's code logits +`margin` on `codes` ([V, M]) — a
   * quantiser's answer as the start of Gumbel-softmax training. Returns the number of distinct code tuples.
   */
  setCodes(codes: Int32Array, codebooks: Float32Array, margin: number): number {
    const { M, K, dim } = this.codes.config;
    if (codes.length !== this.numItems * M || codebooks.length !== M * K * dim)
      throw new RangeError(
        `setCodes: expected ${this.numItems}·${M} codes and ${M}·${K}·${dim} codebook values`,
      );
    this.codes.codebooks.assign(tf.tensor2d(codebooks, [M * K, dim]));
    const offsets = new Float32Array(this.numItems * M * K);
    for (let i = 0; i < this.numItems; i++)
      for (let m = 0; m < M; m++) offsets[i * M * K + m * K + codes[i * M + m]!] = margin;
    this.codeOffsets?.dispose();
    this.codeOffsets = tf.variable(tf.tensor2d(offsets, [this.numItems, M * K]));
    return new Set(
      Array.from({ length: this.numItems }, (_, i) => codes.subarray(i * M, (i + 1) * M).join(',')),
    ).size;
  }

  /** Zero code offsets, to be overwritten by a checkpoint of a run that started from residual k-means. */
  ensureCodeOffsets(): void {
    const { M, K } = this.codes.config;
    this.codeOffsets ??= tf.variable(tf.zeros([this.numItems, M * K]) as tf.Tensor2D);
  }

  /**
   * The code offsets are logits: L2 would pull every item's margin to 0 (Adam turns even a 1e-5 penalty
   * into ~lr per step on rows no other loss touches), and the codes back to the collapsing MLP.
   */
  unregularizedVariables(): tf.Variable[] {
    return this.codeOffsets ? [this.codeOffsets] : [];
  }

  /** Current argmax codes [V, M] row-major. */
  currentCodes(): Int32Array {
    return tf.tidy(() => this.codes.hardCodes(this.codeInput(this.teacherItems()), this.codeOffsets));
  }

  variables(): tf.Variable[] {
    return this.codeOffsets ? [...this.codes.variables(), this.codeOffsets] : this.codes.variables();
  }

  exportTensors(): ItemTableExport {
    const { M, K, dim } = this.codes.config;
    const codes = this.currentCodes();
    return {
      kind: 'compositional',
      hyper: { M, K },
      tensors: {
        codes: {
          dtype: K <= 256 ? 'uint8' : 'uint16',
          shape: [this.numItems, M],
          data: K <= 256 ? Uint8Array.from(codes) : Uint16Array.from(codes),
        },
        codebooks: { dtype: 'float32', shape: [M, K, dim], data: this.codes.codebooksData() },
      },
    };
  }

  dispose(): void {
    this.codes.dispose();
    this.codeOffsets?.dispose();
  }
}
