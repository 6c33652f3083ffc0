// Embedding recombination (EODRec Eq. 19): swap the cold sub-session representations between teacher and
// student, z_tea = [θ_hot^tea, θ_cold^stu], z_stu = [θ_hot^stu, θ_cold^tea].
// A prefix with only hot items has no cold part to swap; as the paper says, the part it does have is
// swapped instead (z_tea = [θ_hot^stu, 0], z_stu = [θ_hot^tea, 0]). Only-cold prefixes fit the general rule
// because their hot part is zero.
import * as tf from '@tensorflow/tfjs-core';

/** All inputs [P, N] (rows = prefixes); hasCold [P] 0/1. Returns z_tea, z_stu of shape [P, 2N]. */
export function recombine(
  teacherHot: tf.Tensor2D,
  teacherCold: tf.Tensor2D,
  studentHot: tf.Tensor2D,
  studentCold: tf.Tensor2D,
  hasCold: tf.Tensor1D,
): { zTeacher: tf.Tensor2D; zStudent: tf.Tensor2D } {
  return tf.tidy(() => {
    const cond = tf.expandDims(tf.greater(hasCold, 0), 1);
    const tHot = tf.where(tf.broadcastTo(cond, teacherHot.shape), teacherHot, studentHot);
    const sHot = tf.where(tf.broadcastTo(cond, studentHot.shape), studentHot, teacherHot);
    return {
      zTeacher: tf.concat([tHot, studentCold], 1) as tf.Tensor2D,
      zStudent: tf.concat([sHot, teacherCold], 1) as tf.Tensor2D,
    };
  });
}
