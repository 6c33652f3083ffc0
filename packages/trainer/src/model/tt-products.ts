// The matrix product the tensor-train tables are built from, with a gradient that stays on tfjs-wasm's
// fast A·B path: the stock matMul gradient computes dC·Bᵀ and Aᵀ·dC as transposed products (~10× slower
// there, see train/full-softmax.ts); here the transposes are explicit copies of the factors, which are
// small next to the products (a TT core slab is ≤ 10⁵ values, the product up to V·N).
import * as tf from '@tensorflow/tfjs-core';

/** a [m, k] · b [k, n] → [m, n]; differentiable w.r.t. both. */
export function matMulAB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.matMul(d, tf.transpose(sb)), tf.matMul(tf.transpose(sa), d)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}
