// The teacher-table terms that the compositional student trains with (EODRec Eq. 12 and 16), for the
// tensor-train baselines, so that all students share one distillation: L_mse between the rebuilt rows
// and the teacher's X as the table's aux loss, and the embedding mixup e' = η X + (1 − η) e in training.
// X is read through a zero-gradient identity: only the teacher's own losses move it (bidirectional KD).
import * as tf from '@tensorflow/tfjs-core';
import { CompositionalCodes, embeddingMixup, stopGradient } from './compositional-codes.ts';
import type { ItemTable } from './item-table.ts';

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
  /** η, which the trainer may anneal (`--eta-anneal`). */
  mixup: number;

  constructor(private readonly options: TableDistillationOptions) {
    if (!(options.mixup >= 0 && options.mixup < 1))
      throw new RangeError(`TableDistillation: mixup η must be in [0, 1), got ${options.mixup}`);
    this.mixup = options.mixup;
  }

  /** The rows the backbone sees this step: mixed with X in training, the table's own rows otherwise. */
  apply(rows: tf.Tensor2D, training: boolean): tf.Tensor2D {
    this.lastMse = null;
    if (!training) return rows;
    const X = stopGradient(this.options.teacherItems()) as tf.Tensor2D;
    if (this.options.mse) this.lastMse = CompositionalCodes.mseLoss(rows, X);
    return (this.mixup > 0 ? embeddingMixup(X, rows, this.mixup) : rows) as tf.Tensor2D;
  }

  /** L_mse of the last training `apply` (null when off or not training). */
  auxLoss(): tf.Scalar | null {
    return this.lastMse;
  }
}

/**
 * Fits the table to the teacher's X by L_mse alone (Adam, whole table per step) before stage 1 — the
 * counterpart of the compositional student's code warm-up, so that both students start near the teacher.
 */
export function warmUpToTeacher(
  table: ItemTable,
  teacherItems: () => tf.Tensor2D,
  steps: number,
  options: { lr: number; log?: (line: string) => void },
): { steps: number; mseBefore: number; mseAfter: number; seconds: number } {
  const t0 = performance.now();
  const mse = () =>
    CompositionalCodes.mseLoss(
      table.embeddings({ training: false }),
      stopGradient(teacherItems()) as tf.Tensor2D,
    );
  const mseBefore = tf.tidy(() => mse().dataSync()[0]!);
  const optimizer = tf.train.adam(options.lr);
  for (let s = 0; s < steps; s++) {
    const value = tf.tidy(() => optimizer.minimize(mse, true, table.variables())!.dataSync()[0]!);
    if ((s + 1) % 50 === 0 && s + 1 < steps)
      options.log?.(`L_mse warm-up: step ${s + 1}/${steps}, mse ${value.toFixed(4)}`);
  }
  optimizer.dispose();
  const mseAfter = tf.tidy(() => mse().dataSync()[0]!);
  const seconds = (performance.now() - t0) / 1000;
  options.log?.(
    `L_mse warm-up: ${steps} steps, mse ${mseBefore.toFixed(4)} → ${mseAfter.toFixed(4)} (${seconds.toFixed(0)} s)`,
  );
  return { steps, mseBefore, mseAfter, seconds };
}
