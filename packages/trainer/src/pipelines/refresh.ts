// The refresh pipeline (`pnpm train refresh`, issue 20): a new period of clicks into an updated bundle in
// minutes, warm-started from the previous compositional bundle and its teacher instead of from scratch.
//   1. vocabulary: previous items keep their ids and order, the dataset's new items are appended, with
//      --drop-missing the items the dataset no longer has are removed (refresh/vocabulary.ts);
//   2. teacher: the previous backbone and rows; new items' rows from their neighbours in the new sessions
//      (refresh/new-item-rows.ts); a short fine-tune (train/loop.ts);
//   3. student: the previous encoder, codebooks and codes; new items coded by the nearest composite of the
//      existing codewords to their fine-tuned teacher row (residualEncode); a short stage-1 fine-tune
//      (kd/train-student.ts, teacher frozen);
//   4. popularity order from the new sessions, prior and repeat head refitted on the new validation
//      sessions (pipelines/repeat-head.ts) when the previous bundle had them;
//   5. the bundle (new version, `info.refreshedFrom` provenance) and the fine-tuned teacher, written
//      atomically, the teacher last: a failure leaves neither half-written.
import { rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  MIN_POPULARITY_LENGTH,
  POPULARITY_PRIOR_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
  type ModelBundle,
} from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import {
  datasetItemId,
  hotColdSplit,
  popularityCounts,
  readDataset,
  sessionPopularityOrder,
  splitValidation,
} from '../data/index.ts';
import { num, optional } from '../flags.ts';
import { NO_KD, paperKdDefaults } from '../kd/distiller.ts';
import { evaluateWithCpuEngine } from '../kd/evaluate-student.ts';
import { prefixVariableNames } from '../kd/model-scope.ts';
import { trainStudent } from '../kd/train-student.ts';
import { Backbone } from '../model/backbone.ts';
import { CompositionalItemTable } from '../model/compositional.ts';
import type { FullItemTable } from '../model/full-table.ts';
import { SessionModel } from '../model/session-model.ts';
import { teacherFromBundle, teacherPreset } from '../model/teacher.ts';
import { refreshedCodes } from '../refresh/new-item-codes.ts';
import { fillNewItemRows } from '../refresh/new-item-rows.ts';
import { carryRows, planVocabulary, remapSessions } from '../refresh/vocabulary.ts';
import { selectBackend, type BackendName } from '../train/backend.ts';
import { encodeModelBundle, exportModelBundle } from '../train/export-bundle.ts';
import { trainModel } from '../train/loop.ts';
import { NegativeSampler } from '../train/sampled-softmax.ts';
import { headlineMetrics, machineInfo, round2, writeReport } from './report.ts';
import {
  REPEAT_HEAD_DEFAULTS,
  fitRepeatHeadPipeline,
  repeatHeadConfig,
  type RepeatHeadFlags,
} from './repeat-head.ts';

export interface RefreshFlags {
  bundle: string;
  teacher: string;
  dataset: string;
  out: string;
  teacherOut?: string;
  report?: string;
  maxMinutes: string;
  teacherShare: string;
  teacherEpochs: string;
  studentEpochs: string;
  dropMissing?: boolean;
  head: boolean;
  window: string;
  codeMargin: string;
  seed?: string;
  validFraction: string;
  validLimit: string;
  lr: string;
  batchPositions: string;
  negatives: string;
  backend?: string;
  progress: boolean;
}

export type RefreshConfig = ReturnType<typeof refreshConfig>;

const int =
  (flag: string, min = 1) =>
  (v: string) =>
    num(v, flag, { integer: true, min });
const fraction = (v: string, flag: string) => {
  const x = num(v, flag, { min: 0 });
  if (x > 1) throw new RangeError(`--${flag}: expected a number in [0, 1], got "${v}"`);
  return x;
};

