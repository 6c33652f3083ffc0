// Hot and cold sub-session representations (EODRec Eq. 18): the soft-attention readout of Eq. 3
// (docs/model.md "Soft-attention readout") restricted to the positions of one item type, computed for
// every prefix of every session in one pass, like the backbone's own readout.
import * as tf from '@tensorflow/tfjs-core';

/** The readout's parameters (docs/model.md names: readout.w1, readout.w2, readout.c, readout.f). */
export interface ReadoutWeights {
  w1: tf.Tensor2D;
  w2: tf.Tensor2D;
  c: tf.Tensor1D;
  f: tf.Tensor1D;
}

/**
 * θ of every prefix using only the selected positions u ≤ t:
 *   x̄_t = mean of selected x_u (u ≤ t),  a[t,u] = f · σ(x̄_t W1 + x_u W2 + c),  θ_t = Σ_{u ≤ t, selected} a[t,u] x_u.
 * x: [B, L, N] encoder outputs; selected: [B, L] of 0/1 (padding must be 0).
 * Returns θ [B, L, N] (zero where a prefix has no selected position) and its count of selected positions [B, L].
 */
export function maskedPrefixReadout(
  x: tf.Tensor3D,
  selected: tf.Tensor2D,
  w: ReadoutWeights,
): { theta: tf.Tensor3D; count: tf.Tensor2D } {
  return tf.tidy(() => {
    const [B, L, N] = x.shape;
    const sel = tf.cast(selected, 'float32') as tf.Tensor2D;
    // Prefix sums as products with the lower-triangular ones matrix: tfjs 4.22's cumsum gradient is
    // wrong along a non-last axis of a 3-D tensor (shape error), and L ≤ maxLen keeps this cheap.
    const causal = tf.linalg.bandPart(tf.ones([L, L]), -1, 0) as tf.Tensor2D; // [t, u] = 1 for u ≤ t
    const count = tf.matMul(sel, causal, false, true) as tf.Tensor2D;
    const runningSum = tf.matMul(
      tf.tile(tf.expandDims(causal, 0), [B, 1, 1]),
      tf.mul(x, tf.expandDims(sel, 2)),
    );
    const mean = tf.div(runningSum, tf.expandDims(tf.maximum(count, 1), 2)); // [B, L, N]
    const flat = (t: tf.Tensor) => tf.reshape(t, [B * L, N]) as tf.Tensor2D;
    const query = tf.reshape(tf.matMul(flat(mean), w.w1), [B, L, 1, N]);
    const key = tf.reshape(tf.add(tf.matMul(flat(x), w.w2), w.c), [B, 1, L, N]);
    const gate = tf.sigmoid(tf.add(query, key)); // [B, L(t), L(u), N]
    const scores = tf.reshape(tf.matMul(tf.reshape(gate, [B * L * L, N]), tf.reshape(w.f, [N, 1])), [
      B,
      L,
      L,
    ]);
    // a[t,u] counts only where u ≤ t and u is selected.
    const weights = tf.mul(scores, tf.mul(tf.expandDims(causal, 0), tf.expandDims(sel, 1)));
    const theta = tf.matMul(weights, x) as tf.Tensor3D;
    return { theta, count };
  });
}

/** Hot and cold readouts of one model on one batch (Eq. 18). `hot` [B, L]: 1 where the item is hot (top 20%). */
export interface HotColdRepresentations {
  hot: tf.Tensor3D;
  cold: tf.Tensor3D;
  hotCount: tf.Tensor2D;
  coldCount: tf.Tensor2D;
}

export function hotColdRepresentations(
  x: tf.Tensor3D,
  valid: tf.Tensor2D,
  hot: tf.Tensor2D,
  w: ReadoutWeights,
): HotColdRepresentations {
  return tf.tidy(() => {
    const validF = tf.cast(valid, 'float32');
    const hotF = tf.mul(tf.cast(hot, 'float32'), validF) as tf.Tensor2D;
    const coldF = tf.sub(validF, hotF) as tf.Tensor2D;
    const h = maskedPrefixReadout(x, hotF, w);
    const c = maskedPrefixReadout(x, coldF, w);
    return { hot: h.theta, cold: c.theta, hotCount: h.count, coldCount: c.count };
  });
}
