// The teacher pipeline (SPEC §3): config → data → SASRec + soft-attention readout with a full item table →
// training → test → `full` bundle + report. Every flag is checked by teacherConfig before anything loads.
import { resolve } from 'node:path';
import {
  popularityCounts,
  readDataset,
  sessionPopularityOrder,
  splitValidation,
  type Dataset,
} from '../data/index.ts';
import { oneOf, optional } from '../flags.ts';
import {
  datasetDefaults,
  defaultsRecord,
  describeDefaults,
  fillDefaults,
} from '../model/dataset-defaults.ts';
import { createTeacher, teacherPreset } from '../model/teacher.ts';
import { runPaths, teacherRunName } from '../paths.ts';
import { selectBackend } from '../train/backend.ts';
import { evaluateCases } from '../train/evaluate.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { trainModel } from '../train/loop.ts';
import { NegativeSampler } from '../train/sampled-softmax.ts';
import { headlineMetrics, machineInfo, writeReport } from './report.ts';
import { datasetBlock, int, nonNegative, trainingConfig, type TrainingFlags } from './training-config.ts';

/** The command line's values, as commander hands them over (strings; booleans for switches). */
export interface TeacherFlags extends TrainingFlags {
  epochs?: string;
  seed: string;
  dim?: string;
  heads?: string;
  blocks?: string;
  dropout?: string;
  maxLen: string;
  embScale?: string;
  tableDtype: string;
  loss: string;
  validMaxSessions: string;
  trainMaxSessions?: string;
  test: boolean;
}

export type TeacherConfig = ReturnType<typeof teacherConfig>;

/** Every flag parsed and checked; nothing read or loaded yet. */
export function teacherConfig(flags: TeacherFlags) {
  return {
    ...trainingConfig(flags),
    epochs: optional(flags.epochs, int('epochs')),
    seed: int('seed', 0)(flags.seed),
    dim: optional(flags.dim, int('dim')),
    heads: optional(flags.heads, int('heads')),
    blocks: optional(flags.blocks, int('blocks')),
    dropout: optional(flags.dropout, nonNegative('dropout')),
    maxLen: int('max-len')(flags.maxLen),
    embScale: optional(flags.embScale, nonNegative('emb-scale')),
    tableDtype: oneOf(flags.tableDtype, 'table-dtype', ['float32', 'float16'] as const),
    loss: oneOf(flags.loss, 'loss', ['full', 'sampled', 'auto'] as const),
    validMaxSessions: int('valid-max-sessions')(flags.validMaxSessions),
    trainMaxSessions: optional(flags.trainMaxSessions, int('train-max-sessions')),
    test: flags.test,
  };
}

/** The model's hyper-parameters: the flags where given, else the dataset's row of the defaults table. */
function teacherHyper(config: TeacherConfig, data: Dataset) {
  const preset = teacherPreset(data.name);
  const dim = config.dim ?? preset.dim;
  return {
    dim,
    heads: config.heads ?? preset.heads,
    blocks: config.blocks ?? preset.blocks,
    dropout: config.dropout ?? preset.dropout,
    maxLen: config.maxLen,
    embScale: config.embScale ?? Math.sqrt(dim),
    layerNormEps: preset.layerNormEps,
  };
}

/**
 * The schedule flags not given, from the dataset's row of model/dataset-defaults.ts (the shipped
 * teacher's recipe for Tmall and RetailRocket, the neutral row elsewhere), and the record of them.
 */
export function resolveTeacherDefaults(config: TeacherConfig, dataset: string) {
  const row = datasetDefaults(dataset);
  const { values, applied } = fillDefaults(
    {
      epochs: config.epochs,
      maxMinutes: config.maxMinutes,
      lr: config.lr,
      batchPositions: config.positionsPerBatch,
      negatives: config.negatives,
      dim: config.dim,
      heads: config.heads,
      blocks: config.blocks,
      dropout: config.dropout,
    },
    {
      ...row.teacherSchedule,
      dim: row.teacher.dim,
      heads: row.teacher.heads,
      blocks: row.teacher.blocks,
      dropout: row.teacher.dropout,
    },
  );
  return {
    config: { ...config, ...values, positionsPerBatch: values.batchPositions },
    defaults: defaultsRecord(dataset, applied),
  };
}