/** Every flag parsed and checked; nothing read yet. */
export function refreshConfig(flags: RefreshFlags, command: string) {
  const out = resolve(flags.out);
  return {
    bundleDir: resolve(flags.bundle),
    teacherDir: resolve(flags.teacher),
    datasetDir: resolve(flags.dataset),
    out,
    teacherOut: resolve(flags.teacherOut ?? `${out}-teacher`),
    report: resolve(flags.report ?? join(dirname(out), `${basename(out)}-report.json`)),
    maxMinutes: num(flags.maxMinutes, 'max-minutes', { min: 0 }),
    teacherShare: fraction(flags.teacherShare, 'teacher-share'),
    teacherEpochs: int('teacher-epochs', 0)(flags.teacherEpochs),
    studentEpochs: int('student-epochs', 0)(flags.studentEpochs),
    dropMissing: Boolean(flags.dropMissing),
    head: flags.head,
    window: int('window')(flags.window),
    codeMargin: num(flags.codeMargin, 'code-margin', { min: 0 }),
    seed: optional(flags.seed, int('seed', 0)),
    validFraction: fraction(flags.validFraction, 'valid-fraction'),
    validLimit: int('valid-limit')(flags.validLimit),
    lr: num(flags.lr, 'lr', { min: 0 }),
    positionsPerBatch: int('batch-positions')(flags.batchPositions),
    negatives: int('negatives')(flags.negatives),
    backend: flags.backend as BackendName | undefined,
    progress: flags.progress,
    command,
  };
}

/** The two bundles belong together and to a refresh: kinds, encoder shapes, vocabularies. */
export function checkRefreshInputs(
  student: ModelBundle,
  teacher: ModelBundle,
  dirs: { bundle: string; teacher: string },
) {
  const s = student.manifest;
  const t = teacher.manifest;
  if (s.kind !== 'compositional')
    throw new TypeError(`--bundle ${dirs.bundle}: expected a 'compositional' bundle, got '${s.kind}'`);
  if (t.kind !== 'full')
    throw new TypeError(`--teacher ${dirs.teacher}: expected a 'full' (teacher) bundle, got '${t.kind}'`);
  for (const key of ['dim', 'heads', 'blocks', 'maxLen'] as const)
    if (s.hyper[key] !== t.hyper[key])
      throw new RangeError(
        `--teacher ${dirs.teacher} has ${key} ${t.hyper[key]}, --bundle ${dirs.bundle} ${s.hyper[key]}: not the bundle's teacher`,
      );
  const V = s.hyper.numItems;
  if (t.hyper.numItems !== V)
    throw new RangeError(`--teacher has ${t.hyper.numItems} items, --bundle ${V}: not the bundle's teacher`);
  for (let i = 0; i < V; i++)
    if (student.itemIds(i) !== teacher.itemIds(i))
      throw new RangeError(
        `--teacher item ${i} is id ${JSON.stringify(teacher.itemIds(i))}, --bundle's ${JSON.stringify(student.itemIds(i))}: not the bundle's teacher`,
      );
}

const float32 = (b: ModelBundle, name: string): Float32Array => {
  const data = b.tensors.get(name)?.data;
  if (!(data instanceof Float32Array)) throw new TypeError(`bundle has no float32 tensor '${name}'`);
  return data;
};

/** Which weights a fine-tune handed back: epoch 0 is the warm start, kept when no epoch beat it. */
const kept = (bestEpoch: number) =>
  bestEpoch === 0 ? 'kept the warm start (no epoch beat it on validation)' : `kept epoch ${bestEpoch}`;

/** A manifest's info without what describes its head: the refreshed bundles' heads are refitted or absent. */
function withoutHeadInfo(info: Record<string, unknown>): Record<string, unknown> {
  const { popularityPrior: _prior, repeatHead: _head, ...rest } = info;
  return rest;
}

