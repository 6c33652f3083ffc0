// The teacher-table terms that the compositional student trains with (EODRec Eq. 12 and 16), for the
// tensor-train baselines, so that all students share one distillation: L_mse between the rebuilt rows
// and the teacher's X as the table's aux loss, and the embedding mixup e' = η X + (1 − η) e in training.
// X is read through a zero-gradient identity: only the teacher's own losses move it (bidirectional KD).
import type * as tf from '@tensorflow/tfjs-core';
import { CompositionalCodes, embeddingMixup, stopGradient } from './compositional-codes.ts';

export interface TableDistillationOptions {
  /** The teacher's current item table X [V, N]. */
  teacherItems: () => tf.Tensor2D;
  /** Add L_mse(e, X) to the loss (Eq. 12). */
  mse: boolean;
  /** Mixup weight η of X (Eq. 16); 0 disables mixup. */
  mixup: number;
}

export class TableDistillation {
  private lastMse: tf.Scalar | null = null;

  constructor(private readonly options: TableDistillationOptions) {
    if (!(options.mixup >= 0 && options.mixup < 1))
      throw new RangeError(`TableDistillation: mixup η must be in [0, 1), got ${options.mixup}`);
  }

  /** The rows the backbone sees this step: mixed with X in training, the table's own rows otherwise. */
  apply(rows: tf.Tensor2D, training: boolean): tf.Tensor2D {
    this.lastMse = null;
    if (!training) return rows;
    const X = stopGradient(this.options.teacherItems()) as tf.Tensor2D;
    if (this.options.mse) this.lastMse = CompositionalCodes.mseLoss(rows, X);
    return (this.options.mixup > 0 ? embeddingMixup(X, rows, this.options.mixup) : rows) as tf.Tensor2D;
  }

  /** L_mse of the last training `apply` (null when off or not training). */
  auxLoss(): tf.Scalar | null {
    return this.lastMse;
  }
}
