import * as tf from '@tensorflow/tfjs';
import { beforeAll, afterEach, describe, expect, it } from 'vitest';
import { Backbone, type BackboneHyper } from '../model/backbone.ts';
import { CompositionalItemTable } from '../model/compositional.ts';
import { FullItemTable } from '../model/full-table.ts';
import { toBatch } from '../train/batches.ts';
import { Distiller, FULL_KD, NO_KD, type KdSwitches, type SessionModel } from './distiller.ts';
import { prefixVariableNames } from './model-scope.ts';

// Tests run on the pure-JS cpu backend (deterministic, no wasm init).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 30;
const hyper: BackboneHyper = {
  dim: 8,
  heads: 2,
  blocks: 1,
  maxLen: 10,
  embScale: 1,
  layerNormEps: 1e-6,
  dropout: 0.1,
};
const weights = { beta: 0.5, gamma: 0.3, tau: 0.2, l2: 1e-5 };
const disposables: { dispose(): void }[] = [];

function models(mixup = 0.8): { teacher: SessionModel; student: SessionModel; hot: Uint8Array } {
  const tTable = new FullItemTable(V, hyper.dim, { seed: 3 });
  const tBackbone = new Backbone(hyper, { seed: 4 });
  const teacher = { backbone: tBackbone, table: tTable };
  prefixVariableNames([...tBackbone.variables(), ...tTable.variables()], 'teacher/');
  const student = {
    backbone: new Backbone(hyper, { seed: 5 }),
    table: new CompositionalItemTable(() => tTable.items, { M: 2, K: 4, mixup, seed: 6 }),
  };
  prefixVariableNames(student.backbone.variables(), 'student/');
  disposables.push(tTable, tBackbone, student.backbone, student.table);
  const hot = Uint8Array.from({ length: V }, (_, i) => (i < 6 ? 1 : 0));
  return { teacher, student, hot };
}

const batch = toBatch([
  { inputs: Int32Array.from([1, 7, 2, 9]), targets: Int32Array.from([7, 2, 9, 11]), lossFrom: 0 },
  { inputs: Int32Array.from([3, 20, 21]), targets: Int32Array.from([20, 21, 4]), lossFrom: 0 },
  { inputs: Int32Array.from([25, 26]), targets: Int32Array.from([26, 27]), lossFrom: 0 }, // only cold
  { inputs: Int32Array.from([0, 5]), targets: Int32Array.from([5, 1]), lossFrom: 0 }, // only hot
]);

afterEach(() => {
  while (disposables.length) disposables.pop()!.dispose();
});

const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));
const changed = (a: number[][], b: number[][]) => a.some((row, i) => row.some((x, j) => x !== b[i][j]));

