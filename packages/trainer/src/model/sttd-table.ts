// OD-Rec's item table (EODRec Sec. 3.2.2, Eq. 4–8; docs/model.md kind `sttd`): two cores g1 [I1·J1, R] and
// g2 [R/t, I2·J2/t] joined by the semi-tensor product X = G1 ⋉ G2 = G1 (G2 ⊗ I_t) ∈ R^{I1J1 × I2J2};
// item i = (⌊i/I2⌋, i mod I2) reads the [J1, J2] block X[i1·J1 …, i2·J2 …] row-major.
// Training rebuilds all rows each step (full softmax) with one matrix product; the device rebuilds rows
// one by one instead (packages/sdk/src/engine/cpu/item-tables/sttd.ts).
import * as tf from '@tensorflow/tfjs-core';
import {
  sttdG1Shape,
  sttdG2Shape,
  sttdGeometry,
  sttdParamCount,
  type SttdGeometry,
} from '@session-rec/sdk/engine/cpu/sttd';
import type { ItemTable, ItemTableExport } from './item-table.ts';
import { TableDistillation, type TableDistillationOptions } from './tt-distillation.ts';
import { matMulFast } from './fast-matmul.ts';
import { uniqueVariableName } from './variable-name.ts';

export interface SttdTableOptions {
  I: [number, number];
  J: [number, number];
  rank: number;
  /** Semi-tensor factor t (the paper's n); default 2. */
  t?: number;
  /** Target standard deviation of the entries of e(i) at initialisation (default: U(−0.1, 0.1)'s, 0.1/√3). */
  initStd?: number;
  seed?: number;
  /** Initial [g1, g2] values (e.g. from a checkpoint or a bundle). */
  init?: [Float32Array, Float32Array];
  distillation?: TableDistillationOptions;
}

/**
 * Gaussian core initialisation matched to the uncompressed table's spread, as for TT-Rec: an entry of
 * e(i) is a sum of R/t products g1·g2, so each core's std is (σ² / (R/t))^{1/4}.
 */
export function sttdInitStd(g: SttdGeometry, targetStd: number): number {
  return Math.pow((targetStd * targetStd) / (g.rank / g.t), 1 / 4);
}

/**
 * All rows [V, N] as the whole-table product X = G1 · (G2 ⊗ I_t) of docs/model.md: the Kronecker factor is
 * built explicitly ([R, I2·J2], small) so that one A·B product gives X [I1·J1, I2·J2] = [I1, J1, I2, J2],
 * and one 4-D transpose gives rows (i1, i2), columns (j1, j2). That multiplies the zeros of ⊗ I_t (t× the
 * multiply-adds) but measured ~10× faster in tfjs-wasm than skipping them, which needs a 5-D transpose
 * with a t-wide innermost axis.
 */
export function sttdReconstruct(g: SttdGeometry, g1: tf.Tensor, g2: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const [I1, I2] = g.I;
    const [J1, J2] = g.J;
    const { t, rank } = g;
    const cols = (I2 * J2) / t;
    // (G2 ⊗ I_t)[r·t + a, c·t + b] = G2[r, c] · δ(a, b)
    const kron = tf.reshape(
      tf.mul(tf.reshape(g2, [rank / t, 1, cols, 1]), tf.reshape(tf.eye(t), [1, t, 1, t])),
      [rank, cols * t],
    );
    const X = matMulFast(g1 as tf.Tensor2D, kron as tf.Tensor2D); // [I1·J1, I2·J2]
    const rows = tf.transpose(tf.reshape(X, [I1, J1, I2, J2]), [0, 2, 1, 3]);
    const all = tf.reshape(rows, [I1 * I2, g.dim]) as tf.Tensor2D;
    return I1 * I2 === g.numItems ? all : tf.slice(all, [0, 0], [g.numItems, g.dim]);
  });
}

export class SttdItemTable implements ItemTable {
  readonly kind = 'sttd' as const;
  readonly numItems: number;
  readonly dim: number;
  readonly geometry: SttdGeometry;
  readonly g1: tf.Variable;
  readonly g2: tf.Variable;
  private readonly distillation: TableDistillation | null;

  /** The mixup weight η of the teacher-table distillation (0 without one); settable for annealing. */
  get mixup(): number {
    return this.distillation?.mixup ?? 0;
  }
  set mixup(eta: number) {
    if (this.distillation) this.distillation.mixup = eta;
  }

  constructor(numItems: number, dim: number, options: SttdTableOptions) {
    this.geometry = sttdGeometry(numItems, dim, options.I, options.J, options.rank, options.t ?? 2);
    this.numItems = numItems;
    this.dim = dim;
    const s = sttdInitStd(this.geometry, options.initStd ?? 0.1 / Math.sqrt(3));
    const seed = (options.seed ?? 1) * 104729;
    const make = (shape: [number, number], given: Float32Array | undefined, k: number, name: string) => {
      const value = given ? tf.tensor2d(given, shape) : tf.randomNormal(shape, 0, s, 'float32', seed + k);
      const v = tf.variable(value, true, uniqueVariableName(name));
      value.dispose();
      return v;
    };
    this.g1 = make(sttdG1Shape(this.geometry), options.init?.[0], 0, 'sttd.g1');
    this.g2 = make(sttdG2Shape(this.geometry), options.init?.[1], 1, 'sttd.g2');
    this.distillation = options.distillation ? new TableDistillation(options.distillation) : null;
  }

  /** Stored parameters (the denominator of Eq. 8). */
  get paramCount(): number {
    return sttdParamCount(this.geometry);
  }

  embeddings({ training }: { training: boolean }): tf.Tensor2D {
    const rows = sttdReconstruct(this.geometry, this.g1, this.g2);
    return this.distillation ? this.distillation.apply(rows, training) : rows;
  }

  auxLoss(): tf.Scalar | null {
    return this.distillation?.auxLoss() ?? null;
  }

  variables(): tf.Variable[] {
    return [this.g1, this.g2];
  }

  exportTensors(): ItemTableExport {
    const g = this.geometry;
    return {
      kind: 'sttd',
      hyper: { sttdI: [...g.I], sttdJ: [...g.J], sttdRank: g.rank, sttdT: g.t },
      tensors: {
        'sttd.g1': { dtype: 'float32', shape: sttdG1Shape(g), data: this.g1.dataSync() as Float32Array },
        'sttd.g2': { dtype: 'float32', shape: sttdG2Shape(g), data: this.g2.dataSync() as Float32Array },
      },
    };
  }

  dispose(): void {
    this.g1.dispose();
    this.g2.dispose();
  }
}
