// All-item ranking for the students' validation and test scoring inside the trainer, with the CPU
// engine's tie rule: rank = 1 + #(score > s_label) + #(score = s_label, lower index). Compressed tables
// produce EXACT ties (items with identical codes have identical embeddings; a fresh or collapsed code
// assignment has many), and a rank that ignores them is optimistic — so this does not use
// train/full-softmax.ts's targetRanks (built for the full table, where ties do not occur).
import * as tf from '@tensorflow/tfjs-core';
import type { SessionModel } from '../model/session-model.ts';
import { makeBatches, sessionWindows, type Window } from '../train/batches.ts';
import { metricsFromRanks, type Metrics } from '../train/metrics.ts';

/**
 * 1-based ranks of `targets` [P] among all items; theta [P, N], tableT [N, V]. The comparison runs in
 * plain JS over the read-back scores: tfjs-wasm's broadcasting compare ops on [P, V] are far slower
 * than one pass over the array.
 */
export function ranksWithTies(theta: tf.Tensor2D, tableT: tf.Tensor2D, targets: Int32Array): Int32Array {
  const [p] = theta.shape;
  const v = tableT.shape[1];
  const scoresT = tf.matMul(theta, tableT);
  const scores = scoresT.dataSync() as Float32Array;
  scoresT.dispose();
  const ranks = new Int32Array(p);
  for (let r = 0; r < p; r++) {
    const row = r * v;
    const y = targets[r]!;
    const s = scores[row + y]!;
    let rank = 1;
    for (let i = 0; i < v; i++) {
      const x = scores[row + i]!;
      if (x > s || (x === s && i < y)) rank++;
    }
    ranks[r] = rank;
  }
  return ranks;
}

function rankWindows(model: SessionModel, windows: Window[], positionsPerBatch: number): Int32Array {
  const ranks: number[] = [];
  // One inference table for the whole evaluation (SessionModel.thetaAt would rebuild it per batch).
  const table = tf.tidy(() => tf.clone(model.table.embeddings({ training: false })) as tf.Tensor2D);
  const tableT = tf.tidy(() => tf.transpose(table) as tf.Tensor2D);
  try {
    for (const batch of makeBatches(windows, positionsPerBatch, 0)) {
      const r = tf.tidy(() => {
        const items = tf.tensor2d(batch.items, [batch.batch, batch.len], 'int32');
        const x = model.backbone.encode(items, table, false);
        const thetaAll = tf.reshape(model.backbone.readoutAllPrefixes(x), [-1, model.hyper.dim]);
        const theta = tf.gather(thetaAll, tf.tensor1d(batch.positions, 'int32')) as tf.Tensor2D;
        return ranksWithTies(theta, tableT, batch.targets);
      });
      for (const x of r) ranks.push(x);
    }
  } finally {
    tf.dispose([table, tableT]);
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