describe('Distiller', () => {
  it('with the sampled L_rec every term is still present and the step learns', async () => {
    const { NegativeSampler } = await import('../train/sampled-softmax.ts');
    const { teacher, student, hot } = models();
    const sampler = new NegativeSampler(
      Float64Array.from({ length: V }, (_, i) => V - i),
      12,
    );
    const d = new Distiller(hyper.dim, FULL_KD, weights, 5, { kind: 'sampled', sampler });
    disposables.push(d);
    const opt = tf.train.adam(1e-2);
    const first = d.step(batch, student, teacher, hot, 0, opt);
    for (const key of ['rec', 'aux', 'con', 'soft', 'recTeacher'] as const)
      expect(first[key], key).toBeGreaterThan(0);
    let last = first;
    for (let step = 1; step < 20; step++) last = d.step(batch, student, teacher, hot, 0, opt); // same negatives each step
    expect(last.total).toBeLessThan(first.total);
  });

  it('full KD reports every term; each ablation switch removes exactly its term', () => {
    const { teacher, student, hot } = models();
    const cases: [string, KdSwitches, (keyof ReturnType<Distiller['step']>)[]][] = [
      ['full', FULL_KD, []],
      ['no-contrastive', { ...FULL_KD, contrastive: false }, ['con']],
      ['no-soft-targets', { ...FULL_KD, softTargets: false }, ['soft']],
      ['no-bidirectional', { ...FULL_KD, bidirectional: false }, ['recTeacher']],
      ['no-kd', NO_KD, ['con', 'soft', 'recTeacher']],
    ];
    for (const [name, switches, removed] of cases) {
      const d = new Distiller(hyper.dim, switches, weights, 1);
      disposables.push(d);
      const parts = d.step(batch, student, teacher, hot, 0, tf.train.adam(1e-3));
      for (const key of ['rec', 'aux', 'con', 'soft', 'recTeacher'] as const) {
        if (removed.includes(key)) expect(parts[key], `${name}: ${key}`).toBe(0);
        else expect(parts[key], `${name}: ${key}`).toBeGreaterThan(0);
      }
      const expected =
        parts.rec +
        parts.aux +
        weights.beta * parts.con +
        weights.gamma * parts.soft +
        parts.recTeacher +
        parts.l2;
      expect(parts.total).toBeCloseTo(expected, 4);
    }
  });

  it('regularises as l2/2 · Σ‖w‖² over the variables a step trains, as the teacher was trained', () => {
    const { teacher, student, hot } = models();
    const d = new Distiller(hyper.dim, FULL_KD, weights, 1);
    disposables.push(d);
    const skip = new Set(student.table.unregularizedVariables?.() ?? []);
    const sumSq = d
      .trainableVariables(student, teacher)
      .filter((v) => !skip.has(v))
      .reduce((s, v) => s + tf.sum(tf.square(v)).dataSync()[0]!, 0);
    const parts = d.step(batch, student, teacher, hot, 0, tf.train.adam(1e-3));
    expect(parts.l2).toBeCloseTo((weights.l2 / 2) * sumSq, 8);
  });

  it('bidirectional KD updates the teacher; --no-bidirectional leaves it untouched while the student learns', () => {
    for (const bidirectional of [true, false]) {
      const { teacher, student, hot } = models();
      const tVars = [...teacher.backbone.variables(), ...teacher.table.variables()];
      const sVars = [...student.backbone.variables(), ...student.table.variables()];
      const t0 = snapshot(tVars);
      const s0 = snapshot(sVars);
      const d = new Distiller(hyper.dim, { ...FULL_KD, bidirectional }, weights, 2);
      disposables.push(d);
      const opt = tf.train.adam(1e-2);
      for (let step = 0; step < 2; step++) d.step(batch, student, teacher, hot, step, opt);
      expect(changed(snapshot(tVars), t0)).toBe(bidirectional);
      // every student variable moves (backbone, codebooks, code MLP)
      const s1 = snapshot(sVars);
      sVars.forEach((_, i) => expect(changed([s1[i]], [s0[i]]), `student variable ${i}`).toBe(true));
    }
  });

  it('freezeCodeLogits leaves the per-item code logits fixed while the code MLP and codebooks learn', () => {
    for (const freeze of [false, true]) {
      const { teacher, student, hot } = models();
      const table = student.table as CompositionalItemTable;
      table.ensureCodeOffsets();
      const offsets = table.unregularizedVariables();
      const others = table.variables().filter((v) => !offsets.includes(v));
      const o0 = snapshot(offsets);
      const m0 = snapshot(others);
      const d = new Distiller(hyper.dim, FULL_KD, weights, 2, { kind: 'full' }, freeze);
      disposables.push(d);
      const opt = tf.train.adam(1e-2);
      for (let step = 0; step < 2; step++) d.step(batch, student, teacher, hot, step, opt);
      expect(changed(snapshot(offsets), o0)).toBe(!freeze);
      expect(changed(snapshot(others), m0)).toBe(true);
    }
  });

  it('repeated steps on one batch lower the KD objective', () => {
    const { teacher, student, hot } = models();
    const d = new Distiller(hyper.dim, FULL_KD, weights, 3);
    disposables.push(d);
    const opt = tf.train.adam(1e-2);
    const first = d.step(batch, student, teacher, hot, 0, opt).total;
    let last = first;
    for (let step = 1; step < 30; step++) last = d.step(batch, student, teacher, hot, step, opt).total;
    expect(last).toBeLessThan(first * 0.8);
  });

  it('does not leak tensors across steps (full and sampled loss)', async () => {
    const { NegativeSampler } = await import('../train/sampled-softmax.ts');
    const { teacher, student, hot } = models();
    const sampler = new NegativeSampler(
      Float64Array.from({ length: V }, () => 1),
      8,
    );
    for (const recLoss of [{ kind: 'full' as const }, { kind: 'sampled' as const, sampler }]) {
      const d = new Distiller(hyper.dim, FULL_KD, weights, 4, recLoss);
      disposables.push(d);
      const opt = tf.train.adam(1e-3);
      d.step(batch, student, teacher, hot, 0, opt);
      const before = tf.memory().numTensors;
      d.step(batch, student, teacher, hot, 1, opt);
      expect(tf.memory().numTensors, recLoss.kind).toBe(before);
    }
  });
});

