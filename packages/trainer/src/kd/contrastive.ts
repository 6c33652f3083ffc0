// Contrastive distillation (EODRec Eq. 20): InfoNCE between the recombined representations, projected by
// W_t and W_s (here applied as z·W, [2N, N]), cosine similarity, temperature τ, negatives from the batch.
import * as tf from '@tensorflow/tfjs-core';

export const DEFAULT_CONTRASTIVE_TEMPERATURE = 0.2;

/**
 * Mean over rows s of −log( ψ(s,s) / Σ_j ψ(s,j) ), ψ(s,j) = exp(cos(z_s^tea W_t, z_j^stu W_s) / τ).
 * `group` [P] (optional): rows with the same group id other than s itself are left out of s's negatives —
 * prefixes of one session describe the same session, so they are not negatives of each other.
 * The paper sums over the batch; the mean keeps β independent of the batch size.
 */
export function infoNce(
  zTeacher: tf.Tensor2D,
  zStudent: tf.Tensor2D,
  projTeacher: tf.Tensor2D,
  projStudent: tf.Tensor2D,
  temperature: number,
  group?: Int32Array,
): tf.Scalar {
  if (!(temperature > 0)) throw new RangeError(`infoNce: temperature must be > 0, got ${temperature}`);
  return tf.tidy(() => {
    const a = l2Normalize(tf.matMul(zTeacher, projTeacher));
    const b = l2Normalize(tf.matMul(zStudent, projStudent));
    let logits = tf.div(tf.matMul(a, b, false, true), temperature) as tf.Tensor2D; // [P, P]
    const P = logits.shape[0];
    if (group) {
      if (group.length !== P)
        throw new RangeError(`infoNce: group has ${group.length} entries for ${P} rows`);
      const exclude = new Float32Array(P * P);
      for (let i = 0; i < P; i++)
        for (let j = 0; j < P; j++) if (i !== j && group[i] === group[j]) exclude[i * P + j] = -1e9;
      logits = tf.add(logits, tf.tensor2d(exclude, [P, P]));
    }
    const logProb = tf.logSoftmax(logits);
    const diag = tf.sum(tf.mul(logProb, tf.eye(P)), 1);
    return tf.neg(tf.mean(diag)) as tf.Scalar;
  });
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), 1, true), 1e-12))) as tf.Tensor2D;
}
