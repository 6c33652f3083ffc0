import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { createTeacher } from '../model/teacher.ts';
import type { SessionModel } from '../model/session-model.ts';
import { trainModel, type TrainOptions } from './loop.ts';
import { seededRandom } from '../data/prng.ts';
import { makeBatches, sessionWindows } from './batches.ts';
import { fullSoftmaxLoss } from './full-softmax.ts';
import { NegativeSampler, sampledSoftmaxLoss } from './sampled-softmax.ts';
import {} from './export-bundle.ts';
import { popularityCounts } from '../data/index.ts';

const V = 30;
const hyper = {
  dim: 8,
  heads: 2,
  blocks: 1,
  maxLen: 6,
  embScale: Math.sqrt(8),
  layerNormEps: 1e-8,
  dropout: 0.3,
};
let dir = '';

/** Sessions with structure to learn: item i is usually followed by item (i + 1) mod V. */
function fixture(count: number, seed: number): Int32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const len = 2 + Math.floor(random() * 8);
    const s = new Int32Array(len);
    s[0] = Math.floor(random() * V);
    for (let t = 1; t < len; t++) s[t] = random() < 0.8 ? (s[t - 1]! + 1) % V : Math.floor(random() * V);
    return s;
  });
}

const base: TrainOptions = {
  epochs: 2,
  lr: 1e-2,
  l2: 1e-5,
  positionsPerBatch: 24,
  seed: 9,
  patience: 5,
  maxMinutes: 60,
  checkpointEveryMinutes: 0,
  resume: false,
  log: () => {},
};

function weights(model: SessionModel): Float32Array[] {
  return model.variables().map((v) => (v.dataSync() as Float32Array).slice());
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'teacher-loop-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('training loop', () => {
  const data = { train: fixture(60, 1), valid: fixture(15, 2) };

  for (const kind of ['full', 'sampled'] as const) {
    it(`${kind} softmax: a few optimizer steps lower the loss on a fixed batch`, async () => {
      const model = createTeacher(V, { ...hyper, dropout: 0 }, 4);
      const batch = makeBatches(
        data.train.flatMap((s) => sessionWindows(s, hyper.maxLen)),
        64,
        1,
      )[0]!;
      const lossOf = () =>
        tf.tidy(() => {
          const { theta, table } = model.thetaAt(batch, false);
          return fullSoftmaxLoss(theta, table, tf.tensor1d(batch.targets, 'int32')).dataSync()[0]!;
        });
      const before = lossOf();
      const sampler = new NegativeSampler(popularityCounts(data.train, V), 8);
      const optimizer = tf.train.adam(1e-2);
      for (let step = 0; step < 5; step++) {
        optimizer.minimize(() => {
          const { theta, table } = model.thetaAt(batch, true);
          if (kind === 'full') return fullSoftmaxLoss(theta, table, tf.tensor1d(batch.targets, 'int32'));
          return sampledSoftmaxLoss(theta, table, batch.targets, sampler, step);
        }, false);
      }
      expect(lossOf()).toBeLessThan(before - 0.05);
      model.dispose();
    });
  }

  it('keepStartUnlessBeaten hands back the starting weights when no epoch beats them', async () => {
    // A trained model, then a fine-tune that can only hurt (gradient ascent), with and without the guard.
    const trained = createTeacher(V, hyper, 5);
    await trainModel(trained, data, { ...base, epochs: 6, lr: 3e-2 });
    const start = weights(trained);
    const wreck = { ...base, epochs: 2, lr: -0.05, patience: 2 };
    const guarded = await trainModel(trained, data, { ...wreck, keepStartUnlessBeaten: true });
    expect(guarded.bestEpoch).toBe(0);
    weights(trained).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(start[i]!)));
    const unguarded = await trainModel(trained, data, wreck);
    expect(unguarded.bestEpoch).toBeGreaterThan(0);
    expect(weights(trained).some((w, i) => w.some((x, j) => x !== start[i]![j]))).toBe(true);
    trained.dispose();
  });

  it('resuming from a mid-epoch checkpoint gives the same weights as an uninterrupted run', async () => {
    const uninterrupted = createTeacher(V, hyper, 3);
    const full = await trainModel(uninterrupted, data, base);
    const ckpt = join(dir, 'ckpt');
    const crashed = createTeacher(V, hyper, 3);
    const crashAt = 3;
    await expect(
      trainModel(crashed, data, {
        ...base,
        checkpointDir: ckpt,
        onStep: (epoch, b) => {
          if (epoch === 1 && b === crashAt) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    // a fresh process: different initial weights, everything must come from the checkpoint
    const resumed = createTeacher(V, hyper, 77);
    const rest = await trainModel(resumed, data, { ...base, checkpointDir: ckpt, resume: true });
    expect(rest.history.map((e) => e.valid)).toEqual(full.history.map((e) => e.valid));
    const a = weights(uninterrupted);
    const b = weights(resumed);
    // equal up to float rounding: tfjs's Adam.setWeights recomputes β^t as pow(β, t) where the
    // uninterrupted run multiplied β in step by step
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < a[i]!.length; j++)
        expect(Math.abs(b[i]![j]! - a[i]![j]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(a[i]![j]!)));
    }
    // and training did move the weights (the comparison is not vacuous)
    const init = weights(createTeacher(V, hyper, 3));
    expect(Array.from(a[0]!)).not.toEqual(Array.from(init[0]!));
  });
});
