// The tensor-train baselines' tfjs tables (training side) against the SDK's CPU reconstruction (device
// side): same rows from the same cores, gradients that are the true derivatives, and an exported bundle
// that the CPU engine scores exactly as the trainer does.
import * as tf from '@tensorflow/tfjs';
import { decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { createSttdTableFromCores } from '@session-rec/sdk/engine/cpu/sttd';
import { createTtTableFromCores } from '@session-rec/sdk/engine/cpu/tt';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeModelBundle } from '../train/export-bundle.ts';
import { Backbone, type BackboneHyper } from './backbone.ts';
import type { ItemTable } from './item-table.ts';
import { SessionModel } from './session-model.ts';
import { SttdItemTable } from './sttd-table.ts';
import { TtItemTable } from './tt-table.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const disposables: { dispose(): void }[] = [];
afterEach(() => {
  while (disposables.length) disposables.pop()!.dispose();
});
function keep<T extends { dispose(): void }>(x: T): T {
  disposables.push(x);
  return x;
}

/** Max |a − b| relative to max |b| over the whole table. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

function cpuRows(table: {
  numItems: number;
  dim: number;
  embedInto(i: number, out: Float32Array, offset: number): void;
}): Float32Array {
  const rows = new Float32Array(table.numItems * table.dim);
  for (let i = 0; i < table.numItems; i++) table.embedInto(i, rows, i * table.dim);
  return rows;
}

const ttShapes = [
  { V: 60, p: [3, 4, 5], q: [2, 3, 2], ranks: [3, 4] },
  { V: 53, p: [3, 4, 5], q: [4, 2, 2], ranks: [5, 2] }, // V short of ∏p
  { V: 37, p: [7, 6], q: [4, 4], ranks: [6] },
  { V: 100, p: [2, 3, 4, 5], q: [2, 2, 1, 3], ranks: [2, 5, 3] },
];
const sttdShapes: { V: number; I: [number, number]; J: [number, number]; rank: number; t: number }[] = [
  { V: 35, I: [5, 7], J: [4, 4], rank: 6, t: 2 },
  { V: 31, I: [5, 7], J: [2, 6], rank: 4, t: 2 }, // V short of I1·I2
  { V: 40, I: [8, 5], J: [3, 6], rank: 9, t: 3 },
];

describe('TtItemTable (tfjs)', () => {
  for (const s of ttShapes) {
    it(`rows = the CPU engine's reconstruction (1e-5): V=${s.V} p=${s.p} q=${s.q} ranks=${s.ranks}`, () => {
      const dim = s.q.reduce((a, b) => a * b, 1);
      const table = keep(
        new TtItemTable(s.V, dim, { p: s.p, q: s.q, ranks: s.ranks, initStd: 0.5, seed: s.V }),
      );
      const rows = tf.tidy(() => table.embeddings({ training: false }).dataSync() as Float32Array);
      const cores = table.cores.map((c) => c.dataSync() as Float32Array);
      const cpu = cpuRows(createTtTableFromCores(table.geometry, cores));
      expect(rows.length).toBe(s.V * dim);
      expect(relativeError(rows, cpu)).toBeLessThan(1e-5);
    });
  }

  it('counts the issue configuration: Tmall 172,176 parameters', () => {
    const table = keep(new TtItemTable(40727, 128, { p: [30, 34, 40], q: [4, 4, 8], ranks: [34, 34] }));
    expect(table.paramCount).toBe(172176);
    expect(table.variables().reduce((n, v) => n + v.size, 0)).toBe(172176);
  });

  it('sampled-Gaussian init gives rows with the target spread (TT-Rec)', () => {
    const table = keep(
      new TtItemTable(2000, 64, { p: [10, 10, 20], q: [4, 4, 4], ranks: [16, 16], initStd: 0.05, seed: 2 }),
    );
    const rows = tf.tidy(() => table.embeddings({ training: false }).dataSync() as Float32Array);
    const std = Math.sqrt(rows.reduce((a, x) => a + x * x, 0) / rows.length);
    expect(std).toBeGreaterThan(0.05 * 0.8);
    expect(std).toBeLessThan(0.05 * 1.25);
  });
});

describe('SttdItemTable (tfjs)', () => {
  for (const s of sttdShapes) {
    it(`rows = the CPU engine's reconstruction (1e-5): V=${s.V} I=${s.I} J=${s.J} R=${s.rank} t=${s.t}`, () => {
      const dim = s.J[0] * s.J[1];
      const table = keep(
        new SttdItemTable(s.V, dim, { I: s.I, J: s.J, rank: s.rank, t: s.t, initStd: 0.5, seed: s.V }),
      );
      const rows = tf.tidy(() => table.embeddings({ training: false }).dataSync() as Float32Array);
      const cpu = cpuRows(
        createSttdTableFromCores(
          table.geometry,
          table.g1.dataSync() as Float32Array,
          table.g2.dataSync() as Float32Array,
        ),
      );
      expect(rows.length).toBe(s.V * dim);
      expect(relativeError(rows, cpu)).toBeLessThan(1e-5);
    });
  }

  it('counts the issue configuration per Eq. 8: Tmall 30.3×', () => {
    const table = keep(new SttdItemTable(40727, 128, { I: [169, 241], J: [16, 8], rank: 54 }));
    expect(table.paramCount).toBe(169 * 16 * 54 + 27 * 964);
    expect((40727 * 128) / table.paramCount).toBeCloseTo(30.3, 1);
  });
});

describe('gradients', () => {
  // L = Σ rows ⊙ W is linear in each core on its own, so L(core + D) − L(core) = ⟨∂L/∂core, D⟩ exactly
  // (up to float rounding): a directional-derivative check without finite-difference noise.
  const tables: [string, () => ItemTable][] = [
    [
      'tt',
      () => new TtItemTable(53, 16, { p: [3, 4, 5], q: [4, 2, 2], ranks: [5, 2], initStd: 0.5, seed: 9 }),
    ],
    ['sttd', () => new SttdItemTable(31, 12, { I: [5, 7], J: [2, 6], rank: 4, t: 2, initStd: 0.5, seed: 9 })],
  ];
  for (const [kind, make] of tables) {
    it(`${kind}: ∂L/∂core is the directional derivative of the rebuilt table`, () => {
      const table = keep(make());
      const W = tf.randomNormal([table.numItems, table.dim], 0, 1, 'float32', 4);
      const loss = () => tf.sum(tf.mul(table.embeddings({ training: false }), W)) as tf.Scalar;
      const { grads } = tf.variableGrads(loss, table.variables());
      for (const [k, v] of table.variables().entries()) {
        const D = tf.randomNormal(v.shape, 0, 1, 'float32', 10 + k);
        const before = tf.tidy(() => loss().dataSync()[0]);
        const original = v.clone();
        v.assign(tf.add(v, D));
        const after = tf.tidy(() => loss().dataSync()[0]);
        v.assign(original);
        const predicted = tf.tidy(() => tf.sum(tf.mul(grads[v.name], D)).dataSync()[0]);
        expect(Math.abs(after - before - predicted)).toBeLessThan(1e-3 * Math.max(1, Math.abs(predicted)));
        tf.dispose([D, original]);
      }
      tf.dispose([W, ...Object.values(grads)]);
    });
  }
});

describe('distillation terms', () => {
  it('L_mse to the teacher table and mixup only in training; no gradient reaches the teacher through them', () => {
    const teacher = tf.variable(
      tf.randomNormal([35, 16], 0, 0.1, 'float32', 5) as tf.Tensor2D,
      true,
      'teacher-items-test',
    );
    disposables.push(teacher);
    const table = keep(
      new SttdItemTable(35, 16, {
        I: [5, 7],
        J: [4, 4],
        rank: 6,
        seed: 1,
        distillation: { teacherItems: () => teacher, mse: true, mixup: 0.8 },
      }),
    );
    const own = tf.tidy(() => table.embeddings({ training: false }).dataSync() as Float32Array);
    expect(table.auxLoss()).toBeNull();
    const { value, grads } = tf.variableGrads(() => {
      const mixed = table.embeddings({ training: true });
      const mse = table.auxLoss()!;
      const expectedMixed = tf.add(tf.mul(teacher, 0.8), tf.mul(tf.tensor2d(own, [35, 16]), 0.2));
      expect(relativeError(mixed.dataSync(), expectedMixed.dataSync())).toBeLessThan(1e-5);
      const expectedMse = tf.mean(tf.sum(tf.square(tf.sub(tf.tensor2d(own, [35, 16]), teacher)), 1));
      expect(mse.dataSync()[0]).toBeCloseTo(expectedMse.dataSync()[0], 5);
      return tf.add(mse, tf.sum(mixed)) as tf.Scalar;
    }, [...table.variables(), teacher]);
    expect(tf.max(tf.abs(grads[teacher.name])).dataSync()[0]).toBe(0);
    expect(tf.max(tf.abs(grads[table.g1.name])).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
  });
});

describe('export → bundle → CPU engine', () => {
  const hyper: BackboneHyper = {
    dim: 16,
    heads: 2,
    blocks: 1,
    maxLen: 10,
    embScale: 1,
    layerNormEps: 1e-6,
    dropout: 0,
  };
  const makers: [string, () => ItemTable][] = [
    [
      'tt',
      () => new TtItemTable(53, 16, { p: [3, 4, 5], q: [4, 2, 2], ranks: [5, 2], initStd: 0.3, seed: 2 }),
    ],
    ['sttd', () => new SttdItemTable(31, 16, { I: [5, 7], J: [2, 8], rank: 6, initStd: 0.3, seed: 2 })],
  ];
  for (const [kind, make] of makers) {
    it(`${kind}: the CPU engine's scores for a session = the trainer's (1e-4 relative)`, async () => {
      const model = keep(new SessionModel(new Backbone(hyper, { seed: 3 }), make()));
      const V = model.table.numItems;
      const popularity = Uint32Array.from({ length: V }, (_, i) => i);
      const bundle = decodeBundleFromFiles(
        await encodeModelBundle(model, { popularity, tableDtype: 'float32' }),
      );
      const engine = createCpuEngine(await bundle);
      expect((await bundle).manifest.kind).toBe(kind);
      for (const session of [[4], [1, 7, 2, 9, 30], [20, 20, 3, 0, 11, 5, 8]]) {
        const expected = tf.tidy(() => {
          const { theta, table } = model.thetaAt(
            {
              batch: 1,
              len: session.length,
              items: Int32Array.from(session),
              positions: Int32Array.from([session.length - 1]),
            },
            false,
          );
          return tf.matMul(theta, table, false, true).dataSync() as Float32Array;
        });
        expect(relativeError(engine.scoreAll(session), expected)).toBeLessThan(1e-4);
      }
    });
  }
});
