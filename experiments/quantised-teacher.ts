// How much accuracy does the quantiser alone keep? The teacher's encoder with its item table replaced by
// M×K compositional codes, no training at all — scored by the SDK's CPU engine like `pnpm eval`.
// Compares the student's code start (`--code-init rq`: residual k-means of the table) with additive and
// score-aware additive quantisation (metric S = E[θθᵀ] of the teacher's session representations).
//
//   npx tsx experiments/quantised-teacher.ts --dataset ../shared/datasets/tmall --M 4 --K 32
//
// Prints one JSON line per quantiser (valid subset and full test metrics, score variance kept).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { readDataset, splitValidation } from '@session-rec/trainer/data';
import { evaluateWithCpuEngine, sessionCases } from '@session-rec/trainer/kd';
import {
  Backbone,
  CompositionalItemTable,
  loadTeacherFromBundle,
  residualKMeans,
  scoreAwareQuantise,
  secondMoment,
  SessionModel,
  type FullItemTable,
  type QuantiserResult,
} from '@session-rec/trainer/model';
import { makeBatches, selectBackend, sessionWindows } from '@session-rec/trainer/train';
import * as tf from '@tensorflow/tfjs-core';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string' },
    teacher: { type: 'string' },
    M: { type: 'string', default: '4' },
    K: { type: 'string', default: '32' },
    'valid-limit': { type: 'string', default: '2000' },
    sweeps: { type: 'string', default: '4' },
    only: { type: 'string' },
    'no-test': { type: 'boolean', default: false },
  },
});
if (!values.dataset) throw new Error('--dataset <dir> is required');
await selectBackend(undefined);
const data = readDataset(resolve(values.dataset));
const teacherDir = resolve(values.teacher ?? `apps/demo-shop/public/models/${data.name}-teacher`);
const teacher = await loadTeacherFromBundle(teacherDir, { dropout: 0 });
const seed = Number((await readBundleDir(teacherDir)).manifest.info?.seed ?? 42);
const split = splitValidation(data.trainSessions, { fraction: 0.1, seed: seed });
const M = Number(values.M);
const K = Number(values.K);
const V = data.numItems;
const N = teacher.hyper.dim;
const X = (teacher.table as FullItemTable).items.dataSync() as Float32Array;
const validCases = sessionCases(split.valid.slice(0, Number(values['valid-limit'])));
const log = (l: string) => process.stderr.write(l + '\n');

async function score(
  name: string,
  q: Pick<QuantiserResult, 'codes' | 'codebooks'> & { kept?: number },
  seconds: number,
) {
  const init = new Map([...teacher.backbone.params].map(([n, v]) => [n, v.dataSync() as Float32Array]));
  const table = new CompositionalItemTable(() => (teacher.table as FullItemTable).items, {
    M,
    K,
    mixup: 0,
    seed,
  });
  const distinct = table.setCodes(q.codes, q.codebooks, 4);
  const student = new SessionModel(new Backbone({ ...teacher.hyper, dropout: 0 }, { init }), table);
  const valid = await evaluateWithCpuEngine(student, validCases);
  const test = values['no-test'] ? null : await evaluateWithCpuEngine(student, data.testCases);
  student.dispose();
  const pick = (m: Record<string, number> | null) =>
    m ? { 'P@10': +m['P@10']!.toFixed(2), 'NDCG@10': +m['NDCG@10']!.toFixed(2) } : null;
  console.log(
    JSON.stringify({
      dataset: data.name,
      M,
      K,
      quantiser: name,
      seconds: +seconds.toFixed(1),
      distinct,
      scoreVarianceKept: q.kept,
      valid: pick(valid),
      test: pick(test),
    }),
  );
}

/** S = E[θθᵀ] over ~`positions` random training prefixes, θ from `model` in inference mode. */
function teacherSessionMoment(
  model: SessionModel,
  sessions: Int32Array[],
  seed: number,
  positions = 20_000,
): Float64Array {
  const N = model.hyper.dim;
  const windows = sessions.flatMap((s) => sessionWindows(s, model.hyper.maxLen));
  const batches = makeBatches(windows, 512, seed * 97 + 11);
  const chunks: Float32Array[] = [];
  let n = 0;
  for (const batch of batches) {
    if (n >= positions) break;
    const theta = tf.tidy(() => {
      const { theta } = model.thetaAt(batch, false);
      return theta.dataSync() as Float32Array;
    });
    chunks.push(theta.slice());
    n += batch.positions.length;
  }
  const all = new Float32Array(n * N);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return secondMoment(all, n, N);
}

const wanted = (name: string) => !values.only || values.only.split(',').includes(name);
const sweeps = Number(values.sweeps);
if (wanted('teacher')) {
  const valid = await evaluateWithCpuEngine(teacher, validCases);
  console.log(
    JSON.stringify({
      dataset: data.name,
      quantiser: 'none (teacher)',
      valid: { 'P@10': +valid['P@10']!.toFixed(2), 'NDCG@10': +valid['NDCG@10']!.toFixed(2) },
    }),
  );
}
if (wanted('rq')) {
  const t = performance.now();
  const rq = residualKMeans(X, V, N, M, K, { iterations: 15, seed });
  await score('residual k-means (rq)', rq, (performance.now() - t) / 1000);
}
if (wanted('aq')) {
  const t = performance.now();
  const aq = scoreAwareQuantise(X, V, N, M, K, { sweeps, seed, log });
  await score(
    `additive, L2 (${sweeps} sweeps)`,
    { ...aq, kept: aq.scoreVarianceKept },
    (performance.now() - t) / 1000,
  );
}
if (wanted('aq-query')) {
  const t = performance.now();
  const S = teacherSessionMoment(teacher, split.train, seed);
  const aq = scoreAwareQuantise(X, V, N, M, K, { metric: S, sweeps, seed, log });
  await score(
    `additive, score-aware (${sweeps} sweeps)`,
    { ...aq, kept: aq.scoreVarianceKept },
    (performance.now() - t) / 1000,
  );
}
