// Issue 18's "same results" check: the training paths that pnpm bench:train compares ('before' = the table
// gradients as (θᵀ·softmax)ᵀ and the soft codes by tfjs autodiff; 'after' = softmaxᵀ·θ and the soft codes
// in chunks with a recomputing backward, forced on here although Tmall's 'auto' would not chunk), each
// trained from the same initialisation with the same seed on the same subset, then validated.
//
//   npx tsx experiments/train-speed-equivalence.ts [--dataset ../shared/datasets/tmall] [--sessions 6000]
//     [--paths before,after] [--student-seed 3]
//
// Prints one JSON line per (model, path) with validation P@10 / NDCG@10 and the wall time.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hotColdSplit, popularityCounts, readDataset } from '@session-rec/trainer/data';
import { Distiller, NO_KD, paperKdDefaults } from '@session-rec/trainer/kd';
import {
  Backbone,
  CompositionalItemTable,
  createTeacher,
  FullItemTable,
  SessionModel,
  setSoftCodeChunkRows,
  teacherPreset,
} from '@session-rec/trainer/model';
import {
  evaluateSessions,
  makeBatches,
  selectBackend,
  sessionWindows,
  setFullSoftmaxTableGradient,
  trainModel,
} from '@session-rec/trainer/train';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: '../shared/datasets/tmall' },
    sessions: { type: 'string', default: '6000' },
    valid: { type: 'string', default: '1500' },
    /** The student table's seed (its Gumbel noise stream): rerun one path with another to see the spread. */
    'student-seed': { type: 'string', default: '3' },
    paths: { type: 'string', default: 'before,after' },
  },
});
await selectBackend('wasm');
const data = readDataset(resolve(values.dataset!));
const nTrain = Number(values.sessions);
const train = data.trainSessions.slice(0, nTrain);
const valid = data.trainSessions.slice(nTrain, nTrain + Number(values.valid));
const preset = teacherPreset(data.name);
const hyper = { ...preset, embScale: Math.sqrt(preset.dim) };
const paths = (
  [
    { name: 'before', order: 'theta-transposed', chunkRows: 0 },
    { name: 'after', order: 'probs-transposed', chunkRows: 4096 },
    // What a Tmall run gets by default: the new gradient order, soft codes by autodiff ('auto').
    { name: 'after-auto', order: 'probs-transposed', chunkRows: 'auto' },
  ] as const
).filter((p) => values.paths!.split(',').includes(p.name));
const studentSeed = Number(values['student-seed']);
const pick = (m: Record<string, number>) => ({ 'P@10': m['P@10'], 'NDCG@10': m['NDCG@10'] });

for (const path of paths) {
  setFullSoftmaxTableGradient(path.order);
  setSoftCodeChunkRows(path.chunkRows);
  const t0 = performance.now();
  // Teacher: one epoch of full-softmax training from a fixed initialisation.
  const teacher = createTeacher(data.numItems, hyper, 7);
  await trainModel(
    teacher,
    { train, valid },
    {
      epochs: 1,
      lr: 1e-3,
      l2: 0,
      positionsPerBatch: 512,
      seed: 7,
      patience: 5,
      maxMinutes: 30,
      checkpointEveryMinutes: 1e9,
      resume: false,
      loss: { kind: 'full' },
      log: () => {},
    },
  );
  const teacherValid = await evaluateSessions(teacher, valid);
  const teacherSeconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({ model: 'teacher', path: path.name, ...pick(teacherValid), seconds: teacherSeconds }),
  );

  // Student stage 1 (compositional, code logits trained) on that teacher, one epoch.
  const t1 = performance.now();
  const teacherItems = (teacher.table as FullItemTable).items;
  const table = new CompositionalItemTable(() => teacherItems, {
    M: 4,
    K: 32,
    mixup: 0.8,
    seed: studentSeed,
  });
  table.ensureCodeOffsets();
  const student = new SessionModel(new Backbone(hyper, { seed: 4 }), table);
  const kd = paperKdDefaults(data.name);
  const distiller = new Distiller(
    hyper.dim,
    NO_KD,
    { beta: kd.beta, gamma: kd.gamma, tau: kd.tau, l2: 0 },
    1,
  );
  const hot = hotColdSplit(popularityCounts(train, data.numItems), 0.2);
  const optimizer = tf.train.adam(1e-3);
  const batches = makeBatches(
    train.flatMap((s) => sessionWindows(s, hyper.maxLen)),
    512,
    11,
  );
  batches.forEach((b, i) => distiller.step(b, student, null, hot, i + 1, optimizer));
  const studentValid = await evaluateSessions(student, valid);
  console.log(
    JSON.stringify({
      model: 'student-stage1',
      path: path.name,
      studentSeed,
      ...pick(studentValid),
      seconds: (performance.now() - t1) / 1000,
    }),
  );
  optimizer.dispose();
  distiller.dispose();
  tf.dispose([...teacher.variables(), ...student.backbone.variables(), ...table.variables()]);
}
