// Fast all-item evaluation inside the trainer (validation each epoch, test at the end): batched
// θ · Xᵀ on tfjs-wasm's A·B path. The published numbers come from `pnpm eval` on the exported bundle.
import * as tf from '@tensorflow/tfjs-core';
import type { SessionModel } from '../model/session-model.ts';
import { makeBatches, sessionWindows, type Window } from './batches.ts';
import { augmentedTableT, targetRanks } from './full-softmax.ts';
import { exclusionMask, isNewItemBatch, newItemBatch } from './new-item-batches.ts';
import { metricsFromRanks, type Metrics } from '../eval/metrics.ts';

// Reads are asynchronous (`data()`): tfjs's webgpu backend in Node cannot read synchronously.
/**
 * The 1-based all-item rank of every window position's target. `newItems`: only the positions whose
 * target is new to the session, ranked among the items outside it (the strip's ranking).
 */
export async function rankWindows(
  model: SessionModel,
  windows: Window[],
  positionsPerBatch: number,
  options: { newItems?: boolean } = {},
): Promise<Int32Array> {
  const numItems = model.table.numItems;
  const batches = options.newItems
    ? makeBatches(windows, positionsPerBatch, 0).flatMap((b) => newItemBatch(b, numItems) ?? [])
    : makeBatches(windows, positionsPerBatch, 0);
  const ranks: number[] = [];
  const table = tf.tidy(() => tf.clone(model.table.embeddings({ training: false })));
  const tableAugT = augmentedTableT(table);
  try {
    for (const batch of batches) {
      const r = tf.tidy(() => {
        const { theta } = model.thetaAt(batch, false);
        const mask = isNewItemBatch(batch) ? exclusionMask(batch, numItems) : undefined;
        return targetRanks(theta, tableAugT, table, batch.targets, mask);
      });
      const values = await r.data();
      r.dispose();
      for (const v of values) ranks.push(v);
    }
  } finally {
    table.dispose();
    tableAugT.dispose();
  }
  return Int32Array.from(ranks);
}

/** Every prefix of every session (validation); `newItems`: the new-item cases only, as the strip ranks them. */
export async function evaluateSessions(
  model: SessionModel,
  sessions: Int32Array[],
  positionsPerBatch = 512,
  options: { newItems?: boolean } = {},
): Promise<Metrics> {
  const windows = sessions.flatMap((s) => sessionWindows(s, model.hyper.maxLen));
  return metricsFromRanks(await rankWindows(model, windows, positionsPerBatch, options));
}

/** Test cases: prefix (cut to the last maxLen items) → label. */
export async function evaluateCases(
  model: SessionModel,
  cases: { prefix: Int32Array; label: number }[],
  positionsPerBatch = 512,
): Promise<Metrics> {
  const maxLen = model.hyper.maxLen;
  const windows: Window[] = cases.map(({ prefix, label }) => {
    const inputs = prefix.subarray(Math.max(0, prefix.length - maxLen));
    const targets = new Int32Array(inputs.length);
    targets[inputs.length - 1] = label;
    return { inputs, targets, lossFrom: inputs.length - 1 };
  });
  return metricsFromRanks(await rankWindows(model, windows, positionsPerBatch));
}
