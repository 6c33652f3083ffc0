// Soft-target distillation (EODRec Eq. 21–22): KL(prob_tea ‖ prob_stu) over ALL items, each model scoring
// with its own item table, averaged over prefixes. Gradients reach both models; freezing the teacher
// (--no-bidirectional) is the optimizer's business (its variables are left out), not this loss's.
import * as tf from '@tensorflow/tfjs-core';

/** logits: [P, V] each. Returns mean_P Σ_v p_tea (log p_tea − log p_stu). */
export function softTargetKl(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logPt = tf.logSoftmax(teacherLogits);
    const logPs = tf.logSoftmax(studentLogits);
    return tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1)) as tf.Scalar;
  });
}

/**
 * The same KL straight from the session representations and item tables, logits = θ · tableᵀ, with a
 * hand-written gradient in which every [P, V]-sized product is an A·B (tfjs-wasm's fast path; the stock
 * matMul gradient would use the ~10× slower transposed products — see train/full-softmax.ts).
 * With G_s = (p_s − p_t)/P and G_t = p_t ⊙ (log p_t − log p_s − KL_row)/P:
 * dθ = G·table, dtable = (θᵀ·G)ᵀ, for each model.
 */
export function softTargetKlFromTables(
  teacherTheta: tf.Tensor2D,
  teacherTable: tf.Tensor2D,
  studentTheta: tf.Tensor2D,
  studentTable: tf.Tensor2D,
): tf.Scalar {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [tTheta, tTable, sTheta, sTable] = args as tf.Tensor2D[];
    const save = args[4] as tf.GradSaveFunc;
    const logPt = tf.logSoftmax(tf.matMul(tTheta, tf.transpose(tTable)));
    const logPs = tf.logSoftmax(tf.matMul(sTheta, tf.transpose(sTable)));
    const pt = tf.exp(logPt);
    const diff = tf.sub(logPt, logPs);
    const rowKl = tf.sum(tf.mul(pt, diff), 1, true);
    save([tTheta, tTable, sTheta, sTable, pt, logPs, diff, rowKl]);
    return {
      value: tf.mean(rowKl),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [th, tx, sh, sx, p, lps, d, kl] = saved as tf.Tensor2D[];
        const scale = tf.div(dy, th.shape[0]);
        const gS = tf.mul(tf.sub(tf.exp(lps), p), scale) as tf.Tensor2D;
        const gT = tf.mul(tf.mul(p, tf.sub(d, kl)), scale) as tf.Tensor2D;
        return [
          tf.matMul(gT, tx),
          tf.transpose(tf.matMul(tf.transpose(th), gT)),
          tf.matMul(gS, sx),
          tf.transpose(tf.matMul(tf.transpose(sh), gS)),
        ];
      },
    };
  });
  return f(teacherTheta, teacherTable, studentTheta, studentTable) as tf.Scalar;
}
