import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainingThreads } from './backend.ts';
import { registerThreadedWasm, wasmThreadsCount } from './wasm-threads.ts';

/** A loss shaped like a training step's: encoder product, full softmax over a table, L2 on the table. */
function stepLoss(x: tf.Tensor2D, w: tf.Tensor2D, table: tf.Tensor2D, labels: tf.Tensor1D) {
  return tf.tidy(() => {
    const h = tf.relu(tf.matMul(x, w));
    const logits = tf.matMul(h, table, false, true);
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, table.shape[0]), logits);
    return tf.add(ce, tf.mul(1e-3, tf.sum(tf.square(table)))) as tf.Scalar;
  });
}

/** The same random inputs on any backend (a seeded generator in JS, not a backend's random kernels). */
function randomInputs(seed: number) {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const normal = (n: number, scale: number) =>
    Float32Array.from(
      { length: n },
      () => scale * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    );
  return {
    x: tf.tensor2d(normal(96 * 48, 1), [96, 48]),
    w: tf.tensor2d(normal(48 * 64, 0.2), [48, 64]),
    table: tf.tensor2d(normal(3001 * 64, 0.2), [3001, 64]),
    labels: tf.tensor1d(
      Int32Array.from({ length: 96 }, () => Math.floor(next() * 3001)),
      'int32',
    ),
  };
}

/** Loss and its gradients wrt w and table on the current backend, as plain arrays. */
function lossAndGrads(seed: number) {
  const { x, w, table, labels } = randomInputs(seed);
  const g = tf.valueAndGrads((w2: tf.Tensor, t2: tf.Tensor) =>
    stepLoss(x, w2 as tf.Tensor2D, t2 as tf.Tensor2D, labels),
  )([w, table]);
  const out = {
    loss: g.value.dataSync()[0]!,
    dw: Array.from(g.grads[0]!.dataSync()),
    dtable: Array.from(g.grads[1]!.dataSync()),
  };
  tf.dispose([x, w, table, labels, g.value, ...g.grads]);
  return out;
}

const maxAbs = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxAbsDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('tfjs-wasm threaded in Node', () => {
  beforeAll(async () => {
    registerThreadedWasm(2);
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(() => tf.removeBackend('wasm'));

  it('runs XNNPACK on a pool of the threads asked for', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(wasmThreadsCount()).toBe(2);
  });

  it('gives the cpu reference loss and gradients on random inputs', async () => {
    for (const seed of [1, 7, 42]) {
      const threaded = lossAndGrads(seed);
      await tf.setBackend('cpu');
      const reference = lossAndGrads(seed);
      await tf.setBackend('wasm');
      // float32 sums in another order: equal to ~1e-5 of the values' scale.
      expect(Math.abs(threaded.loss - reference.loss)).toBeLessThan(5e-5 * reference.loss);
      expect(maxAbsDiff(threaded.dw, reference.dw)).toBeLessThan(5e-5 * maxAbs(reference.dw));
      expect(maxAbsDiff(threaded.dtable, reference.dtable)).toBeLessThan(5e-5 * maxAbs(reference.dtable));
    }
  });

  it('refuses to replace a backend that is already initialised', () => {
    expect(() => registerThreadedWasm(3)).toThrow(/already initialised/);
  });
});

describe('trainingThreads', () => {
  it('reads SESSION_REC_THREADS and rejects nonsense', () => {
    const saved = process.env.SESSION_REC_THREADS;
    try {
      process.env.SESSION_REC_THREADS = '3';
      expect(trainingThreads()).toBe(3);
      process.env.SESSION_REC_THREADS = 'two';
      expect(() => trainingThreads()).toThrow(/expected an integer 1…8, got "two"/);
      process.env.SESSION_REC_THREADS = '0';
      expect(() => trainingThreads()).toThrow(/1…8/);
    } finally {
      if (saved === undefined) delete process.env.SESSION_REC_THREADS;
      else process.env.SESSION_REC_THREADS = saved;
    }
  });
});

describe('a threaded command', () => {
  it('exits by itself when its work is done (the pool does not keep Node alive)', () => {
    const backend = fileURLToPath(new URL('./backend.ts', import.meta.url));
    const script = `
      const { selectBackend } = await import(${JSON.stringify(backend)});
      const { wasmThreadsCount } = await import(${JSON.stringify(fileURLToPath(new URL('./wasm-threads.ts', import.meta.url)))});
      const tf = await import(${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core')).href)});
      await selectBackend('wasm', 2);
      const s = tf.sum(tf.matMul(tf.ones([200, 300]), tf.ones([300, 100]))).dataSync()[0];
      console.log(JSON.stringify({ threads: wasmThreadsCount(), s }));`;
    // A file, not -e: the pool's workers start with this process's execArgv.
    const file = join(mkdtempSync(join(tmpdir(), 'wasm-threads-')), 'exits.mts');
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, VITEST: '' },
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    expect(child.error, child.stderr.slice(-2000)).toBeUndefined();
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    expect(JSON.parse(child.stdout.trim().split('\n').pop()!)).toEqual({ threads: 2, s: 200 * 100 * 300 });
  });
});
