// Soft-target distillation (EODRec Eq. 21–22): KL(prob_tea ‖ prob_stu) over ALL items, each model scoring
// with its own item table, averaged over prefixes. Gradients reach both models; freezing the teacher
// (--no-bidirectional) is the optimizer's business (its variables are left out), not this loss's.
import * as tf from '@tensorflow/tfjs-core';
import { fullSoftmaxTableGradient } from '../train/full-softmax.ts';

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
 * hand-written gradient built for tfjs-wasm: every [P, V]-sized product is an A·B (the stock matMul
 * gradient uses ~10× slower transposed products) and no [P, V]-sized op broadcasts (tfjs-wasm's
 * broadcasting binary ops are far slower than its plain ones; see train/full-softmax.ts) — row
 * constants are applied to the small [P, N] factors instead.
 * With d = log p_t − log p_s, KL_p = Σ_v p_t d, A = p_t ⊙ d, G_s = p_s − p_t (all / P):
 *   dθ_t = A·X_t − KL ⊙ (p_t·X_t),  dX_t = (θ_tᵀ·A − (KL ⊙ θ_t)ᵀ·p_t)ᵀ,  dθ_s = G_s·X_s,  dX_s = (θ_sᵀ·G_s)ᵀ.
 * Probabilities are clipped at 1e-30 inside the logs (float32 softmax underflows to 0 far out in the tail).
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
    const pt = tf.softmax(tf.matMul(tTheta, tf.transpose(tTable)));
    const ps = tf.softmax(tf.matMul(sTheta, tf.transpose(sTable)));
    const d = tf.sub(tf.log(tf.clipByValue(pt, 1e-30, 1)), tf.log(tf.clipByValue(ps, 1e-30, 1)));
    const a = tf.mul(pt, d);
    const rowKl = tf.sum(a, 1, true); // [P, 1]
    save([tTheta, tTable, sTheta, sTable, pt, ps, a, rowKl]);
    return {
      value: tf.mean(rowKl),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [th, tx, sh, sx, p, q, aa, kl] = saved as tf.Tensor2D[];
        const scale = tf.div(dy, th.shape[0]);
        const gS = tf.sub(q, p);
        const dThetaT = tf.sub(tf.matMul(aa, tx), tf.mul(kl, tf.matMul(p, tx)));
        if (fullSoftmaxTableGradient() === 'theta-transposed') {
          const dTableTt = tf.sub(
            tf.matMul(tf.transpose(th), aa),
            tf.matMul(tf.transpose(tf.mul(th, kl)), p),
          ); // [N, V]
          return [
            tf.mul(dThetaT, scale),
            tf.transpose(tf.mul(dTableTt, scale)),
            tf.mul(tf.matMul(gS, sx), scale),
            tf.transpose(tf.mul(tf.matMul(tf.transpose(sh), gS), scale)),
          ];
        }
        // [V, ·]·[·, N] products (1.9× faster on tfjs-wasm, train/full-softmax.ts), one [V, P] transpose
        // alive at a time (tidy frees each before the next: the step's peak memory is set here).
        const transposedTimes = (pv: tf.Tensor2D, right: tf.Tensor2D) =>
          tf.tidy(() => tf.matMul(tf.transpose(pv), right));
        const dTableT = tf.tidy(() => {
          const first = transposedTimes(aa, tf.mul(th, scale) as tf.Tensor2D);
          const second = transposedTimes(p, tf.mul(tf.mul(th, kl), scale) as tf.Tensor2D);
          return tf.sub(first, second);
        });
        return [
          tf.mul(dThetaT, scale),
          dTableT,
          tf.mul(tf.matMul(gS, sx), scale),
          transposedTimes(gS as tf.Tensor2D, tf.mul(sh, scale) as tf.Tensor2D),
        ];
      },
    };
  });
  return f(teacherTheta, teacherTable, studentTheta, studentTable) as tf.Scalar;
}
