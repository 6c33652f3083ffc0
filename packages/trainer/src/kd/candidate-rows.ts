// With a sampled L_rec a step needs item embeddings only for its CANDIDATE rows: the session items,
// the targets and the shared negatives (~5k of ~40k on Tmall). Tables that can compute a subset of rows
// (the compositional table: code MLP + Gumbel codes on those rows only) skip the rest of the catalogue;
// any other table falls back to gathering rows of its full embeddings.
import * as tf from '@tensorflow/tfjs-core';
import { gatherRows } from '../model/gather-rows.ts';
import { matMulTransposeB } from '../model/fast-matmul.ts';
import type { ItemTable } from '../model/item-table.ts';
import type { Batch } from '../train/batches.ts';
import type { NegativeSampler } from '../train/sampled-softmax.ts';

/** An item table that can embed a subset of rows (training or inference), e.g. CompositionalItemTable. */
export interface RowsItemTable extends ItemTable {
  rows(indices: tf.Tensor1D, options: { training: boolean }): tf.Tensor2D;
}

function hasRows(table: ItemTable): table is RowsItemTable {
  return typeof (table as Partial<RowsItemTable>).rows === 'function';
}

export function candidateRows(table: ItemTable, indices: tf.Tensor1D, training: boolean): tf.Tensor2D {
  return hasRows(table)
    ? table.rows(indices, { training })
    : (gatherRows(table.embeddings({ training }), indices) as tf.Tensor2D);
}

/** A batch re-indexed into its candidate set (original item i ↦ local index; all arrays local). */
export interface CandidateBatch {
  /** Original item indices of the candidates, ascending. */
  candidates: Int32Array;
  items: Int32Array;
  targets: Int32Array;
  negatives: Int32Array;
  /** log of the expected draw count of each target / negative (the logQ correction). */
  logQTargets: Float32Array;
  logQNegatives: Float32Array;
  /** [P, S] additive mask: −1e9 where a negative is the row's own target (accidental hit). */
  hitMask: Float32Array;
}

export function candidateBatch(batch: Batch, sampler: NegativeSampler, seed: number): CandidateBatch {
  const negatives = sampler.sample(seed);
  const set = new Set<number>();
  for (const v of batch.items) set.add(v);
  for (const v of batch.targets) set.add(v);
  for (const v of negatives) set.add(v);
  const candidates = Int32Array.from(set).sort();
  const local = new Map<number, number>();
  candidates.forEach((c, i) => local.set(c, i));
  const map = (a: Int32Array) => Int32Array.from(a, (v) => local.get(v)!);
  const P = batch.targets.length;
  const S = negatives.length;
  const hitMask = new Float32Array(P * S);
  for (let p = 0; p < P; p++)
    for (let s = 0; s < S; s++) if (negatives[s] === batch.targets[p]) hitMask[p * S + s] = -1e9;
  return {
    candidates,
    items: map(batch.items),
    targets: map(batch.targets),
    negatives: map(negatives),
    logQTargets: sampler.logExpected(batch.targets),
    logQNegatives: sampler.logExpected(negatives),
    hitMask,
  };
}

/**
 * The teacher's sampled softmax (train/sampled-softmax.ts: target vs shared negatives, logQ-corrected,
 * accidental hits masked) on candidate-local rows. theta [P, N]; rows [C, N].
 */
export function candidateSampledSoftmax(
  theta: tf.Tensor2D,
  rows: tf.Tensor2D,
  c: CandidateBatch,
  t: CandidateTensors,
): tf.Scalar {
  const P = c.targets.length;
  const S = c.negatives.length;
  const posLogit = tf.sub(
    tf.sum(tf.mul(theta, gatherRows(rows, t.targets)), 1, true),
    tf.tensor2d(c.logQTargets, [P, 1]),
  );
  const negLogit = tf.add(
    tf.sub(
      matMulTransposeB(theta, gatherRows(rows, t.negatives) as tf.Tensor2D),
      tf.tensor2d(c.logQNegatives, [1, S]),
    ),
    tf.tensor2d(c.hitMask, [P, S]),
  );
  const all = tf.concat([posLogit, negLogit], 1);
  return tf.mean(tf.sub(tf.logSumExp(all, 1), tf.squeeze(posLogit, [1]))) as tf.Scalar;
}

/** Index tensors of a CandidateBatch, made outside the gradient tape (custom gradients read them). */
export interface CandidateTensors {
  candidates: tf.Tensor1D;
  items: tf.Tensor2D;
  targets: tf.Tensor1D;
  negatives: tf.Tensor1D;
}

export function candidateTensors(c: CandidateBatch, batch: Batch): CandidateTensors {
  return {
    candidates: tf.tensor1d(c.candidates, 'int32'),
    items: tf.tensor2d(c.items, [batch.batch, batch.len], 'int32'),
    targets: tf.tensor1d(c.targets, 'int32'),
    negatives: tf.tensor1d(c.negatives, 'int32'),
  };
}
