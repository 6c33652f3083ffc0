// The hand-written gradients (fast-path products, full softmax, row gather) against tfjs autodiff.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { matMulFast, matMulTransposeB } from './fast-matmul.ts';
import { gatherRows } from './gather-rows.ts';
import { fullSoftmaxLoss, setFullSoftmaxTableGradient } from '../train/full-softmax.ts';
import { crossEntropyOnFirstColumn } from '../train/sampled-softmax.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  const scale = Math.max(1e-6, ...Array.from(y, Math.abs));
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol * scale);
}

describe('custom gradients equal tfjs autodiff on random inputs', () => {
  const a = tf.randomNormal([7, 5], 0, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomNormal([5, 9], 0, 1, 'float32', 2) as tf.Tensor2D;
  const w = tf.randomNormal([7, 9], 0, 1, 'float32', 3);

  it('matMulFast', () => {
    const mine = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(matMulFast(x as tf.Tensor2D, y as tf.Tensor2D), w)),
    )([a, b]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), w)))([a, b]);
    expectClose(mine[0]!, ref[0]!);
    expectClose(mine[1]!, ref[1]!);
  });

  it('matMulTransposeB', () => {
    const bt = tf.transpose(b) as tf.Tensor2D;
    const mine = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(matMulTransposeB(x as tf.Tensor2D, y as tf.Tensor2D), w)),
    )([a, bt]);
    const ref = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w)))([
      a,
      bt,
    ]);
    expectClose(mine[0]!, ref[0]!);
    expectClose(mine[1]!, ref[1]!);
  });

  it('gatherRows (repeated indices accumulate)', () => {
    const idx = tf.tensor2d(
      [
        [0, 3],
        [3, 6],
      ],
      [2, 2],
      'int32',
    );
    const ww = tf.randomNormal([2, 2, 9], 0, 1, 'float32', 4);
    const m = tf.transpose(b) as tf.Tensor2D; // [9, 5]… rows of width 5
    const w5 = tf.randomNormal([2, 2, 5], 0, 1, 'float32', 5);
    const mine = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gatherRows(x as tf.Tensor2D, idx), w5)))(m);
    const ref = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), w5)))(m);
    expectClose(mine, ref);
    ww.dispose();
  });

  for (const order of ['probs-transposed', 'theta-transposed'] as const)
    it(`fullSoftmaxLoss (${order} table gradient): value and gradients equal softmax cross-entropy`, () => {
      setFullSoftmaxTableGradient(order);
      const theta = tf.randomNormal([6, 5], 0, 1, 'float32', 6) as tf.Tensor2D;
      const table = tf.randomNormal([11, 5], 0, 1, 'float32', 7) as tf.Tensor2D;
      const targets = tf.tensor1d([0, 3, 3, 10, 7, 1], 'int32');
      const refLoss = (t: tf.Tensor, x: tf.Tensor) =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(targets, 11),
          tf.matMul(t, x, false, true),
          undefined,
          0,
          tf.Reduction.MEAN,
        );
      expectClose(fullSoftmaxLoss(theta, table, targets), refLoss(theta, table) as tf.Tensor);
      const mine = tf.grads((t: tf.Tensor, x: tf.Tensor) =>
        fullSoftmaxLoss(t as tf.Tensor2D, x as tf.Tensor2D, targets),
      )([theta, table]);
      const ref = tf.grads((t: tf.Tensor, x: tf.Tensor) => refLoss(t, x) as tf.Scalar)([theta, table]);
      expectClose(mine[0]!, ref[0]!);
      expectClose(mine[1]!, ref[1]!);
      setFullSoftmaxTableGradient('probs-transposed');
    });

  it('crossEntropyOnFirstColumn: value and gradient equal softmax cross-entropy with label 0', () => {
    const logits = tf.randomNormal([5, 7], 0, 2, 'float32', 8) as tf.Tensor2D;
    const labels = tf.oneHot(tf.zeros([5], 'int32') as tf.Tensor1D, 7);
    const ref = (x: tf.Tensor) =>
      tf.losses.softmaxCrossEntropy(labels, x, undefined, 0, tf.Reduction.MEAN) as tf.Scalar;
    expectClose(crossEntropyOnFirstColumn(logits), ref(logits));
    expectClose(
      tf.grad((x: tf.Tensor) => crossEntropyOnFirstColumn(x as tf.Tensor2D))(logits),
      tf.grad(ref)(logits),
    );
  });
});
