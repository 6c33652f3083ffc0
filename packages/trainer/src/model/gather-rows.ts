// tf.gather whose gradient works on tfjs-wasm: the stock gradient needs UnsortedSegmentSum, a kernel
// the wasm backend lacks; ScatterNd (which sums duplicate indices) is there.
import * as tf from '@tensorflow/tfjs-core';

/** Rows `indices` (int32, any shape) of `matrix` [R, N] → [...indices.shape, N]; differentiable w.r.t. matrix. */
export function gatherRows(matrix: tf.Tensor2D, indices: tf.Tensor): tf.Tensor {
  const [rows, width] = matrix.shape;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    // tfjs disposes the forward pass's tensors before backprop: whatever gradFunc reads must be saved
    (args[1] as tf.GradSaveFunc)([indices]);
    return {
      value: tf.gather(args[0] as tf.Tensor, indices),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.scatterND(tf.reshape(saved[0]!, [-1, 1]), tf.reshape(dy, [-1, width]), [rows, width]),
    };
  });
  return f(matrix);
}

/** Σ of `values` rows into `rows` buckets by index (the gradient of a row gather). */
export function scatterAddRows(values: tf.Tensor2D, indices: tf.Tensor1D, rows: number): tf.Tensor2D {
  return tf.scatterND(tf.reshape(indices, [-1, 1]), values, [rows, values.shape[1]]);
}
