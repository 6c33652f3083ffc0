// Soft-target distillation (EODRec Eq. 21–22): KL(prob_tea ‖ prob_stu) over ALL items, each model scoring
// with its own item table, averaged over prefixes. Gradients reach both models; freezing the teacher
// (--no-bidirectional) is the optimizer's business (its variables are left out), not this loss's.
import * as tf from '@tensorflow/tfjs';

/** logits: [P, V] each. Returns mean_P Σ_v p_tea (log p_tea − log p_stu). */
export function softTargetKl(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logPt = tf.logSoftmax(teacherLogits);
    const logPs = tf.logSoftmax(studentLogits);
    return tf.mean(tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1)) as tf.Scalar;
  });
}
