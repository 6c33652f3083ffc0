// Cross-entropy over ALL items (paper Eq. 25–26) with a hand-written gradient: tfjs-wasm multiplies
// A·B at ~20 GFLOP/s but A·Bᵀ and Aᵀ·B at ~2 (packages/trainer/bench/matmul-layouts.ts), and tfjs's default matMul gradient
// uses exactly those. Here every [P, V]-sized product is an A·B; only small matrices are transposed.
import * as tf from '@tensorflow/tfjs-core';
import { scatterAddRows } from '../model/gather-rows.ts';

/**
 * How d/dX's softmax part (softmaxᵀ · θ, [V, N]) is multiplied. 'probs-transposed' (default): softmax
 * transposed once, then [V, P]·[P, N] — 1.9× faster on tfjs-wasm than 'theta-transposed', ([N, P]·[P, V])ᵀ,
 * at P = 510, V = 40,727, N = 128 (pnpm bench:train --profile: 688 → 355 ms for that product). The old
 * order stays selectable so that the training benchmark can time both in one run; the soft-target KL
 * (kd/soft-targets.ts) follows the same setting.
 */
export type TableGradientOrder = 'probs-transposed' | 'theta-transposed';
let tableGradient: TableGradientOrder = 'probs-transposed';
export function setFullSoftmaxTableGradient(order: TableGradientOrder): void {
  tableGradient = order;
}
/** The order in force (kd/soft-targets.ts follows it too). */
export function fullSoftmaxTableGradient(): TableGradientOrder {
  return tableGradient;
}

/**
 * Mean over P positions of −log softmax(θ_p · Xᵀ + mask_p)[y_p].
 * theta: [P, N]; table: [V, N]; targets: int32 [P]. Differentiable w.r.t. theta and table.
 * `mask` ([P, V], optional, not differentiated): added to the logits — EXCLUDED_LOGIT removes an item
 * from position p's softmax (train/new-item-batches.ts: the session's own items). The gradient formula
 * is the same, since an excluded item's probability is 0.
 */
export function fullSoftmaxLoss(
  theta: tf.Tensor2D,
  table: tf.Tensor2D,
  targets: tf.Tensor1D,
  mask?: tf.Tensor2D,
): tf.Scalar {
  const numItems = table.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t2 = args[0] as tf.Tensor2D;
    const x2 = args[1] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    const [p] = t2.shape;
    // Only non-broadcasting ops touch [P, V]: tfjs-wasm's broadcasting binary ops run ~50× slower than
    // its softmax kernel and matMul on tensors this size.
    const logits = tf.matMul(t2, tf.transpose(x2)); // [P, V], A·B with a cheap explicit Xᵀ
    const probs = tf.softmax(mask ? tf.add(logits, mask) : logits); // same-shape add: no broadcasting
    const flat = tf.add(tf.mul(tf.range(0, p, 1, 'int32'), tf.scalar(numItems, 'int32')), targets);
    const targetProb = tf.gather(tf.reshape(probs, [-1]), flat);
    const loss = tf.neg(tf.mean(tf.log(tf.maximum(targetProb, 1e-37))));
    save([t2, x2, probs, targets]); // tfjs disposes unsaved forward tensors before backprop
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sTheta, sTable, sProbs, sTargets] = saved as [
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor1D,
        ];
        const scale = tf.div(dy, p);
        // d/dθ = (softmax − onehot) · X ;  d/dX = (softmax − onehot)ᵀ · θ
        const dTheta = tf.mul(tf.sub(tf.matMul(sProbs, sTable), tf.gather(sTable, sTargets)), scale);
        const scaledTheta = tf.mul(sTheta, scale) as tf.Tensor2D;
        const softmaxPart =
          tableGradient === 'probs-transposed'
            ? tf.matMul(tf.transpose(sProbs), scaledTheta) // [V, P] · [P, N]
            : tf.transpose(tf.matMul(tf.transpose(scaledTheta), sProbs)); // ([N, P] · [P, V])ᵀ
        const dTable = tf.sub(softmaxPart, scatterAddRows(scaledTheta, sTargets, numItems));
        return [dTheta, dTable];
      },
    };
  });
  return f(theta, table) as tf.Scalar;
}

/** The logit offset that removes an item from a masked softmax or ranking (finite: −∞ would give NaNs). */
export const EXCLUDED_LOGIT = -1e9;

/** FLOPs of one step of fullSoftmaxLoss (forward + both gradients): three 2·P·V·N products. */
export function fullSoftmaxFlops(positions: number, numItems: number, dim: number): number {
  return 3 * 2 * positions * numItems * dim;
}

/**
 * 1-based rank of each target among all items: 1 + #items scoring strictly higher (ties count for the
 * target; the protocol breaks them by index, which only matters for exactly equal floats).
 * theta: [P, N]; tableT: [N, V] (pre-transposed). scores − s_target comes out of ONE matMul of
 * augmented matrices [θ, −s_target] · [Xᵀ; 1], so no broadcasting op touches [P, V]. `mask` ([P, V],
 * EXCLUDED_LOGIT at excluded items): those never count as higher — the rank among the other items.
 */
export function targetRanks(
  theta: tf.Tensor2D,
  tableAugT: tf.Tensor2D,
  table: tf.Tensor2D,
  targets: Int32Array,
  mask?: tf.Tensor2D,
): tf.Tensor1D {
  const [p] = theta.shape;
  const v = tableAugT.shape[1];
  return tf.tidy(() => {
    const target = tf.tensor1d(targets, 'int32');
    const targetScore = tf.sum(tf.mul(theta, tf.gather(table, target)), 1, true);
    const raw = tf.matMul(tf.concat([theta, tf.neg(targetScore)], 1), tableAugT); // [P, V]
    const diff = mask ? tf.add(raw, mask) : raw;
    const higher = tf.sum(tf.step(diff), 1);
    // the target's own column is ±rounding error; never count it
    const self = tf.step(
      tf.gather(
        tf.reshape(diff, [-1]),
        tf.add(tf.mul(tf.range(0, p, 1, 'int32'), tf.scalar(v, 'int32')), target),
      ),
    );
    return tf.cast(tf.add(tf.sub(higher, self), 1), 'int32') as tf.Tensor1D;
  });
}

/** [Xᵀ; 1]: [N + 1, V], the right-hand side of targetRanks. */
export function augmentedTableT(table: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.concat([tf.transpose(table), tf.ones([1, table.shape[0]])], 0) as tf.Tensor2D);
}