export async function refreshPipeline(config: RefreshConfig) {
  const t0 = performance.now();
  const started = new Date();
  const minutes = () => (performance.now() - t0) / 60_000;
  const log = (l: string) => process.stderr.write(`refresh: ${l}\n`);
  const previous = await readBundleDir(config.bundleDir);
  const previousTeacher = await readBundleDir(config.teacherDir);
  checkRefreshInputs(previous, previousTeacher, { bundle: config.bundleDir, teacher: config.teacherDir });
  const data = readDataset(config.datasetDir);
  if (data.trainSessions.length === 0)
    throw new RangeError(`--dataset ${config.datasetDir}: train.txt has no sessions`);
  const backend = await selectBackend(config.backend);

  const plan = planVocabulary(
    { count: previous.manifest.hyper.numItems, itemIds: previous.itemIds, itemIndex: previous.itemIndex },
    Array.from({ length: data.numItems }, (_, i) => datasetItemId(data)(i)),
    { dropMissing: config.dropMissing },
  );
  const V = plan.ids.length;
  const sessions = remapSessions(data.trainSessions, plan.fromDataset);
  const seed = config.seed ?? Number(previous.manifest.info?.seed ?? 42);
  const split = splitValidation(sessions, { fraction: config.validFraction, seed });
  if (split.valid.length === 0 || split.train.length === 0)
    throw new RangeError(
      `--dataset ${config.datasetDir}: ${sessions.length} sessions leave no training or validation sessions at --valid-fraction ${config.validFraction}`,
    );
  log(
    `${previous.manifest.hyper.numItems} → ${V} items (${plan.newItems} new, ${plan.droppedItems} dropped); ` +
      `${split.train.length} train / ${split.valid.length} valid sessions; backend ${backend}`,
  );

  // Teacher: previous rows carried by id, new rows from their neighbours, then a short fine-tune.
  const N = previous.manifest.hyper.dim!;
  const known = Uint8Array.from(plan.previousIndex, (p) => (p >= 0 ? 1 : 0));
  const rows = carryRows(float32(previousTeacher, 'items'), N, plan, (n) => new Float32Array(n));
  const newRows = fillNewItemRows(rows, N, known, split.train, config.window);
  const dropout = Number(previousTeacher.manifest.info?.dropout ?? teacherPreset(data.name).dropout);
  const teacher = teacherFromBundle(previousTeacher, config.teacherDir, {
    dropout,
    items: { data: rows, numItems: V },
  });
  const counts = popularityCounts(split.train, V);
  // As the teacher's --loss auto: full softmax where it is cheap, sampled on wasm/cpu for a large catalogue.
  const sampled = backend !== 'tensorflow' && backend !== 'webgpu' && V > config.negatives;
  const recLoss = sampled
    ? { kind: 'sampled' as const, sampler: new NegativeSampler(Float64Array.from(counts), config.negatives) }
    : { kind: 'full' as const };
  const common = { lr: config.lr, positionsPerBatch: config.positionsPerBatch, seed, patience: 1 };
  // Early stopping and the fine-tunes' validation on a fixed subset (all-item ranking costs V·N a position);
  // the head is fitted on every validation session.
  const validSubset = { train: split.train, valid: split.valid.slice(0, config.validLimit) };
  const teacherRun = await trainModel(teacher, validSubset, {
    ...common,
    epochs: config.teacherEpochs,
    l2: 1e-5,
    maxMinutes: config.maxMinutes * config.teacherShare,
    checkpointEveryMinutes: 0,
    resume: false,
    keepStartUnlessBeaten: true,
    progress: config.progress,
    loss: recLoss,
  });
  log(
    `teacher fine-tune: ${teacherRun.stopReason}; ${kept(teacherRun.bestEpoch)} (${minutes().toFixed(2)} min)`,
  );

  // Student: previous encoder, codebooks and codes; new items coded from their fine-tuned teacher rows.
  prefixVariableNames(teacher.variables(), 'teacher/');
  const teacherItems = (teacher.table as FullItemTable).items;
  const { M, K } = previous.manifest.hyper as { M: number; K: number };
  const codebooks = float32(previous, 'codebooks');
  const codes = refreshedCodes(
    previous.tensors.get('codes')!.data,
    codebooks,
    teacherItems.dataSync() as Float32Array,
    plan,
    { M, K, N },
  );
  const info = previous.manifest.info ?? {};
  const eta = typeof info.eta === 'number' ? info.eta : paperKdDefaults(data.name).eta;
  const table = new CompositionalItemTable(() => teacherItems, { M, K, mixup: eta, seed });
  table.setCodes(codes, codebooks, config.codeMargin);
  const init = new Map<string, Float32Array>();
  for (const [name, t] of previous.tensors) if (t.data instanceof Float32Array) init.set(name, t.data);
  const student = new SessionModel(new Backbone(teacher.hyper, { seed: seed + 1, init }), table);
  const studentMinutes = Math.max(0, config.maxMinutes - minutes());
  const studentRun = await trainStudent(student, teacher, split, hotColdSplit(counts, 0.2), {
    ...common,
    recLoss,
    pretrainEpochs: config.studentEpochs,
    kdEpochs: 0,
    switches: NO_KD,
    weights: { ...paperKdDefaults(data.name), l2: 1e-5 },
    maxMinutes: studentMinutes,
    checkpointEveryMinutes: 0,
    resume: false,
    keepStartUnlessBeaten: true,
    validateTeacher: false,
    validLimit: config.validLimit,
    progress: config.progress,
  });
  log(
    `student fine-tune: ${studentRun.stopReason}; ${kept(studentRun.bestEpoch)} (${minutes().toFixed(2)} min)`,
  );

  const testCases = data.testCases.map((c) => ({
    prefix: Array.from(c.prefix, (d) => plan.fromDataset[d]!),
    label: plan.fromDataset[c.label]!,
  }));
  const test = testCases.length > 0 ? await evaluateWithCpuEngine(student, testCases) : null;
  const order = sessionPopularityOrder(sessions, V);
  const refreshedFrom = {
    version: previous.manifest.version,
    teacherVersion: previousTeacher.manifest.version,
    dataset: data.name,
    datasetDir: config.datasetDir,
    newItems: plan.newItems,
    droppedItems: plan.droppedItems,
    newItemRows: newRows,
    /** The fine-tunes' kept epochs: 0 = the warm start, no epoch beat it on validation. */
    teacherEpochKept: teacherRun.bestEpoch,
    studentEpochKept: studentRun.bestEpoch,
    minutes: round2(minutes()),
  };
  const earlier = withoutHeadInfo(info);
  const studentFiles = await encodeModelBundle(student, {
    popularity: order.slice(0, Math.min(MIN_POPULARITY_LENGTH, V)),
    vocabulary: plan.vocabulary,
    tableDtype: info.tableDtype === 'float16' ? 'float16' : 'float32',
    packCodes: previous.manifest.tensors.some((t) => t.name === 'codes' && t.bits !== undefined),
    ...(test ? { metrics: headlineMetrics(test) } : {}),
    info: { ...earlier, dataset: data.name, seed, command: config.command, refreshedFrom },
  });
  const previousPrior = previous.tensors.get(POPULARITY_PRIOR_TENSOR)?.data; // [weight, depth]
  const hadHead = previous.tensors.has(REPEAT_WEIGHTS_TENSOR) || previousPrior !== undefined;
  const staging = join(dirname(config.out), `.${basename(config.out)}.refresh-${process.pid}`);
  let headReport: unknown = null;
  try {
    if (config.head && hadHead) {
      // The head is fitted on the written bundle, as `pnpm train repeat-head` does, then written to --out.
      await writeBundleDir(staging, studentFiles);
      const flags: RepeatHeadFlags = {
        ...REPEAT_HEAD_DEFAULTS,
        bundle: staging,
        dataset: config.datasetDir,
        out: config.out,
        report: join(dirname(config.report), `${basename(config.report, '.json')}-repeat-head.json`),
        seed: String(seed),
        validFraction: String(config.validFraction),
        tune: true,
        prior: previousPrior !== undefined,
        // The previous prior's depth (a compressed bundle's depth is chosen to keep its Eq.-11 ratio).
        ...(previousPrior !== undefined ? { priorDepths: String(previousPrior[1]) } : {}),
      };
      headReport = (await fitRepeatHeadPipeline(repeatHeadConfig(flags, config.command))).report.test;
    } else await writeBundleDir(config.out, studentFiles);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  const teacherBytes = await exportModelBundle(config.teacherOut, teacher, {
    popularity: order,
    vocabulary: plan.vocabulary,
    tableDtype: 'float32',
    info: {
      ...withoutHeadInfo(previousTeacher.manifest.info ?? {}),
      dataset: data.name,
      seed,
      command: config.command,
      refreshedFrom: { ...refreshedFrom, version: previousTeacher.manifest.version },
    },
  });
  const written = await readBundleDir(config.out);
  const report = {
    model: 'refresh',
    bundle: { dir: config.out, version: written.manifest.version, numItems: V },
    teacher: {
      dir: config.teacherOut,
      version: (await readBundleDir(config.teacherOut)).manifest.version,
      bytes: teacherBytes,
    },
    refreshedFrom,
    configuration: { ...config, eta, M, K },
    teacherEpochs: teacherRun.history,
    studentEpochs: studentRun.history,
    test,
    headTest: headReport,
    wallSeconds: (performance.now() - t0) / 1000,
    machine: machineInfo(backend),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  writeReport(config.report, report);
  log(
    `bundle ${config.out} (version ${written.manifest.version}), teacher ${config.teacherOut}, report ${config.report}`,
  );
  student.dispose();
  teacher.dispose();
  return report;
}
