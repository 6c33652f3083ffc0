// The tensor-train baselines' pipeline: TT-Rec (`tt`) and OD-Rec (`sttd`, semi-tensor-product tensor
// train, EODRec Eq. 4–8). Same backbone and same two-stage distillation as the compositional student
// (kd/train-student.ts: stage 1 L_rec + L_mse + mixup, stage 2 bidirectional self-supervised KD); only
// the item table differs. Exports a `tt` / `sttd` bundle (cores only — the device rebuilds the rows) and a
// report with the compression ratios (parameter formula and bytes) and reconstruction FLOPs. Every flag is
// checked by tensorTrainRunConfig before the teacher loads.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import {
  hotColdSplit,
  popularityCounts,
  readDataset,
  sessionPopularityOrder,
  splitValidation,
} from '../data/index.ts';
import { evaluateThroughCpuEngine } from '../eval/index.ts';
import { setTensorTrainRows } from '../eval/tensor-train-rows.ts';
import { numList, oneOf, optional } from '../flags.ts';
import { NO_KD, paperKdDefaults, type KdSwitches } from '../kd/distiller.ts';
import { prefixVariableNames } from '../kd/model-scope.ts';
import { trainStudent } from '../kd/train-student.ts';
import { Backbone, type BackboneHyper } from '../model/backbone.ts';
import { describeFallbackDefaults } from '../model/dataset-defaults.ts';
import type { ItemTable } from '../model/item-table.ts';
import { SessionModel } from '../model/session-model.ts';
import { SttdItemTable } from '../model/sttd-table.ts';
import { createTeacher, loadTeacherFromBundle, teacherPreset } from '../model/teacher.ts';
import {
  compositionalTableBytes,
  paramCount,
  reconstructionMacs,
  tensorTrainConfig,
  type TensorTrainConfig,
  type TensorTrainKind,
} from '../model/tt-configs.ts';
import { warmUpToTeacher, type TableDistillationOptions } from '../model/tt-distillation.ts';
import { TtItemTable } from '../model/tt-table.ts';
import { defaultTeacherBundle, runPaths } from '../paths.ts';
import { selectBackend } from '../train/backend.ts';
import { evaluateCases } from '../train/evaluate.ts';
import { exportModelBundle } from '../train/export-bundle.ts';
import { headlineMetrics, machineInfo, writeReport } from './report.ts';
import {
  datasetBlock,
  commanderSchedule,
  distillationConfig,
  distillationOptions,
  int,
  nonNegative,
  type DistillationFlags,
} from './training-config.ts';

/** The command line's values, as commander hands them over (strings; booleans for switches). */
export interface TensorTrainFlags extends DistillationFlags {
  teacher?: string | false;
  size: string;
  p?: string;
  q?: string;
  ranks?: string;
  I?: string;
  J?: string;
  rank?: string;
  t?: string;
  kdEpochs: string;
  mseWarmupSteps: string;
  initStd: string;
  backboneInit: string;
  mse: boolean;
  evaluateOnly?: boolean;
  cpuEval: boolean;
}

export type TensorTrainRunConfig = ReturnType<typeof tensorTrainRunConfig>;

const ints = (flag: string) => (v: string) => numList(v, flag, { integer: true, min: 1 });
function intPair(flag: string) {
  return (value: string): [number, number] => {
    const xs = ints(flag)(value);
    if (xs.length !== 2)
      throw new RangeError(`--${flag}: expected two comma-separated integers, got "${value}"`);
    return [xs[0]!, xs[1]!];
  };
}

/** Every flag parsed and checked; nothing read or loaded yet. */
export function tensorTrainRunConfig(kind: TensorTrainKind, flags: TensorTrainFlags) {
  return {
    ...commanderSchedule(distillationConfig(flags)),
    kind,
    /** undefined: the default teacher; false: none (--no-teacher). */
    teacher: flags.teacher,
    size: oneOf(flags.size, 'size', ['30x', 'equal-bytes'] as const),
    /** Factors given on the command line, replacing the dataset's configuration's. */
    factors: {
      p: optional(flags.p, ints('p')),
      q: optional(flags.q, ints('q')),
      ranks: optional(flags.ranks, ints('ranks')),
      I: optional(flags.I, intPair('I')),
      J: optional(flags.J, intPair('J')),
      rank: optional(flags.rank, int('rank')),
      t: optional(flags.t, int('t')),
    },
    kdEpochs: int('kd-epochs', 0)(flags.kdEpochs),
    mseWarmupSteps: int('mse-warmup-steps', 0)(flags.mseWarmupSteps),
    initStd: nonNegative('init-std')(flags.initStd),
    backboneInit: oneOf(flags.backboneInit, 'backbone-init', ['teacher', 'random'] as const),
    mse: flags.mse,
    cpuEval: flags.cpuEval,
  };
}

