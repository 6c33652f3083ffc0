import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { seededRandom } from '../data/prng.ts';
import type { Batch } from './batches.ts';
import { EXCLUDED_LOGIT, augmentedTableT, fullSoftmaxLoss, targetRanks } from './full-softmax.ts';
import { exclusionMask, newItemBatch } from './new-item-batches.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 9;
// two windows of length 4 (the second padded with 0 after 3 inputs); targets are the next items
const batch: Batch = {
  batch: 2,
  len: 4,
  items: Int32Array.from([1, 2, 1, 3, 5, 6, 7, 0]),
  positions: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
  targets: Int32Array.from([2, 1, 3, 8, 5, 4, 6]),
};

describe('newItemBatch', () => {
  it('keeps the positions whose target is not in the prefix, with that prefix as exclusions', () => {
    const b = newItemBatch(batch, V)!;
    // position 1 (prefix 1 2 → 1) and 4 (prefix 5 → 5) and 6 (prefix 5 6 7 → 6) are repeats
    expect(Array.from(b.positions)).toEqual([0, 2, 3, 5]);
    expect(Array.from(b.targets)).toEqual([2, 3, 8, 4]);
    const byRow = (q: number) =>
      Array.from(b.exclude)
        .filter((f) => Math.floor(f / V) === q)
        .map((f) => f % V)
        .sort();
    expect(byRow(0)).toEqual([1]);
    expect(byRow(1)).toEqual([1, 2]);
    expect(byRow(2)).toEqual([1, 2, 3]);
    expect(byRow(3)).toEqual([5, 6]);
  });

  it('is null when every position is a repeat', () => {
    const repeats: Batch = { ...batch, positions: Int32Array.from([1, 4]), targets: Int32Array.from([1, 5]) };
    expect(newItemBatch(repeats, V)).toBeNull();
  });
});

describe('the masked softmax and ranks', () => {
  const random = seededRandom(5);
  const P = 4;
  const N = 3;
  const values = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
  const theta = tf.tensor2d(values(P * N), [P, N]);
  const table = tf.tensor2d(values(V * N), [V, N]);
  const b = newItemBatch(batch, V)!;
  const targets = tf.tensor1d(b.targets, 'int32');

  it('loss and both gradients equal autodiff of a log-softmax over the items outside the session', () => {
    const mask = exclusionMask(b, V);
    const reference = (t: tf.Tensor2D, x: tf.Tensor2D) => {
      const logits = tf.add(tf.matMul(t, x, false, true), mask);
      const logp = tf.logSoftmax(logits);
      return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(targets, V)), 1)));
    };
    const ours = (t: tf.Tensor2D, x: tf.Tensor2D) => fullSoftmaxLoss(t, x, targets, mask);
    const [gtRef, gxRef] = tf.grads((t, x) => reference(t as tf.Tensor2D, x as tf.Tensor2D))([theta, table]);
    const [gt, gx] = tf.grads((t, x) => ours(t as tf.Tensor2D, x as tf.Tensor2D))([theta, table]);
    expect(ours(theta, table).dataSync()[0]).toBeCloseTo(reference(theta, table).dataSync()[0]!, 5);
    const close = (a: tf.Tensor, r: tf.Tensor) =>
      Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(r.dataSync()[i]!, 5));
    close(gt!, gtRef!);
    close(gx!, gxRef!);
    // the mask matters: without it the loss differs
    expect(fullSoftmaxLoss(theta, table, targets).dataSync()[0]).not.toBeCloseTo(
      ours(theta, table).dataSync()[0]!,
      3,
    );
  });

  it('targetRanks with the mask = 1 + items outside the session scoring higher than the target', () => {
    const ranks = targetRanks(
      theta,
      augmentedTableT(table),
      table,
      b.targets,
      exclusionMask(b, V),
    ).dataSync();
    const scores = tf.matMul(theta, table, false, true).arraySync() as number[][];
    for (let q = 0; q < P; q++) {
      const excluded = new Set(
        Array.from(b.exclude)
          .filter((f) => Math.floor(f / V) === q)
          .map((f) => f % V),
      );
      const s = scores[q]!;
      const expected = 1 + s.filter((v, i) => !excluded.has(i) && v > s[b.targets[q]!]!).length;
      expect(ranks[q]).toBe(expected);
    }
    expect(EXCLUDED_LOGIT).toBeLessThan(-1e6);
  });
});
