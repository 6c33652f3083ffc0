// The compositional student pipeline (EODRec Sec. 4–5): config → data → the `full` teacher bundle →
// codes initialised (residual k-means or the code MLP) → stage 1 (L_rec + L_mse) → stage 2 (bidirectional
// self-supervised KD) → `compositional` bundle (argmax codes), the KD-updated teacher's bundle, a report.
// Every flag is checked by studentConfig before the teacher loads.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIN_POPULARITY_LENGTH } from '@session-rec/sdk/bundle';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import {
  hotColdSplit,
  popularityCounts,
  readDataset,
  sessionPopularityOrder,
  splitValidation,
} from '../data/index.ts';
import { num, oneOf, optional } from '../flags.ts';
import type { KdSwitches } from '../kd/distiller.ts';
import { evaluateWithCpuEngine } from '../kd/evaluate-student.ts';
import { prefixVariableNames } from '../kd/model-scope.ts';
import { trainStudent } from '../kd/train-student.ts';
import { Backbone } from '../model/backbone.ts';
import { compositionalCompressionRatio } from '../model/compositional-codes.ts';
import { CompositionalItemTable } from '../model/compositional.ts';
import {
  datasetDefaults,
  defaultsRecord,
  describeDefaults,
  fillDefaults,
  type CatalogueFacts,
} from '../model/dataset-defaults.ts';
import { hasCheckpoint } from '../train/checkpoint.ts';
import type { FullItemTable } from '../model/full-table.ts';
import { SessionModel } from '../model/session-model.ts';
import { loadTeacherFromBundle, teacherPreset } from '../model/teacher.ts';
import { defaultTeacherBundle, runPaths } from '../paths.ts';
import { selectBackend } from '../train/backend.ts';
import { validationScore } from '../train/loop.ts';
import { encodeModelBundle, exportModelBundle, type ExportOptions } from '../train/export-bundle.ts';
import { headlineMetrics, machineInfo, round2, writeReport } from './report.ts';
import {
  datasetBlock,
  distillationConfig,
  distillationOptions,
  int,
  nonNegative,
  type DistillationFlags,
} from './training-config.ts';

/** The command line's values, as commander hands them over (strings; booleans for switches). */
export interface StudentFlags extends DistillationFlags {
  teacher?: string;
  M?: string;
  K?: string;
  teacherOut?: string;
  epochs?: string;
  eta?: string;
  beta?: string;
  gamma?: string;
  tau?: string;
  gumbelTemperature: string;
  initEncoder: string;
  codeWarmupSteps: string;
  tableDtype: string;
  packCodes?: boolean;
  kdFreezeCodeLogits?: boolean;
  teacherTest: boolean;
  codeInit: string;
  codeMargin: string;
}

export type StudentConfig = ReturnType<typeof studentConfig>;

/** Every flag parsed and checked; nothing read or loaded yet. */
export function studentConfig(flags: StudentFlags) {
  const codeInit = oneOf(flags.codeInit, 'code-init', ['rq', 'mlp'] as const);
  return {
    ...distillationConfig(flags),
    teacher: flags.teacher,
    M: optional(flags.M, int('M')),
    K: optional(flags.K, int('K', 2)),
    teacherOut: flags.teacherOut,
    kdEpochs: optional(flags.epochs, int('epochs', 0)),
    eta: optional(flags.eta, nonNegative('eta')),
    beta: optional(flags.beta, nonNegative('beta')),
    gamma: optional(flags.gamma, nonNegative('gamma')),
    tau: optional(flags.tau, (v) => num(v, 'tau', { min: 1e-6 })),
    gumbelTemperature: num(flags.gumbelTemperature, 'gumbel-temperature', { min: 1e-6 }),
    initEncoder: oneOf(flags.initEncoder, 'init-encoder', ['teacher', 'random'] as const),
    codeInit,
    codeMargin: codeInit === 'rq' ? nonNegative('code-margin')(flags.codeMargin) : null,
    codeWarmupSteps: codeInit === 'mlp' ? int('code-warmup-steps', 0)(flags.codeWarmupSteps) : 0,
    tableDtype: oneOf(flags.tableDtype, 'table-dtype', ['float32', 'float16'] as const),
    packCodes: Boolean(flags.packCodes),
    kdFreezeCodeLogits: Boolean(flags.kdFreezeCodeLogits),
    teacherTest: flags.teacherTest,
  };
}