/** The dataset's configuration for the size, with any factor given on the command line replacing it. */
function tableConfig(
  config: TensorTrainRunConfig,
  dataset: string,
  numItems: number,
  dim: number,
): TensorTrainConfig {
  const base = tensorTrainConfig(config.kind, config.size, dataset, numItems, dim);
  const f = config.factors;
  if (base.kind === 'tt')
    return { ...base, p: f.p ?? base.p, q: f.q ?? base.q, ranks: f.ranks ?? base.ranks };
  return { ...base, I: f.I ?? base.I, J: f.J ?? base.J, rank: f.rank ?? base.rank, t: f.t ?? base.t };
}

function makeTable(
  config: TensorTrainConfig,
  numItems: number,
  dim: number,
  seed: number,
  initStd: number,
  distillation: TableDistillationOptions | undefined,
): ItemTable {
  return config.kind === 'tt'
    ? new TtItemTable(numItems, dim, {
        p: config.p,
        q: config.q,
        ranks: config.ranks,
        initStd,
        seed,
        distillation,
      })
    : new SttdItemTable(numItems, dim, {
        I: config.I,
        J: config.J,
        rank: config.rank,
        t: config.t,
        initStd,
        seed,
        distillation,
      });
}

/** The default output folders: runs/<dataset>-<kind>[-equal-bytes]/. */
function tensorTrainPaths(config: TensorTrainRunConfig, dataset: string) {
  const paths = runPaths(`${dataset}-${config.kind}${config.size === 'equal-bytes' ? '-equal-bytes' : ''}`);
  return {
    out: resolve(config.out ?? paths.bundle),
    reportPath: resolve(config.report ?? paths.report),
    checkpointDir: resolve(config.checkpoint ?? paths.checkpoint),
  };
}

