// The chunked soft composite (hand-written backward) against tfjs autodiff of the same formula
// (CompositionalCodes.logAlpha + gumbelSoftmax + compose) with the same Gumbel noise: values and every
// gradient, with and without per-item code offsets, chunks that do and do not divide V.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { chunkedSoftComposite } from './chunked-soft-codes.ts';
import { CompositionalCodes, gumbelNoise, gumbelSoftmax } from './compositional-codes.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 2e-4): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  const scale = Math.max(1e-6, ...Array.from(y, Math.abs));
  let nonzero = false;
  for (let i = 0; i < x.length; i++) {
    expect(Math.abs(x[i]! - y[i]!)).toBeLessThanOrEqual(tol * scale);
    if (Math.abs(y[i]!) > 1e-6) nonzero = true;
  }
  expect(nonzero).toBe(true);
}

describe('chunkedSoftComposite = autodiff of the whole-table soft codes', () => {
  const V = 23;
  const N = 6;
  const M = 3;
  const K = 4;
  for (const withOffsets of [false, true]) {
    for (const chunkRows of [5, 23, 64]) {
      it(`offsets ${withOffsets}, chunks of ${chunkRows} rows: values and gradients`, () => {
        const codes = new CompositionalCodes({
          numItems: V,
          dim: N,
          M,
          K,
          gumbelTemperature: 0.3,
          initRange: 0.5,
          seed: 3,
        });
        const X = tf.randomNormal([V, N], 0, 1, 'float32', 11) as tf.Tensor2D;
        const offsets = withOffsets
          ? tf.variable(tf.randomNormal([V, M * K], 0, 2, 'float32', 12) as tf.Tensor2D)
          : null;
        const noise = tf.reshape(gumbelNoise([V, M, K], 13), [V, M * K]) as tf.Tensor2D;
        const target = tf.randomNormal([V, N], 0, 1, 'float32', 14);
        const vars = [...codes.variables(), ...(offsets ? [offsets] : [])];
        const loss = (e: tf.Tensor) => tf.sum(tf.mul(tf.tanh(e), target)) as tf.Scalar;

        const ref = tf.variableGrads(() => {
          const logAlpha = codes.logAlpha(X, offsets);
          const soft = tf.reshape(gumbelSoftmax(logAlpha, 0.3, tf.reshape(noise, [V, M, K])), [V, M * K]);
          return loss(codes.compose(soft as tf.Tensor2D));
        }, vars);
        const mine = tf.variableGrads(
          () =>
            loss(
              chunkedSoftComposite(
                X,
                {
                  w1: codes.mlpW1,
                  b1: codes.mlpB1,
                  w2: codes.mlpW2,
                  b2: codes.mlpB2,
                  codebooks: codes.codebooks,
                },
                offsets,
                {
                  M,
                  K,
                  temperature: 0.3,
                  chunkRows,
                  noise: (start, rows) => tf.slice(noise, [start, 0], [rows, -1]) as tf.Tensor2D,
                },
              ),
            ),
          vars,
        );
        expect(mine.value.dataSync()[0]).toBeCloseTo(ref.value.dataSync()[0]!, 4);
        for (const v of vars) expectClose(mine.grads[v.name]!, ref.grads[v.name]!);
      });
    }
  }

  it('leaves no tensors behind', () => {
    const codes = new CompositionalCodes({
      numItems: V,
      dim: N,
      M,
      K,
      gumbelTemperature: 0.3,
      initRange: 0.5,
      seed: 4,
    });
    const X = tf.randomNormal([V, N], 0, 1, 'float32', 15) as tf.Tensor2D;
    const weights = {
      w1: codes.mlpW1,
      b1: codes.mlpB1,
      w2: codes.mlpW2,
      b2: codes.mlpB2,
      codebooks: codes.codebooks,
    };
    const run = () => {
      const { value, grads } = tf.variableGrads(
        () =>
          tf.sum(
            chunkedSoftComposite(X, weights, null, { M, K, temperature: 0.3, chunkRows: 7, noise: null }),
          ) as tf.Scalar,
        codes.variables(),
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    run();
    const before = tf.memory().numTensors;
    run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