describe('CompositionalItemTable', () => {
  it('trains on the mixup η·X + (1−η)·e; --no-mixup trains on e alone; inference uses the argmax codes', () => {
    const X = tf.variable(tf.randomNormal([V, 8], 0, 1, 'float32', 9) as tf.Tensor2D);
    const mixed = new CompositionalItemTable(() => X, { M: 2, K: 4, mixup: 0.8, seed: 7 });
    const plain = new CompositionalItemTable(() => X, { M: 2, K: 4, mixup: 0, seed: 7 });
    disposables.push(mixed, plain, X);
    const eMixed = mixed.embeddings({ training: true });
    const ePlain = plain.embeddings({ training: true }); // same seed and step → same codes and codebooks
    const expected = tf.add(tf.mul(X, 0.8), tf.mul(ePlain, 0.2));
    expect(tf.max(tf.abs(tf.sub(eMixed, expected))).dataSync()[0]).toBeLessThan(1e-5);
    expect(plain.auxLoss()!.dataSync()[0]).toBeGreaterThan(0);
    const inference = plain.embeddings({ training: false });
    expect(plain.auxLoss()).toBeNull();
    const fromCodes = plain.codes.embedHardCodes(plain.currentCodes());
    expect(tf.max(tf.abs(tf.sub(inference, fromCodes))).dataSync()[0]).toBeLessThan(1e-5);
    const exported = plain.exportTensors();
    expect(exported.kind).toBe('compositional');
    expect(exported.tensors.codes.dtype).toBe('uint8');
    expect(Array.from(exported.tensors.codes.data)).toEqual(Array.from(plain.currentCodes()));
    expect(exported.tensors.codebooks.shape).toEqual([2, 4, 8]);
  });

  it('code warm-up separates clusters of small-norm teacher rows (no collapse onto one code)', () => {
    // 8 clusters at the scale of a lightly trained teacher table (‖x‖ ≈ 0.5)
    const centers = tf.mul(tf.randomNormal([8, 8], 0, 1, 'float32', 21), 0.18);
    const assign = tf.tensor1d(
      Array.from({ length: 240 }, (_, i) => i % 8),
      'int32',
    );
    const X = tf.variable(
      tf.add(tf.gather(centers, assign), tf.randomNormal([240, 8], 0, 0.01, 'float32', 22)) as tf.Tensor2D,
    );
    const table = new CompositionalItemTable(() => X, { M: 2, K: 8, mixup: 0.8, seed: 23 });
    disposables.push(table, X);
    const r = table.warmUpCodes(150, { lr: 2e-2, itemsPerStep: 240, seed: 1 });
    expect(r.mseAfter).toBeLessThan(r.mseBefore * 0.5);
    const codes = table.currentCodes();
    const tuples = new Set<string>();
    for (let i = 0; i < 240; i++) tuples.add(`${codes[2 * i]},${codes[2 * i + 1]}`);
    expect(tuples.size).toBeGreaterThanOrEqual(4); // 8 clusters, 64 code tuples: measured 5 here
  });

  it('exports uint16 codes when K > 256', () => {
    const X = tf.variable(tf.randomNormal([V, 8], 0, 1, 'float32', 9) as tf.Tensor2D);
    const table = new CompositionalItemTable(() => X, { M: 1, K: 300, mixup: 0.5 });
    disposables.push(table, X);
    expect(table.exportTensors().tensors.codes.dtype).toBe('uint16');
  });
});

describe('maskedPrefixReadout over all positions', () => {
  it('equals Backbone.readoutAllPrefixes (the same Eq. 3)', async () => {
    const { maskedPrefixReadout } = await import('./sub-session.ts');
    const backbone = new Backbone(hyper, { seed: 8 });
    disposables.push(backbone);
    const x = tf.randomNormal([3, 5, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
    const w = {
      w1: backbone.p('readout.w1'),
      w2: backbone.p('readout.w2'),
      c: backbone.p('readout.c'),
      f: backbone.p('readout.f'),
    } as never;
    const ours = maskedPrefixReadout(x, tf.ones([3, 5]) as tf.Tensor2D, w).theta;
    const theirs = backbone.readoutAllPrefixes(x);
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-5);
  });
});

describe('candidate rows (sampled loss)', () => {
  it('the candidate-local sampled softmax equals the teacher’s sampledSoftmaxLoss on the full table', async () => {
    const { NegativeSampler, sampledSoftmaxLoss } = await import('../train/sampled-softmax.ts');
    const { candidateBatch, candidateSampledSoftmax, candidateTensors } = await import('./candidate-rows.ts');
    const sampler = new NegativeSampler(
      Float64Array.from({ length: V }, (_, i) => (i % 7) + 1),
      10,
    );
    const table = tf.randomNormal([V, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
    const theta = tf.randomNormal([batch.targets.length, 8], 0, 1, 'float32', 4) as tf.Tensor2D;
    const c = candidateBatch(batch, sampler, 17);
    const t = candidateTensors(c, batch);
    const local = candidateSampledSoftmax(
      theta,
      tf.gather(table, t.candidates) as tf.Tensor2D,
      c,
      t,
    ).dataSync()[0];
    const full = sampledSoftmaxLoss(theta, table, batch.targets, sampler, 17).dataSync()[0];
    expect(local).toBeCloseTo(full, 4);
    // the re-indexed session items point at the same items
    expect(Array.from(c.items, (i) => c.candidates[i])).toEqual(Array.from(batch.items));
  });

  it('CompositionalItemTable.rows at inference = the same rows of embeddings()', () => {
    const X = tf.variable(tf.randomNormal([V, 8], 0, 1, 'float32', 9) as tf.Tensor2D);
    const table = new CompositionalItemTable(() => X, { M: 2, K: 4, mixup: 0.8, seed: 7 });
    disposables.push(table, X);
    const idx = tf.tensor1d([3, 0, 29, 3], 'int32');
    const rows = table.rows(idx, { training: false });
    const expected = tf.gather(table.embeddings({ training: false }), idx);
    expect(tf.max(tf.abs(tf.sub(rows, expected))).dataSync()[0]).toBeLessThan(1e-6);
    table.rows(idx, { training: true });
    expect(table.auxLoss()!.dataSync()[0]).toBeGreaterThan(0);
  });
});