export async function trainTeacherPipeline(parsed: TeacherConfig) {
  const started = new Date();
  const t0 = performance.now();
  const backend = await selectBackend(parsed.backend);
  const data = readDataset(parsed.datasetDir);
  const { config, defaults } = resolveTeacherDefaults(parsed, data.name);
  process.stderr.write(`${describeDefaults('teacher', defaults)}\n`);
  const hyper = teacherHyper(config, data);
  const { seed } = config;
  const split = splitValidation(data.trainSessions, { fraction: config.validFraction, seed: seed });
  const paths = runPaths(teacherRunName(data.name));
  const out = resolve(config.out ?? paths.bundle);
  const reportPath = resolve(config.report ?? paths.report);
  const checkpointDir = resolve(config.checkpoint ?? paths.checkpoint);
  process.stderr.write(
    `teacher on ${data.name}: ${data.numItems} items, ${split.train.length} train / ${split.valid.length} valid sessions, ` +
      `${data.testCases.length} test cases; backend ${backend}; hyper ${JSON.stringify(hyper)}\n`,
  );
  const model = createTeacher(data.numItems, hyper, seed);
  const lossKind =
    config.loss === 'auto'
      ? backend === 'tensorflow' || backend === 'webgpu'
        ? 'full'
        : 'sampled'
      : config.loss;
  const { negatives } = config;
  const loss =
    lossKind === 'sampled'
      ? {
          kind: 'sampled' as const,
          sampler: new NegativeSampler(popularityCounts(split.train, data.numItems), negatives),
        }
      : { kind: 'full' as const };
  const options = {
    epochs: config.epochs,
    lr: config.lr,
    l2: config.l2,
    positionsPerBatch: config.positionsPerBatch,
    seed,
    patience: config.patience,
    maxMinutes: config.maxMinutes,
    checkpointDir,
    checkpointEveryMinutes: config.checkpointEveryMinutes,
    resume: config.resume,
    progress: config.progress,
    loss,
  };
  const validMax = config.validMaxSessions;
  const trainSessions =
    config.trainMaxSessions !== undefined ? split.train.slice(0, config.trainMaxSessions) : split.train;
  const result = await trainModel(
    model,
    { train: trainSessions, valid: split.valid.slice(0, validMax) },
    options,
  );
  process.stderr.write(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}\n`);
  const tTest = performance.now();
  const test = config.test ? await evaluateCases(model, data.testCases) : {};
  const testSeconds = (performance.now() - tTest) / 1000;
  process.stderr.write(`test (trainer's tfjs scoring): ${JSON.stringify(test)}\n`);
  const bundleBytes = await exportModelBundle(out, model, {
    popularity: sessionPopularityOrder(data.trainSessions, data.numItems),
    vocabulary: data.vocabulary,
    tableDtype: config.tableDtype,
    metrics: config.test ? headlineMetrics(test) : undefined,
    info: {
      dataset: data.name,
      model: 'teacher',
      dropout: hyper.dropout,
      seed,
      bestEpoch: result.bestEpoch,
      command: config.command,
      defaults,
    },
  });
  const epochs = result.history;
  const fullEpochs = epochs.filter((e) => e.completed === 1);
  const report = {
    model: 'teacher',
    kind: 'full',
    dataset: {
      ...datasetBlock(data, config.datasetDir, split, trainSessions.length),
      validSessionsScoredPerEpoch: Math.min(split.valid.length, validMax),
    },
    configuration: {
      ...hyper,
      ...options,
      loss:
        lossKind === 'full'
          ? 'full softmax (cross-entropy over all items)'
          : `sampled softmax: ${negatives} shared negatives per batch, q ∝ (count+1)^0.75, logQ correction`,
      optimizer: 'Adam',
      init: 'U(-0.1, 0.1)',
      tableDtype: config.tableDtype,
      backend,
    },
    defaults,
    epochs,
    bestEpoch: result.bestEpoch,
    stopReason: result.stopReason,
    test,
    testSecondsTrainerScoring: testSeconds,
    bundle: { dir: out, bytes: bundleBytes },
    // training wall time accumulates over resumed processes; this process also read data, tested, exported
    trainingWallSeconds: result.elapsedSeconds,
    wallSeconds: result.elapsedSeconds + (performance.now() - tTest) / 1000,
    thisProcessSeconds: (performance.now() - t0) / 1000,
    trainSeconds: result.trainSeconds,
    secondsPerEpoch: fullEpochs.length
      ? fullEpochs.reduce((s, e) => s + e.trainSeconds, 0) / fullEpochs.length
      : null,
    achievedGflops: result.flops / result.trainSeconds / 1e9,
    machine: machineInfo(backend),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  writeReport(reportPath, report);
  process.stderr.write(`bundle ${out} (${bundleBytes} bytes), report ${reportPath}\n`);
  model.dispose();
  return { bundle: { dir: out, bytes: bundleBytes }, report, reportPath };
}