export async function trainTensorTrainPipeline(config: TensorTrainRunConfig) {
  const { kind } = config;
  const started = new Date();
  const t0 = performance.now();
  const log = (l: string) => process.stderr.write(l + '\n');
  const backend = await selectBackend(config.backend);
  // The students' validation runs the CPU engine on an in-memory bundle (kd/evaluate-student.ts). With
  // per-query reconstruction that is ~0.5 s per validation case (hours per epoch); rows rebuilt once per
  // evaluation give the same scores (bit-identical, tensor-train-tables.test.ts).
  setTensorTrainRows('materialized');
  const data = readDataset(config.datasetDir);
  const fallback = describeFallbackDefaults(data.name);
  if (fallback) log(fallback);

  // The teacher: KD source, L_mse target, mixup partner, and the backbone the student starts from.
  const teacherDir =
    config.teacher === false ? null : resolve(config.teacher ?? defaultTeacherBundle(data.name));
  if (teacherDir && !existsSync(teacherDir))
    throw new Error(`teacher bundle ${teacherDir} not found (train it first, or pass --no-teacher)`);
  const teacher = teacherDir
    ? await loadTeacherFromBundle(teacherDir, { dropout: teacherPreset(data.name).dropout })
    : null;
  const teacherSeed = teacherDir ? Number((await readBundleDir(teacherDir)).manifest.info?.seed ?? 42) : 42;
  const seed = config.seed ?? teacherSeed;
  const split = splitValidation(data.trainSessions, { fraction: config.validFraction, seed: seed });
  const preset = teacherPreset(data.name);
  const hyper: BackboneHyper = teacher
    ? { ...teacher.hyper }
    : { ...preset, embScale: Math.sqrt(preset.dim) };
  if (teacher) {
    if (teacher.table.numItems !== data.numItems)
      throw new Error(`teacher ${teacherDir} has ${teacher.table.numItems} items, dataset ${data.numItems}`);
    prefixVariableNames(teacher.variables(), 'teacher/');
  }
  // Without a teacher the KD loop still runs (NO_KD switches never touch it); a random full model stands in,
  // built before the student so that its variable names can move under teacher/ first.
  const teacherModel = teacher ?? createTeacher(data.numItems, hyper, seed);
  if (!teacher) prefixVariableNames(teacherModel.variables(), 'teacher/');
  const ttConfig = tableConfig(config, data.name, data.numItems, hyper.dim);
  const kdDefaults = paperKdDefaults(data.name);
  const distillation: TableDistillationOptions | undefined = teacher
    ? {
        teacherItems: () => teacher.table.embeddings({ training: false }),
        mse: config.mse,
        mixup: config.mixup ? kdDefaults.eta : 0,
      }
    : undefined;
  const { initStd } = config;
  const table = makeTable(ttConfig, data.numItems, hyper.dim, seed, initStd, distillation);
  const backboneInit =
    teacher && config.backboneInit === 'teacher'
      ? new Map(
          [...teacher.backbone.params].map(([n, v]) => [
            n.replace(/^teacher\//, ''),
            v.dataSync() as Float32Array,
          ]),
        )
      : undefined;
  const student = new SessionModel(new Backbone(hyper, { seed: seed * 13 + 5, init: backboneInit }), table);
  const warmupSteps = config.mseWarmupSteps;
  const warmup =
    teacher && warmupSteps > 0 && !config.resume
      ? warmUpToTeacher(table, () => teacher.table.embeddings({ training: false }), warmupSteps, {
          lr: 1e-2,
          log,
        })
      : null;

  const params = paramCount(ttConfig, data.numItems, hyper.dim);
  const macs = reconstructionMacs(ttConfig, data.numItems, hyper.dim);
  const { out, reportPath, checkpointDir } = tensorTrainPaths(config, data.name);
  log(
    `${kind} on ${data.name}: ${data.numItems} items, ${split.train.length} train / ${split.valid.length} valid sessions; ` +
      `config ${JSON.stringify(ttConfig)} → ${params} parameters (${((data.numItems * hyper.dim) / params).toFixed(2)}×); ` +
      `teacher ${teacherDir ?? 'none'}; backend ${backend}`,
  );

  const switches: KdSwitches = teacher
    ? {
        kd: config.switches.kd,
        contrastive: config.switches.kd && config.switches.contrastive,
        softTargets: config.switches.kd && config.switches.softTargets,
        bidirectional: config.switches.kd && config.switches.bidirectional,
      }
    : NO_KD;
  // Popularity, counted once: the negative sampler and the hot/cold split.
  const counts = popularityCounts(split.train, data.numItems);
  const options = distillationOptions(config, {
    popularityCounts: counts,
    kdEpochs: config.kdEpochs,
    switches,
    weights: { beta: kdDefaults.beta, gamma: kdDefaults.gamma, tau: kdDefaults.tau, l2: config.l2 },
    seed,
    checkpointDir,
    validateTeacher: false,
  });
  if (config.resume) reopenTimeBudget(checkpointDir);
  const result = await trainStudent(student, teacherModel, split, hotColdSplit(counts), options);
  const { recLoss: _sampler, ...reportedOptions } = options; // the sampler's tables are not configuration
  log(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}`);

  const tTest = performance.now();
  const test = await evaluateCases(student, data.testCases);
  const testSeconds = (performance.now() - tTest) / 1000;
  log(`test (trainer's tfjs scoring): ${JSON.stringify(test)}`);
  const fullTableBytes = data.numItems * hyper.dim * 4;
  const ratios = {
    params,
    /** Eq. 8 (sttd) / the TT formula: V·N over stored parameters. */
    byParameters: (data.numItems * hyper.dim) / params,
    tableBytes: params * 4,
    byTableBytes: fullTableBytes / (params * 4),
    compositionalM4K32TableBytes: compositionalTableBytes(data.numItems, hyper.dim, 4, 32),
  };
  const bundleBytes = await exportModelBundle(out, student, {
    popularity: sessionPopularityOrder(data.trainSessions, data.numItems),
    vocabulary: data.vocabulary,
    tableDtype: 'float32',
    metrics: headlineMetrics(test),
    info: {
      dataset: data.name,
      model: kind === 'tt' ? 'TT-Rec student' : 'OD-Rec (STTD) student',
      config: ttConfig,
      compression: ratios,
      reconstructionMacs: macs,
      teacher: teacherDir,
      seed,
      bestEpoch: result.bestEpoch,
      command: config.command,
    },
  });
  const teacherBundleBytes = teacherDir ? await bundleSize(teacherDir) : null;
  // The published numbers: the exported bundle through the SDK's CPU engine (what `pnpm eval` prints).
  let cpuEngineTest: { metrics: Record<string, number>; seconds: number } | null = null;
  if (config.cpuEval) {
    const tCpu = performance.now();
    const cpuMetrics = await evaluateThroughCpuEngine(out, config.datasetDir);
    cpuEngineTest = { metrics: cpuMetrics, seconds: (performance.now() - tCpu) / 1000 };
    log(`test (CPU engine on the bundle): ${JSON.stringify(cpuMetrics)}`);
  }
  const report = {
    model: kind,
    kind,
    dataset: datasetBlock(data, config.datasetDir, split),
    configuration: {
      ...ttConfig,
      size: config.size,
      backbone: hyper,
      backboneInit: teacher ? config.backboneInit : 'random',
      initStd,
      mseWarmupSteps: warmup ? warmupSteps : 0,
      distillation: distillation ? { mse: distillation.mse, mixup: distillation.mixup } : null,
      ...reportedOptions,
      recLoss:
        config.loss === 'sampled' ? { kind: 'sampled', negatives: config.negatives } : { kind: 'full' },
      loss: `L_rec (${config.loss} softmax) + L_mse (stage 1) + KD terms (stage 2)`,
      optimizer: 'Adam',
      backend,
    },
    mseWarmup: warmup,
    compression: {
      ...ratios,
      bundleBytes,
      teacherBundleBytes,
      byBundleBytes: teacherBundleBytes ? teacherBundleBytes / bundleBytes : null,
    },
    reconstructionMacs: macs,
    epochs: result.history,
    bestEpoch: result.bestEpoch,
    stopReason: result.stopReason,
    test,
    testSecondsTrainerScoring: testSeconds,
    cpuEngineTest,
    bundle: { dir: out, bytes: bundleBytes },
    wallSeconds: (performance.now() - t0) / 1000,
    trainSeconds: result.trainSeconds,
    machine: machineInfo(backend),
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  writeReport(reportPath, report);
  log(`bundle ${out} (${bundleBytes} bytes), report ${reportPath}`);
  student.dispose();
  teacherModel.dispose();
  return { bundle: { dir: out, bytes: bundleBytes }, report, reportPath };
}

/**
 * `--evaluate-only`: no training; the bundle at --out through the CPU engine on the full test set, rows
 * rebuilt once (pnpm eval's numbers), printed as JSON on stdout and recorded in the run's report if any.
 */
export async function evaluateTensorTrainPipeline(config: TensorTrainRunConfig) {
  const data = readDataset(config.datasetDir);
  const { out, reportPath } = tensorTrainPaths(config, data.name);
  const t0 = performance.now();
  const metrics = await evaluateThroughCpuEngine(out, config.datasetDir);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify(metrics)}\n`);
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
    report.cpuEngineTest = { metrics, seconds, command: config.command };
    writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(`recorded in ${reportPath}\n`);
  }
  return { metrics, seconds };
}

/**
 * A run stopped by its time budget keeps that stop in its checkpoint, so `--resume` alone would end at once.
 * Resuming means "train on": clear a time-budget stop and restart the clock, so `--max-minutes` counts
 * from now. (Early stops and finished schedules stay stopped.)
 */
function reopenTimeBudget(checkpointDir: string): void {
  const statePath = join(checkpointDir, 'state.json');
  if (!existsSync(statePath)) return;
  const stored = JSON.parse(readFileSync(statePath, 'utf8')) as {
    state: { stopReason: string | null; elapsedMs: number };
  };
  if (!stored.state.stopReason?.startsWith('time budget')) return;
  process.stderr.write(
    `resuming after "${stored.state.stopReason}": the new --max-minutes counts from now\n`,
  );
  stored.state.stopReason = null;
  stored.state.elapsedMs = 0;
  writeFileSync(statePath + '.tmp', JSON.stringify(stored, null, 1));
  renameSync(statePath + '.tmp', statePath);
}

async function bundleSize(dir: string): Promise<number> {
  const bundle = await readBundleDir(dir);
  return bundle.manifest.files.reduce((s, f) => s + f.byteLength, 0) + JSON.stringify(bundle.manifest).length;
}
