// TT-Rec's item table (Yin et al., MLSys 2021; docs/model.md kind `tt`): d cores of shape
// [R_k, p_k, q_k, R_{k+1}]; row i (mixed radix, first core most significant) is the chain product of the
// core slices. Training needs every row each step (full softmax), so the whole [V, N] table is rebuilt
// by d − 1 matrix products over all prefixes at once; the device rebuilds rows one by one instead
// (packages/sdk/src/engine/cpu/item-tables/tt.ts).
import * as tf from '@tensorflow/tfjs-core';
import { ttCoreShape, ttGeometry, ttParamCount, type TtGeometry } from '@session-rec/sdk/engine/cpu/tt';
import type { ItemTable, ItemTableExport } from './item-table.ts';
import { matMulFast } from './fast-matmul.ts';
import { uniqueVariableName } from './variable-name.ts';
import { TableDistillation, type TableDistillationOptions } from './tt-distillation.ts';

export interface TtTableOptions {
  p: number[];
  q: number[];
  /** Inner ranks R_1 … R_{d−1}. */
  ranks: number[];
  /** Target standard deviation of the entries of e(i) at initialisation (default: U(−0.1, 0.1)'s, 0.1/√3). */
  initStd?: number;
  seed?: number;
  /** Initial core values (e.g. from a checkpoint or a bundle), in core order. */
  init?: Float32Array[];
  distillation?: TableDistillationOptions;
}

/**
 * TT-Rec's sampled-Gaussian initialisation: every core entry ~ N(0, s²) with one s for all cores, chosen so
 * that an entry of the product (a sum of ∏R_k products of d independent entries) has variance
 * ∏R_k · s^{2d} = σ² — the spread of the uncompressed table it replaces.
 */
export function ttInitStd(g: TtGeometry, targetStd: number): number {
  const paths = g.ranks.reduce((a, b) => a * b, 1);
  return Math.pow((targetStd * targetStd) / paths, 1 / (2 * g.p.length));
}

/**
 * All rows [V, N] from the cores: P ← core_0 as [p_0, q_0, R_1]; then P ← P · core_k regrouped so that rows
 * stay (i_0 … i_k) and columns (j_0 … j_k) in mixed radix, first factor most significant.
 */
export function ttReconstruct(g: TtGeometry, cores: tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => {
    let P = tf.reshape(cores[0], [g.p[0], g.q[0], g.ranks[1]]) as tf.Tensor3D;
    for (let k = 1; k < g.p.length; k++) {
      const [rows, cols, rank] = P.shape;
      const [, pk, qk, rNext] = ttCoreShape(g, k);
      const prod = matMulFast(
        tf.reshape(P, [rows * cols, rank]),
        tf.reshape(cores[k], [rank, pk * qk * rNext]),
      );
      const regrouped = tf.transpose(tf.reshape(prod, [rows, cols, pk, qk * rNext]), [0, 2, 1, 3]);
      P = tf.reshape(regrouped, [rows * pk, cols * qk, rNext]);
    }
    const all = tf.reshape(P, [P.shape[0], g.dim]) as tf.Tensor2D;
    return P.shape[0] === g.numItems ? all : tf.slice(all, [0, 0], [g.numItems, g.dim]);
  });
}

export class TtItemTable implements ItemTable {
  readonly kind = 'tt' as const;
  readonly numItems: number;
  readonly dim: number;
  readonly geometry: TtGeometry;
  readonly cores: tf.Variable[];
  private readonly distillation: TableDistillation | null;

  /** The mixup weight η of the teacher-table distillation (0 without one); settable for annealing. */
  get mixup(): number {
    return this.distillation?.mixup ?? 0;
  }
  set mixup(eta: number) {
    if (this.distillation) this.distillation.mixup = eta;
  }

  constructor(numItems: number, dim: number, options: TtTableOptions) {
    this.geometry = ttGeometry(numItems, dim, options.p, options.q, options.ranks);
    this.numItems = numItems;
    this.dim = dim;
    const s = ttInitStd(this.geometry, options.initStd ?? 0.1 / Math.sqrt(3));
    this.cores = this.geometry.p.map((_, k) => {
      const shape = ttCoreShape(this.geometry, k);
      const given = options.init?.[k];
      const value = given
        ? tf.tensor(given, shape)
        : tf.randomNormal(shape, 0, s, 'float32', (options.seed ?? 1) * 104729 + k);
      const v = tf.variable(value, true, uniqueVariableName(`tt.core${k}`));
      value.dispose();
      return v;
    });
    this.distillation = options.distillation ? new TableDistillation(options.distillation) : null;
  }

  /** Stored parameters (the TT formula's denominator). */
  get paramCount(): number {
    return ttParamCount(this.geometry);
  }

  embeddings({ training }: { training: boolean }): tf.Tensor2D {
    const rows = ttReconstruct(this.geometry, this.cores);
    return this.distillation ? this.distillation.apply(rows, training) : rows;
  }

  auxLoss(): tf.Scalar | null {
    return this.distillation?.auxLoss() ?? null;
  }

  variables(): tf.Variable[] {
    return [...this.cores];
  }

  exportTensors(): ItemTableExport {
    const g = this.geometry;
    const tensors: ItemTableExport['tensors'] = {};
    this.cores.forEach((core, k) => {
      tensors[`tt.core${k}`] = {
        dtype: 'float32',
        shape: ttCoreShape(g, k),
        data: core.dataSync() as Float32Array,
      };
    });
    return { kind: 'tt', hyper: { ttP: [...g.p], ttQ: [...g.q], ttRanks: g.ranks.slice(1, -1) }, tensors };
  }

  dispose(): void {
    for (const c of this.cores) c.dispose();
  }
}
