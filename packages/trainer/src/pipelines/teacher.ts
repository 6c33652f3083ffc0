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
import { num, oneOf, optional } from '../flags.ts';
import { describeFallbackDefaults } from '../model/dataset-defaults.ts';
import { createTeacher, teacherPreset } from '../model/teacher.ts';
import { runPaths, teacherRunName } from '../paths.ts';
import { selectBackend, type BackendName } from '../train/backend.ts';
import { evaluateCases } from '../train/evaluate.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { trainModel } from '../train/loop.ts';
import { NegativeSampler } from '../train/sampled-softmax.ts';
import { commandLine, headlineMetrics, machineInfo, writeReport } from './report.ts';

/** The command line's values, as commander hands them over (strings; booleans for switches). */
export interface TeacherFlags {
  dataset: string;
  out?: string;
  report?: string;
  checkpoint?: string;
  epochs: string;
  seed: string;
  maxMinutes: string;
  resume?: boolean;
  dim?: string;
  heads?: string;
  blocks?: string;
  dropout?: string;
  maxLen: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  embScale?: string;
  validFraction: string;
  tableDtype: string;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  loss: string;
  negatives: string;
  validMaxSessions: string;
  trainMaxSessions?: string;
  test: boolean;
}

export type TeacherConfig = ReturnType<typeof teacherConfig>;

const int =
  (flag: string, min = 1) =>
  (v: string) =>
    num(v, flag, { integer: true, min });

/** Every flag parsed and checked; nothing read or loaded yet. */
export function teacherConfig(flags: TeacherFlags) {
  return {
    datasetDir: resolve(flags.dataset),
    out: flags.out,
    report: flags.report,
    checkpoint: flags.checkpoint,
    epochs: int('epochs')(flags.epochs),
    seed: int('seed', 0)(flags.seed),
    maxMinutes: num(flags.maxMinutes, 'max-minutes', { min: 0 }),
    resume: Boolean(flags.resume),
    dim: optional(flags.dim, int('dim')),
    heads: optional(flags.heads, int('heads')),
    blocks: optional(flags.blocks, int('blocks')),
    dropout: optional(flags.dropout, (v) => num(v, 'dropout', { min: 0 })),
    maxLen: int('max-len')(flags.maxLen),
    lr: num(flags.lr, 'lr', { min: 0 }),
    l2: num(flags.l2, 'l2', { min: 0 }),
    positionsPerBatch: int('batch-positions')(flags.batchPositions),
    patience: int('patience')(flags.patience),
    embScale: optional(flags.embScale, (v) => num(v, 'emb-scale', { min: 0 })),
    validFraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
    tableDtype: oneOf(flags.tableDtype, 'table-dtype', ['float32', 'float16'] as const),
    backend: flags.backend as BackendName | undefined,
    checkpointEveryMinutes: num(flags.checkpointMinutes, 'checkpoint-minutes', { min: 0 }),
    progress: flags.progress,
    loss: oneOf(flags.loss, 'loss', ['full', 'sampled', 'auto'] as const),
    negatives: int('negatives')(flags.negatives),
    validMaxSessions: int('valid-max-sessions')(flags.validMaxSessions),
    trainMaxSessions: optional(flags.trainMaxSessions, int('train-max-sessions')),
    test: flags.test,
    command: commandLine(),
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

export async function trainTeacherPipeline(config: TeacherConfig) {
  const started = new Date();
  const t0 = performance.now();
  const backend = await selectBackend(config.backend);
  const data = readDataset(config.datasetDir);
  const fallback = describeFallbackDefaults(data.name);
  if (fallback) process.stderr.write(`${fallback}\n`);
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
    },
  });
  const epochs = result.history;
  const fullEpochs = epochs.filter((e) => e.completed === 1);
  const report = {
    model: 'teacher',
    kind: 'full',
    dataset: {
      name: data.name,
      dir: config.datasetDir,
      numItems: data.numItems,
      trainSessions: trainSessions.length,
      validSessions: split.valid.length,
      validSessionsScoredPerEpoch: Math.min(split.valid.length, validMax),
      testCases: data.testCases.length,
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
