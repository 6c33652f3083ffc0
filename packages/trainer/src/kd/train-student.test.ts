// End to end on a small generated fixture: teacher → stage 1 + bidirectional KD → compositional bundle;
// the SDK's CPU engine must score the exported bundle exactly like the tfjs student; resume continues.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../data/prng.ts';
import { Backbone, type BackboneHyper } from '../model/backbone.ts';
import { CompositionalItemTable } from '../model/compositional.ts';
import { FullItemTable } from '../model/full-table.ts';
import { SessionModel } from '../model/session-model.ts';
import { makeBatches, sessionWindows } from '../train/batches.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { sessionPopularityOrder } from '../data/index.ts';
import { metricsFromRanks } from '../eval/metrics.ts';
import { Distiller, FULL_KD, NO_KD } from './distiller.ts';
import { evaluateWithCpuEngine, sessionCases } from './evaluate-student.ts';
import { prefixVariableNames } from './model-scope.ts';
import { trainStudent, type StudentTrainOptions } from './train-student.ts';

// Tests run on the pure-JS cpu backend (deterministic, no wasm init).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const V = 80;
const hyper: BackboneHyper = {
  dim: 16,
  heads: 2,
  blocks: 1,
  maxLen: 8,
  embScale: 4,
  layerNormEps: 1e-8,
  dropout: 0.1,
};
const tmp = mkdtempSync(join(tmpdir(), 'student-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Sessions that walk through item "neighbourhoods", so there is something to learn. */
function fixtureSessions(n: number, seed: number): Int32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const len = 2 + Math.floor(random() * 9);
    const s = new Int32Array(len);
    s[0] = Math.floor(random() * V);
    for (let t = 1; t < len; t++) s[t] = (s[t - 1]! + 1 + Math.floor(random() * 3)) % V;
    return s;
  });
}

const train = fixtureSessions(300, 1);
const valid = fixtureSessions(40, 2);
const hot = Uint8Array.from({ length: V }, (_, i) => (i % 5 === 0 ? 1 : 0));

function trainedTeacher(): SessionModel {
  const teacher = new SessionModel(
    new Backbone(hyper, { seed: 11 }),
    new FullItemTable(V, hyper.dim, { seed: 12 }),
  );
  const d = new Distiller(hyper.dim, NO_KD, { beta: 0, gamma: 0, tau: 0.2, l2: 0 });
  const opt = tf.train.adam(5e-3);
  const batches = makeBatches(
    train.flatMap((s) => sessionWindows(s, hyper.maxLen)),
    256,
    3,
  );
  for (let epoch = 0; epoch < 3; epoch++)
    batches.forEach((b, i) => d.step(b, teacher, null, hot, epoch * 100 + i, opt));
  prefixVariableNames(teacher.variables(), 'teacher/');
  return teacher;
}

function makeStudent(teacher: SessionModel, seed: number): SessionModel {
  const items = (teacher.table as FullItemTable).items;
  return new SessionModel(
    new Backbone(hyper, { seed }),
    new CompositionalItemTable(() => items, { M: 3, K: 8, mixup: 0.8, seed }),
  );
}

const baseOptions: StudentTrainOptions = {
  pretrainEpochs: 1,
  kdEpochs: 1,
  switches: FULL_KD,
  weights: { beta: 0.5, gamma: 0.3, tau: 0.2, l2: 1e-5 },
  lr: 3e-3,
  positionsPerBatch: 256,
  seed: 5,
  patience: 2,
  maxMinutes: 60,
  checkpointEveryMinutes: 60,
  resume: false,
  validateTeacher: true,
  progress: false,
  log: () => {},
};

