// 2-D products whose gradients stay on tfjs-wasm's fast path. tfjs's stock matMul gradient computes
// dy·Bᵀ and Aᵀ·dy with transposeB/transposeA, which the wasm backend runs ~10× slower than a plain A·B
// (packages/trainer/bench/matmul-layouts.ts: 2.3 vs 21 GFLOP/s); in tf.profile of an encoder step the
// dense layers' weight gradients were the two slowest kernels. Transposing an operand first is cheap.
import * as tf from '@tensorflow/tfjs-core';

/** a · b (a: [M, K], b: [K, N]) with A·B-only gradients. */
export function matMulFast(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const a2 = args[0] as tf.Tensor2D;
    const b2 = args[1] as tf.Tensor2D;
    (args[2] as tf.GradSaveFunc)([a2, b2]);
    return {
      value: tf.matMul(a2, b2),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy2)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/** a · bᵀ (a: [P, N], b: [S, N]) with A·B-only forward and gradients. */
export function matMulTransposeB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const a2 = args[0] as tf.Tensor2D;
    const b2 = args[1] as tf.Tensor2D;
    (args[2] as tf.GradSaveFunc)([a2, b2]);
    return {
      value: tf.matMul(a2, tf.transpose(b2)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        return [tf.matMul(dy2, sb), tf.transpose(tf.matMul(tf.transpose(sa), dy2))];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}