/** Run name: dataset, M, K and the ablation switches that are off. */
export function studentRunName(dataset: string, M: number, K: number, switches: KdSwitches, mixup: boolean) {
  const off = [
    !switches.kd && 'no-kd',
    switches.kd && !switches.contrastive && 'no-contrastive',
    switches.kd && !switches.bidirectional && 'no-bidirectional',
    switches.kd && !switches.softTargets && 'no-soft-targets',
    !mixup && 'no-mixup',
  ].filter(Boolean);
  return [`${dataset}-M${M}-K${K}`, ...off].join('-');
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

/** How many items use each codeword: [M][K] counts (Fig. 6). */
export function codeUsage(codes: Int32Array, M: number, K: number): number[][] {
  const usage = Array.from({ length: M }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < codes.length; i++) usage[i % M]![codes[i]!]!++;
  return usage;
}

/**
 * The flags not given, from the dataset's row of model/dataset-defaults.ts (the shipped recipe for Tmall
 * and RetailRocket, the neutral row elsewhere): codebooks, stage schedule, η/β/γ/τ. Returns the config
 * with every value set and the record of what was taken (printed, and kept in the report and manifest).
 */
export function resolveStudentDefaults(config: StudentConfig, dataset: string, facts: CatalogueFacts) {
  const row = datasetDefaults(dataset);
  const schedule = row.student(facts);
  const { values, applied } = fillDefaults(
    {
      M: config.M,
      K: config.K,
      pretrainEpochs: config.pretrainEpochs,
      epochs: config.kdEpochs,
      pretrainMinutes: config.pretrainMaxMinutes,
      maxMinutes: config.maxMinutes,
      eta: config.eta,
      beta: config.beta,
      gamma: config.gamma,
      tau: config.tau,
      lr: config.lr,
      batchPositions: config.positionsPerBatch,
      negatives: config.negatives,
    },
    {
      ...schedule,
      ...row.kd,
      lr: 1e-3,
      batchPositions: 512,
      negatives: 4096,
    },
  );
  // the stage-1 cap is only in the table where stage 2 follows; undefined = no cap, not a default taken
  const taken = applied.filter((a) => a.value !== null);
  return {
    config: {
      ...config,
      M: values.M,
      K: values.K,
      pretrainEpochs: values.pretrainEpochs,
      kdEpochs: values.epochs,
      pretrainMaxMinutes: values.pretrainMinutes,
      maxMinutes: values.maxMinutes,
      eta: values.eta,
      beta: values.beta,
      gamma: values.gamma,
      tau: values.tau,
      lr: values.lr,
      positionsPerBatch: values.batchPositions,
      negatives: values.negatives,
    },
    defaults: defaultsRecord(dataset, taken),
  };
}

export async function trainStudentPipeline(parsed: StudentConfig) {
  const started = new Date();
  const t0 = performance.now();
  const log = (l: string) => process.stderr.write(l + '\n');
  const backend = await selectBackend(parsed.backend);
  const data = readDataset(parsed.datasetDir);
  const teacherDir = resolve(parsed.teacher ?? defaultTeacherBundle(data.name));
  const teacher = await loadTeacherFromBundle(teacherDir, { dropout: teacherPreset(data.name).dropout });
  const { config, defaults } = resolveStudentDefaults(parsed, data.name, {
    numItems: data.numItems,
    dim: teacher.hyper.dim,
  });
  log(describeDefaults('student', defaults));
  const { M, K, switches } = config;
  const eta = config.mixup ? config.eta : 0;
  const weights = { beta: config.beta, gamma: config.gamma, tau: config.tau, l2: config.l2 };
  const run = studentRunName(data.name, M, K, switches, config.mixup);
  const paths = runPaths(run);
  const out = resolve(config.out ?? paths.bundle);
  const teacherOut = resolve(config.teacherOut ?? paths.teacherAfterKd);
  const reportPath = resolve(config.report ?? paths.report);
  const checkpointDir = resolve(config.checkpoint ?? paths.checkpoint);

  if (teacher.table.numItems !== data.numItems)
    throw new RangeError(
      `teacher ${teacherDir} has ${teacher.table.numItems} items, dataset ${data.name} has ${data.numItems}`,
    );
  const teacherManifest = (await readBundleDir(teacherDir)).manifest;
  const seed = config.seed ?? Number(teacherManifest.info?.seed ?? 42);
  prefixVariableNames(teacher.variables(), 'teacher/');
  const teacherItems = (teacher.table as FullItemTable).items;

  // backbone.params keeps the bundle names as keys (the variables themselves now carry the teacher/ prefix).
  const init =
    config.initEncoder === 'teacher'
      ? new Map(
          [...teacher.backbone.params].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]),
        )
      : undefined;
  const table = new CompositionalItemTable(() => teacherItems, {
    M,
    K,
    mixup: eta,
    gumbelTemperature: config.gumbelTemperature,
    seed,
  });
  const student = new SessionModel(
    new Backbone(teacher.hyper, { seed: seed + 1, ...(init ? { init } : {}) }),
    table,
  );

  const split = splitValidation(data.trainSessions, { fraction: config.validFraction, seed: seed });
  // Popularity, counted once: the hot/cold split, the negative sampler, and the bundles' orders.
  const counts = popularityCounts(split.train, data.numItems);
  const popularityOrder = sessionPopularityOrder(data.trainSessions, data.numItems);
  const hot = hotColdSplit(counts, 0.2);
  const ratioEq11 = compositionalCompressionRatio(data.numItems, teacher.hyper.dim, M, K);
  log(
    `student ${run}: ${data.numItems} items, N=${teacher.hyper.dim}, M=${M}, K=${K} (Eq. 11 ratio ${ratioEq11.toFixed(1)}), ` +
      `η=${eta}, β=${weights.beta}, γ=${weights.gamma}, τ=${weights.tau}, switches ${JSON.stringify(switches)}; backend ${backend}`,
  );

  // --resume without a checkpoint is a fresh run (the pipeline resumes every stage it reruns)
  const resuming = config.resume && hasCheckpoint(checkpointDir);
  let codeInit: ReturnType<CompositionalItemTable['initFromResidualKMeans']> | null = null;
  if (config.codeInit === 'rq') {
    if (resuming)
      table.ensureCodeOffsets(); // the checkpoint holds the offsets
    else codeInit = table.initFromResidualKMeans({ margin: config.codeMargin!, seed, log });
  }
  let warmup: { steps: number; mseBefore: number; mseAfter: number } | null = null;
  if (config.codeWarmupSteps > 0 && !resuming)
    warmup = table.warmUpCodes(config.codeWarmupSteps, { lr: 1e-2, itemsPerStep: 4096, seed, log });

  const options = distillationOptions(config, {
    popularityCounts: counts,
    kdEpochs: config.kdEpochs,
    switches,
    weights,
    seed,
    checkpointDir,
    validateTeacher: true,
    kdFreezeCodeLogits: config.kdFreezeCodeLogits,
  });
  const result = await trainStudent(student, teacher, split, hot, options);
  const { recLoss: _sampler, ...reportedOptions } = options; // the sampler's tables are not configuration
  log(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}`);

  const test = await evaluateWithCpuEngine(student, data.testCases);
  log(`student test (CPU engine, = pnpm eval): ${JSON.stringify(test)}`);
  // Both models hold the weights of the best STUDENT epoch; the teacher differs from its bundle only if
  // that epoch is a bidirectional-KD one.
  const bestStage = result.history.find((e) => e.epoch === result.bestEpoch)?.stage ?? null;
  const changedByKd = switches.kd && switches.bidirectional && bestStage === 'kd';
  // Bidirectional KD changes the teacher; it ships only if that made it better on validation than it was
  // (it has made it worse: issue 22, −4 P@10 on Tmall). Otherwise the teacher stays the one given.
  const teacherAfter = result.history.find((e) => e.epoch === result.bestEpoch)?.teacherValid;
  const teacherImproved =
    !result.teacherBeforeKd ||
    (teacherAfter !== undefined && validationScore(teacherAfter) > validationScore(result.teacherBeforeKd));
  const teacherUpdated = changedByKd && teacherImproved;
  if (changedByKd && !teacherImproved)
    log(
      `teacher after KD: valid P@10 ${teacherAfter?.['P@10']?.toFixed(2) ?? '?'} against ${result.teacherBeforeKd!['P@10']!.toFixed(2)} before it: ` +
        `not written to --teacher-out (the teacher stays ${teacherDir})`,
    );
  const teacherTest =
    teacherUpdated && config.teacherTest ? await evaluateWithCpuEngine(teacher, data.testCases) : null;
  if (teacherTest) log(`teacher after KD test (CPU engine, = pnpm eval): ${JSON.stringify(teacherTest)}`);

  const teacherBytes = dirBytes(teacherDir);
  const { command } = config;
  const exportOptions: ExportOptions = {
    // The empty-session answer needs only the head of the order (docs/model.md: ≥ 1,000 or V); every byte counts here.
    popularity: popularityOrder.slice(0, Math.min(MIN_POPULARITY_LENGTH, data.numItems)),
    vocabulary: data.vocabulary,
    tableDtype: config.tableDtype,
    packCodes: config.packCodes,
    metrics: headlineMetrics(test),
    info: {
      dataset: data.name,
      model: 'compositional student (EODRec)',
      M,
      K,
      eta,
      ...weights,
      switches,
      seed,
      bestEpoch: result.bestEpoch,
      compressionRatioEq11: round2(ratioEq11),
      teacherBundle: teacherDir,
      teacherBundleVersion: teacherManifest.version,
      teacherBundleBytes: teacherBytes,
      command,
      defaults,
    },
  };
  // The manifest states the byte ratio, known only once encoded: a first encoding in memory gives it.
  const firstEncoding = await encodeModelBundle(student, exportOptions);
  const ratioBytes = teacherBytes / [...firstEncoding.values()].reduce((s, f) => s + f.byteLength, 0);
  const bundleBytes = await exportModelBundle(out, student, {
    ...exportOptions,
    info: { ...exportOptions.info, compressionRatioBytes: round2(ratioBytes) },
  });
  let teacherAfterBytes: number | null = null;
  if (teacherUpdated) {
    // The full teacher's popularity order (a `full` bundle carries all V, like the teacher's own).
    teacherAfterBytes = await exportModelBundle(teacherOut, teacher, {
      popularity: popularityOrder,
      vocabulary: data.vocabulary,
      tableDtype: 'float32',
      metrics: teacherTest ? headlineMetrics(teacherTest) : undefined,
      info: {
        dataset: data.name,
        model: 'teacher after bidirectional KD',
        from: teacherDir,
        student: run,
        command,
      },
    });
  }

  const report = {
    model: 'compositional student',
    run,
    kind: 'compositional',
    dataset: datasetBlock(data, config.datasetDir, split),
    configuration: {
      M,
      K,
      eta,
      gumbelTemperature: config.gumbelTemperature,
      initEncoder: config.initEncoder,
      codeInit: config.codeInit,
      codeMargin: config.codeMargin,
      codeWarmupSteps: config.codeWarmupSteps,
      loss: config.loss,
      negatives: config.loss === 'sampled' ? config.negatives : null,
      ...reportedOptions,
      hyper: teacher.hyper,
      tableDtype: config.tableDtype,
      packCodes: config.packCodes,
      backend,
    },
    defaults,
    codeWarmup: warmup,
    residualKMeans: codeInit,
    epochs: result.history,
    bestEpoch: result.bestEpoch,
    stopReason: result.stopReason,
    test,
    teacherAfterKdTest: teacherTest,
    compression: {
      eq11: ratioEq11,
      bundleBytes,
      teacherBundleBytes: teacherBytes,
      bytesRatio: teacherBytes / bundleBytes,
    },
    bundle: { dir: out, bytes: bundleBytes },
    bestEpochStage: bestStage,
    teacherAfterKd: teacherUpdated
      ? { dir: teacherOut, bytes: teacherAfterBytes, fromEpoch: result.bestEpoch }
      : null,
    /** Validation before KD and at the kept epoch; the teacher ships only when the second is better. */
    teacherValidation: result.teacherBeforeKd
      ? { beforeKd: result.teacherBeforeKd, keptEpoch: teacherAfter ?? null, shipped: teacherUpdated }
      : null,
    codeUsage: codeUsage(table.currentCodes(), M, K),
    wallSeconds: (performance.now() - t0) / 1000,
    trainSeconds: result.trainSeconds,
    machine: machineInfo(backend),
    command,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  writeReport(reportPath, report);
  log(
    `bundle ${out} (${bundleBytes} bytes, ${ratioBytes.toFixed(1)}× smaller than the teacher's ${teacherBytes}), report ${reportPath}`,
  );
  student.dispose();
  teacher.dispose();
  return { bundle: { dir: out, bytes: bundleBytes }, report, reportPath };
}