describe('trainStudent + export', () => {
  it('exports a compositional bundle whose CPU-engine scores equal the tfjs student (1e-4 relative)', async () => {
    const teacher = trainedTeacher();
    const student = makeStudent(teacher, 21);
    const result = await trainStudent(student, teacher, { train, valid }, hot, {
      ...baseOptions,
      checkpointDir: join(tmp, 'ckpt-a'),
    });
    expect(result.history.map((e) => e.stage)).toEqual(['pretrain', 'kd']);
    expect(result.history[1]!.teacherValid).toBeDefined();
    expect(result.history[1]!.loss.con).toBeGreaterThan(0);
    expect(result.history[0]!.loss.con).toBe(0); // stage 1 has no KD

    const dir = join(tmp, 'bundle');
    await exportModelBundle(dir, student, {
      popularity: sessionPopularityOrder(train, V),
      tableDtype: 'float32',
    });
    const bundle = await readBundleDir(dir);
    expect(bundle.manifest.kind).toBe('compositional');
    expect(bundle.manifest.hyper.M).toBe(3);
    expect(bundle.manifest.hyper.K).toBe(8);
    const codes = bundle.tensors.get('codes')!;
    expect(codes.dtype).toBe('uint8');
    expect(Array.from(codes.data)).toEqual(
      Array.from((student.table as CompositionalItemTable).currentCodes()),
    );
    // --pack-codes: 3 bits per code (K = 8), the same codes after reading, fewer bytes.
    const packedDir = join(tmp, 'bundle-packed');
    await exportModelBundle(packedDir, student, {
      popularity: sessionPopularityOrder(train, V),
      tableDtype: 'float32',
      packCodes: true,
    });
    const packed = await readBundleDir(packedDir);
    const packedEntry = packed.manifest.tensors.find((t) => t.name === 'codes')!;
    expect(packedEntry.bits).toBe(3);
    expect(packedEntry.byteLength).toBe(Math.ceil((V * 3 * 3) / 8));
    expect(Array.from(packed.tensors.get('codes')!.data)).toEqual(Array.from(codes.data));

    const engine = createCpuEngine(bundle);
    const table = student.table.embeddings({ training: false });
    for (const session of valid.slice(0, 10)) {
      const items = session.subarray(0, Math.min(session.length, hyper.maxLen));
      const { theta } = student.thetaAt(
        { batch: 1, len: items.length, items, positions: Int32Array.from([items.length - 1]) },
        false,
      );
      const expected = tf.matMul(theta, table, false, true).dataSync();
      const got = engine.scoreAll(Array.from(items));
      let worst = 0;
      const scale = Math.max(...Array.from(expected, Math.abs));
      for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / scale);
      expect(worst).toBeLessThan(1e-4);
    }
    // The trainer's validation (in-memory bundle) ranks exactly like the CPU engine on the exported bundle.
    const ranks: number[] = [];
    for (const session of valid) {
      for (let t = 1; t < session.length; t++) {
        const prefix = Array.from(session.subarray(Math.max(0, t - hyper.maxLen), t));
        const scores = engine.scoreAll(prefix);
        const label = session[t]!;
        let rank = 1;
        for (let i = 0; i < V; i++)
          if (scores[i]! > scores[label]! || (scores[i] === scores[label] && i < label)) rank++;
        ranks.push(rank);
      }
    }
    const trainerValid = await evaluateWithCpuEngine(student, sessionCases(valid));
    const cpuValid = metricsFromRanks(ranks);
    expect(trainerValid.cases).toBe(cpuValid.cases);
    for (const k of ['P@10', 'NDCG@10', 'MRR@20']) expect(trainerValid[k]).toBeCloseTo(cpuValid[k]!, 3);
    student.dispose();
    teacher.dispose();
  });

  it('anneals the mixup weight η to 0 by the given fraction of the planned epochs with etaAnneal, and keeps it otherwise', async () => {
    const teacher = trainedTeacher();
    for (const etaAnneal of [0.5, undefined]) {
      const student = makeStudent(teacher, 41);
      const table = student.table as CompositionalItemTable;
      const seen: number[] = [];
      const original = table.embeddings.bind(table);
      table.embeddings = (o) => {
        if (o.training) seen.push(table.mixup);
        return original(o);
      };
      const originalRows = table.rows.bind(table);
      table.rows = (idx, o) => {
        if (o.training) seen.push(table.mixup);
        return originalRows(idx, o);
      };
      await trainStudent(student, teacher, { train, valid }, hot, {
        ...baseOptions,
        switches: NO_KD,
        etaAnneal,
      });
      expect(seen.length).toBeGreaterThan(2);
      if (etaAnneal) {
        expect(seen[0]!).toBeCloseTo(0.8, 2); // less by the (tiny) share of the time budget already used
        for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeLessThanOrEqual(seen[i - 1]!);
        // 0 from half-way on (fraction 0.5 of the two planned epochs), and it got there gradually
        expect(seen.at(-1)!).toBe(0);
        expect(seen.filter((eta) => eta > 0 && eta < 0.8).length).toBeGreaterThan(0);
      } else expect(new Set(seen)).toEqual(new Set([0.8]));
      student.dispose();
    }
    teacher.dispose();
  });

  it('resumes from its checkpoint and continues with the next epoch', async () => {
    const teacher = trainedTeacher();
    const student = makeStudent(teacher, 31);
    const ckpt = join(tmp, 'ckpt-b');
    const first = await trainStudent(student, teacher, { train, valid }, hot, {
      ...baseOptions,
      kdEpochs: 0,
      checkpointDir: ckpt,
    });
    expect(first.history).toHaveLength(1);
    const second = await trainStudent(student, teacher, { train, valid }, hot, {
      ...baseOptions,
      kdEpochs: 1,
      checkpointDir: ckpt,
      resume: true,
    });
    expect(second.history.map((e) => [e.epoch, e.stage])).toEqual([
      [1, 'pretrain'],
      [2, 'kd'],
    ]);
    student.dispose();
    teacher.dispose();
  });

  it('numbers epochs as they run when stage 1 is cut short, and lets timers run between batches', async () => {
    const teacher = trainedTeacher();
    const student = makeStudent(teacher, 41);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0); // what redraws a progress bar written to a log
    try {
      const result = await trainStudent(student, teacher, { train, valid }, hot, {
        ...baseOptions,
        pretrainEpochs: 3,
        kdEpochs: 1,
        pretrainMaxMinutes: 0, // stage 1 ends after its first batch: KD begins
      });
      expect(result.history.map((e) => [e.epoch, e.stage])).toEqual([
        [1, 'pretrain'],
        [2, 'kd'],
      ]);
      expect(result.history.map((e) => e.epoch)).toContain(result.bestEpoch);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(1);
    student.dispose();
    teacher.dispose();
  });
});
