// All-item ranking for the students' validation and test scoring inside the trainer, with the CPU
// engine's tie rule: rank = 1 + #(score > s_label) + #(score = s_label, lower index). Compressed tables
// produce EXACT ties (items with identical codes have identical embeddings; a fresh or collapsed code
// assignment has many), and a rank that ignores them is optimistic — so this does not use
// train/full-softmax.ts's targetRanks (built for the full table, where ties do not occur).
import * as tf from '@tensorflow/tfjs-core';
import type { SessionModel } from '../model/session-model.ts';
import { makeBatches, sessionWindows, type Window } from '../train/batches.ts';
import { metricsFromRanks, type Metrics } from '../train/metrics.ts';

/** 1-based ranks of `targets` [P] among all items; theta [P, N], tableT [N, V]. */
export function ranksWithTies(theta: tf.Tensor2D, tableT: tf.Tensor2D, targets: Int32Array): Int32Array {
  const [p] = theta.shape;
  const v = tableT.shape[1];
  return tf.tidy(() => {
    const scores = tf.matMul(theta, tableT); // [P, V]
    const flat = tf.tensor1d(
      Int32Array.from(targets, (y, i) => i * v + y),
      'int32',
    );
    const label = tf.reshape(tf.gather(tf.reshape(scores, [-1]), flat), [p, 1]);
    const higher = tf.sum(tf.cast(tf.greater(scores, label), 'int32'), 1);
    const lowerIndex = tf.less(
      tf.reshape(tf.range(0, v, 1, 'int32'), [1, v]),
      tf.tensor2d(targets, [p, 1], 'int32'),
    );
    const tiedBefore = tf.sum(tf.cast(tf.logicalAnd(tf.equal(scores, label), lowerIndex), 'int32'), 1);
    return tf.add(tf.add(higher, tiedBefore), 1).dataSync() as Int32Array;
  });
}

function rankWindows(model: SessionModel, windows: Window[], positionsPerBatch: number): Int32Array {
  const ranks: number[] = [];
  const tableT = tf.tidy(() => tf.transpose(model.table.embeddings({ training: false })) as tf.Tensor2D);
  try {
    for (const batch of makeBatches(windows, positionsPerBatch, 0)) {
      const r = tf.tidy(() => ranksWithTies(model.thetaAt(batch, false).theta, tableT, batch.targets));
      for (const x of r) ranks.push(x);
    }
  } finally {
    tableT.dispose();
  }
  return Int32Array.from(ranks);
}

/** Every prefix of every session (validation). */
export function evaluateStudentSessions(
  model: SessionModel,
  sessions: Int32Array[],
  positionsPerBatch = 512,
): Metrics {
  return metricsFromRanks(
    rankWindows(
      model,
      sessions.flatMap((s) => sessionWindows(s, model.hyper.maxLen)),
      positionsPerBatch,
    ),
  );
}

/** Test cases: prefix (its last maxLen items) → label. */
export function evaluateStudentCases(
  model: SessionModel,
  cases: { prefix: Int32Array; label: number }[],
  positionsPerBatch = 512,
): Metrics {
  const maxLen = model.hyper.maxLen;
  const windows: Window[] = cases.map(({ prefix, label }) => {
    const inputs = prefix.subarray(Math.max(0, prefix.length - maxLen));
    const targets = new Int32Array(inputs.length);
    targets[inputs.length - 1] = label;
    return { inputs, targets, lossFrom: inputs.length - 1 };
  });
  return metricsFromRanks(rankWindows(model, windows, positionsPerBatch));
}
