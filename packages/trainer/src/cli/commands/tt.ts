// `pnpm train tt` (TT-Rec) — and, through the same runner, `pnpm train sttd` (OD-Rec, ./sttd.ts): the
// tensor-train baselines. Same backbone and same two-stage distillation as the compositional student
// (kd/train-student.ts: stage 1 L_rec + L_mse + mixup, stage 2 bidirectional self-supervised KD); only
// the item table differs. Exports a `tt` / `sttd` bundle (cores only — the device rebuilds the rows)
// and a JSON report with the compression ratios (parameter formula and bytes) and reconstruction FLOPs.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { setTensorTrainRows } from '../../eval/tensor-train-rows.ts';
import { evaluateBundle } from '../../eval/index.ts';
import { hotColdSplit, popularityCounts, sessionPopularityOrder } from '../../data/index.ts';
import { NO_KD, paperKdDefaults, type KdSwitches, type RecLoss } from '../../kd/distiller.ts';
import { prefixVariableNames } from '../../kd/model-scope.ts';
import { trainStudent } from '../../kd/train-student.ts';
import { Backbone, type BackboneHyper } from '../../model/backbone.ts';
import type { ItemTable } from '../../model/item-table.ts';
import { SessionModel } from '../../model/session-model.ts';
import { SttdItemTable } from '../../model/sttd-table.ts';
import { createTeacher, loadTeacherFromBundle, teacherPreset } from '../../model/teacher.ts';
import {
  compositionalTableBytes,
  paramCount,
  reconstructionMacs,
  tensorTrainConfig,
  type TensorTrainConfig,
  type TensorTrainKind,
  type TensorTrainSize,
} from '../../model/tt-configs.ts';
import { warmUpToTeacher, type TableDistillationOptions } from '../../model/tt-distillation.ts';
import { TtItemTable } from '../../model/tt-table.ts';
import { selectBackend, type BackendName } from '../../train/backend.ts';
import { evaluateCases } from '../../train/evaluate.ts';
import { exportModelBundle } from '../../train/export-bundle.ts';
import { NegativeSampler } from '../../train/sampled-softmax.ts';
import { readDataset } from '../../data/index.ts';
import { splitValidation } from '../../data/index.ts';
import { num } from '../../flags.ts';

interface TensorTrainFlags {
  dataset: string;
  teacher?: string | false;
  size: string;
  p?: string;
  q?: string;
  ranks?: string;
  I?: string;
  J?: string;
  rank?: string;
  t?: string;
  out?: string;
  report?: string;
  checkpoint?: string;
  resume?: boolean;
  pretrainEpochs: string;
  kdEpochs: string;
  seed?: string;
  mseWarmupSteps: string;
  loss: string;
  negatives: string;
  pretrainMinutes?: string;
  validLimit?: string;
  maxMinutes: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  validFraction: string;
  initStd: string;
  backboneInit: string;
  kd: boolean;
  contrastive: boolean;
  softTargets: boolean;
  bidirectional: boolean;
  mixup: boolean;
  etaAnneal?: string | true;
  mse: boolean;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  evaluateOnly?: boolean;
  cpuEval: boolean;
}

function intList(value: string, flag: string): number[] {
  const xs = value.split(',').map((x) => num(x.trim(), flag, { integer: true, min: 1 }));
  if (xs.length === 0)
    throw new RangeError(`--${flag}: expected comma-separated positive integers, got "${value}"`);
  return xs;
}

function intPair(value: string, flag: string): [number, number] {
  const xs = intList(value, flag);
  if (xs.length !== 2)
    throw new RangeError(`--${flag}: expected two comma-separated integers, got "${value}"`);
  return [xs[0]!, xs[1]!];
}

/** The dataset's configuration for `size`, with any factor given on the command line replacing it. */
function resolveConfig(
  kind: TensorTrainKind,
  flags: TensorTrainFlags,
  dataset: string,
  numItems: number,
  dim: number,
): TensorTrainConfig {
  if (flags.size !== '30x' && flags.size !== 'equal-bytes')
    throw new RangeError(`--size: expected 30x or equal-bytes, got "${flags.size}"`);
  const base = tensorTrainConfig(kind, flags.size as TensorTrainSize, dataset, numItems, dim);
  if (base.kind === 'tt') {
    return {
      ...base,
      p: flags.p ? intList(flags.p, 'p') : base.p,
      q: flags.q ? intList(flags.q, 'q') : base.q,
      ranks: flags.ranks ? intList(flags.ranks, 'ranks') : base.ranks,
    };
  }
  return {
    ...base,
    I: flags.I ? intPair(flags.I, 'I') : base.I,
    J: flags.J ? intPair(flags.J, 'J') : base.J,
    rank: flags.rank ? num(flags.rank, 'rank', { integer: true, min: 1 }) : base.rank,
    t: flags.t ? num(flags.t, 't', { integer: true, min: 1 }) : base.t,
  };
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

export function registerTensorTrainCommand(program: Command, kind: TensorTrainKind): void {
  const what =
    kind === 'tt'
      ? 'TT-Rec (tensor-train item table, Yin et al. 2021)'
      : 'OD-Rec (semi-tensor-product tensor train, EODRec Eq. 4–8)';
  const cmd = program
    .command(kind)
    .description(
      `train the ${what} baseline student with the compositional student's distillation and export a \`${kind}\` bundle`,
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option(
      '--teacher <dir>',
      'teacher `full` bundle (default apps/demo-shop/public/models/<dataset>-teacher)',
    )
    .option('--no-teacher', 'no teacher: random backbone, L_rec only (TT trained from scratch)')
    .option(
      '--size <s>',
      '30x (the issue configuration) | equal-bytes (as many table bytes as the compositional M=4, K=32 student)',
      '30x',
    );
  if (kind === 'tt') {
    cmd
      .option('--p <list>', 'vocabulary factors, ∏p ≥ V (e.g. 30,34,40)')
      .option('--q <list>', 'dimension factors, ∏q = N (e.g. 4,4,8)')
      .option('--ranks <list>', 'inner TT ranks R_1 … R_{d−1} (e.g. 34,34)');
  } else {
    cmd
      .option('--I <pair>', 'item factors I1,I2 with I1·I2 ≥ V (e.g. 169,241)')
      .option('--J <pair>', 'dimension factors J1,J2 with J1·J2 = N (e.g. 16,8)')
      .option('--rank <n>', 'STTD rank R (a multiple of t)')
      .option('--t <n>', "semi-tensor factor t (the paper's n)");
  }
  cmd
    .option(
      '--out <dir>',
      `bundle folder (default apps/demo-shop/public/models/<dataset>-${kind}; equal-bytes: runs/baselines/<dataset>-${kind}-equal-bytes, not shipped in the shop)`,
    )
    .option('--report <file>', `report JSON (default results/baselines/<dataset>-${kind}[-equal-bytes].json)`)
    .option('--checkpoint <dir>', `checkpoint folder (default runs/${kind}-<dataset>[-equal-bytes])`)
    .option('--resume', 'continue from the checkpoint')
    .option('--pretrain-epochs <n>', 'stage 1 epochs (L_rec + L_mse + mixup)', '1')
    .option('--kd-epochs <n>', 'stage 2 epochs (bidirectional self-supervised KD)', '10')
    .option(
      '--seed <n>',
      "seed (default: the teacher's, so that the validation split is the teacher's; 42 without one)",
    )
    .option(
      '--mse-warmup-steps <n>',
      "Adam steps fitting the cores to the teacher table by L_mse alone before stage 1 (as the compositional student's code warm-up)",
      '300',
    )
    .option('--max-minutes <t>', 'training wall-time budget in minutes (validation included)', '600')
    .option(
      '--loss <kind>',
      "L_rec: full (softmax over all items) | sampled (the teacher's and the student's: shared popularity negatives, logQ)",
      'sampled',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled', '4096')
    .option('--pretrain-minutes <t>', 'cap on stage 1 training minutes (short schedules; then KD begins)')
    .option('--valid-limit <n>', 'validate on at most n validation sessions (a fixed subset)')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch', '512')
    .option('--patience <n>', 'early stopping patience per stage (epochs)', '2')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option(
      '--init-std <x>',
      "std of the rebuilt rows at init (sampled-Gaussian cores); default U(-0.1, 0.1)'s",
      String(0.1 / Math.sqrt(3)),
    )
    .option(
      '--backbone-init <from>',
      "teacher | random: start the student backbone from the teacher's weights or afresh",
      'teacher',
    )
    .option('--no-kd', 'stage 2 without KD (Stu-base)')
    .option('--no-contrastive', 'no InfoNCE term')
    .option('--no-soft-targets', 'no soft-target KL term')
    .option('--no-bidirectional', 'teacher frozen')
    .option('--no-mixup', 'no embedding mixup with the teacher table')
    .option(
      '--eta-anneal [fraction]',
      'anneal the mixup weight η linearly to 0, reached at this fraction of training (default 1: the end), then 0',
    )
    .option('--no-mse', 'no L_mse to the teacher table')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-cpu-eval',
      'skip the CPU-engine evaluation of the exported bundle (run --evaluate-only later)',
    )
    .option(
      '--evaluate-only',
      "no training: evaluate the bundle at --out on the full test set through the CPU engine, rows rebuilt once (same scores as `pnpm eval`, minutes instead of hours); prints pnpm eval's JSON and records it in the report",
    )
    .action(async (flags: TensorTrainFlags) => {
      if (flags.evaluateOnly) await evaluateOnly(kind, flags);
      else await runTensorTrain(kind, flags);
    });
}

export function registerTtCommand(program: Command): void {
  registerTensorTrainCommand(program, 'tt');
}

async function runTensorTrain(kind: TensorTrainKind, flags: TensorTrainFlags): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const backend = await selectBackend(flags.backend as BackendName | undefined);
  // The students' validation runs the CPU engine on an in-memory bundle (kd/evaluate-student.ts). With
  // per-query reconstruction that is ~0.5 s per validation case (hours per epoch); rows rebuilt once per
  // evaluation give the same scores (bit-identical, tensor-train-tables.test.ts).
  setTensorTrainRows('materialized');
  const data = readDataset(resolve(flags.dataset));
  const suffix = flags.size === 'equal-bytes' ? '-equal-bytes' : '';

  // The teacher: KD source, L_mse target, mixup partner, and the backbone the student starts from.
  const teacherDir =
    flags.teacher === false
      ? null
      : resolve(flags.teacher ?? `apps/demo-shop/public/models/${data.name}-teacher`);
  if (teacherDir && !existsSync(teacherDir))
    throw new Error(`teacher bundle ${teacherDir} not found (train it first, or pass --no-teacher)`);
  const teacher = teacherDir
    ? await loadTeacherFromBundle(teacherDir, { dropout: teacherPreset(data.name).dropout })
    : null;
  const teacherSeed = teacherDir ? Number((await readBundleDir(teacherDir)).manifest.info?.seed ?? 42) : 42;
  const seed = flags.seed ? num(flags.seed, 'seed', { integer: true, min: 0 }) : teacherSeed;
  const split = splitValidation(data.trainSessions, {
    fraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
    seed: seed,
  });
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
  const config = resolveConfig(kind, flags, data.name, data.numItems, hyper.dim);
  const kdDefaults = paperKdDefaults(data.name);
  const distillation: TableDistillationOptions | undefined = teacher
    ? {
        teacherItems: () => teacher.table.embeddings({ training: false }),
        mse: flags.mse,
        mixup: flags.mixup ? kdDefaults.eta : 0,
      }
    : undefined;
  const initStd = num(flags.initStd, 'init-std', { min: 0 });
  const table = makeTable(config, data.numItems, hyper.dim, seed, initStd, distillation);
  if (flags.backboneInit !== 'teacher' && flags.backboneInit !== 'random')
    throw new RangeError(`--backbone-init: expected teacher or random, got "${flags.backboneInit}"`);
  const backboneInit =
    teacher && flags.backboneInit === 'teacher'
      ? new Map(
          [...teacher.backbone.params].map(([n, v]) => [
            n.replace(/^teacher\//, ''),
            v.dataSync() as Float32Array,
          ]),
        )
      : undefined;
  const student = new SessionModel(new Backbone(hyper, { seed: seed * 13 + 5, init: backboneInit }), table);
  const warmupSteps = num(flags.mseWarmupSteps, 'mse-warmup-steps', { integer: true, min: 0 });
  const warmup =
    teacher && warmupSteps > 0 && !flags.resume
      ? warmUpToTeacher(table, () => teacher.table.embeddings({ training: false }), warmupSteps, {
          lr: 1e-2,
          log: (l) => process.stderr.write(l + '\n'),
        })
      : null;

  const params = paramCount(config, data.numItems, hyper.dim);
  const macs = reconstructionMacs(config, data.numItems, hyper.dim);
  const out = resolve(flags.out ?? defaultBundleDir(data.name, kind, suffix));
  const reportPath = resolve(flags.report ?? `results/baselines/${data.name}-${kind}${suffix}.json`);
  const checkpointDir = resolve(flags.checkpoint ?? `runs/${kind}-${data.name}${suffix}`);
  process.stderr.write(
    `${kind} on ${data.name}: ${data.numItems} items, ${split.train.length} train / ${split.valid.length} valid sessions; ` +
      `config ${JSON.stringify(config)} → ${params} parameters (${((data.numItems * hyper.dim) / params).toFixed(2)}×); ` +
      `teacher ${teacherDir ?? 'none'}; backend ${backend}\n`,
  );

  const switches: KdSwitches = teacher
    ? {
        kd: flags.kd,
        contrastive: flags.kd && flags.contrastive,
        softTargets: flags.kd && flags.softTargets,
        bidirectional: flags.kd && flags.bidirectional,
      }
    : NO_KD;
  if (flags.loss !== 'full' && flags.loss !== 'sampled')
    throw new RangeError(`--loss: expected full or sampled, got "${flags.loss}"`);
  const recLoss: RecLoss =
    flags.loss === 'sampled'
      ? {
          kind: 'sampled',
          sampler: new NegativeSampler(
            Float64Array.from(popularityCounts(split.train, data.numItems)),
            num(flags.negatives, 'negatives', { integer: true, min: 1 }),
          ),
        }
      : { kind: 'full' };
  const options = {
    recLoss,
    ...(flags.pretrainMinutes
      ? { pretrainMaxMinutes: num(flags.pretrainMinutes, 'pretrain-minutes', { min: 0 }) }
      : {}),
    ...(flags.validLimit
      ? { validLimit: num(flags.validLimit, 'valid-limit', { integer: true, min: 1 }) }
      : {}),
    pretrainEpochs: num(flags.pretrainEpochs, 'pretrain-epochs', { integer: true, min: 0 }),
    kdEpochs: num(flags.kdEpochs, 'kd-epochs', { integer: true, min: 0 }),
    switches,
    weights: {
      beta: kdDefaults.beta,
      gamma: kdDefaults.gamma,
      tau: kdDefaults.tau,
      l2: num(flags.l2, 'l2', { min: 0 }),
    },
    lr: num(flags.lr, 'lr', { min: 0 }),
    positionsPerBatch: num(flags.batchPositions, 'batch-positions', { integer: true, min: 1 }),
    seed,
    patience: num(flags.patience, 'patience', { integer: true, min: 1 }),
    maxMinutes: num(flags.maxMinutes, 'max-minutes', { min: 0 }),
    checkpointDir,
    checkpointEveryMinutes: num(flags.checkpointMinutes, 'checkpoint-minutes', { min: 0 }),
    resume: Boolean(flags.resume),
    validateTeacher: false,
    ...(flags.etaAnneal !== undefined
      ? {
          etaAnneal: flags.etaAnneal === true ? 1 : num(flags.etaAnneal, 'eta-anneal', { min: 1e-6 }),
        }
      : {}),
    progress: flags.progress,
  };
  if (flags.resume) reopenTimeBudget(checkpointDir);
  const result = await trainStudent(
    student,
    teacherModel,
    split,
    hotColdSplit(popularityCounts(split.train, data.numItems)),
    options,
  );
  const { recLoss: _sampler, ...reportedOptions } = options; // the sampler's tables are not configuration
  process.stderr.write(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}\n`);

  const tTest = performance.now();
  const test = await evaluateCases(student, data.testCases);
  const testSeconds = (performance.now() - tTest) / 1000;
  process.stderr.write(`test (trainer's tfjs scoring): ${JSON.stringify(test)}\n`);
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
    metrics: {
      'P@10': round(test['P@10']!),
      'NDCG@10': round(test['NDCG@10']!),
      'MRR@10': round(test['MRR@10']!),
    },
    info: {
      dataset: data.name,
      model: kind === 'tt' ? 'TT-Rec student' : 'OD-Rec (STTD) student',
      config,
      compression: ratios,
      reconstructionMacs: macs,
      teacher: teacherDir,
      seed,
      bestEpoch: result.bestEpoch,
      command: `pnpm train ${process.argv.slice(2).join(' ')}`,
    },
  });
  const teacherBundleBytes = teacherDir ? await bundleSize(teacherDir) : null;
  // The published numbers: the exported bundle through the SDK's CPU engine (what `pnpm eval` prints).
  let cpuEngineTest: { metrics: Record<string, number>; seconds: number } | null = null;
  if (flags.cpuEval) {
    const tCpu = performance.now();
    const cpuMetrics = await evaluateThroughCpuEngine(out, resolve(flags.dataset));
    cpuEngineTest = { metrics: cpuMetrics, seconds: (performance.now() - tCpu) / 1000 };
    process.stderr.write(`test (CPU engine on the bundle): ${JSON.stringify(cpuMetrics)}\n`);
  }
  const report = {
    model: kind,
    kind,
    dataset: {
      name: data.name,
      dir: resolve(flags.dataset),
      numItems: data.numItems,
      trainSessions: split.train.length,
      validSessions: split.valid.length,
      testCases: data.testCases.length,
    },
    configuration: {
      ...config,
      size: flags.size,
      backbone: hyper,
      backboneInit: teacher ? flags.backboneInit : 'random',
      initStd,
      mseWarmupSteps: warmup ? warmupSteps : 0,
      distillation: distillation ? { mse: distillation.mse, mixup: distillation.mixup } : null,
      ...reportedOptions,
      recLoss:
        flags.loss === 'sampled' ? { kind: 'sampled', negatives: Number(flags.negatives) } : { kind: 'full' },
      loss: `L_rec (${flags.loss} softmax) + L_mse (stage 1) + KD terms (stage 2)`,
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
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryBytes: totalmem(),
      node: process.version,
      tfjs: tf.version_core,
      backend,
    },
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(`bundle ${out} (${bundleBytes} bytes), report ${reportPath}\n`);
  student.dispose();
  teacherModel.dispose();
}

/**
 * `pnpm eval`'s numbers for a tt/sttd bundle, through the same library (CPU engine encoder + this kind's
 * CPU item table), with the rows rebuilt once instead of per test case: the scores are bit-identical
 * (tensor-train-tables.test.ts), and 25,898 catalogue reconstructions (~1 h per bundle on one core) become one.
 */
export async function evaluateThroughCpuEngine(
  bundleDir: string,
  datasetDir: string,
): Promise<Record<string, number>> {
  let last = 0;
  const { metrics } = await evaluateBundle({
    bundleDir,
    datasetDir,
    workers: 1,
    rows: 'materialized',
    onProgress: (done, total) => {
      if (performance.now() - last < 30_000 && done < total) return;
      last = performance.now();
      process.stderr.write(`eval (CPU engine, materialized rows): ${done}/${total} cases\n`);
    },
  });
  return Object.fromEntries(
    Object.entries(metrics).map(([k, v]) => [k, k === 'cases' ? v : Number(v.toFixed(4))]),
  );
}

async function evaluateOnly(kind: TensorTrainKind, flags: TensorTrainFlags): Promise<void> {
  const data = readDataset(resolve(flags.dataset));
  const suffix = flags.size === 'equal-bytes' ? '-equal-bytes' : '';
  const out = resolve(flags.out ?? defaultBundleDir(data.name, kind, suffix));
  const reportPath = resolve(flags.report ?? `results/baselines/${data.name}-${kind}${suffix}.json`);
  const t0 = performance.now();
  const metrics = await evaluateThroughCpuEngine(out, resolve(flags.dataset));
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify(metrics)}\n`);
  if (existsSync(reportPath)) {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Record<string, unknown>;
    report.cpuEngineTest = { metrics, seconds, command: `pnpm train ${process.argv.slice(2).join(' ')}` };
    writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
    process.stderr.write(`recorded in ${reportPath}\n`);
  }
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

/** The shop ships the ~30× bundles; other sizes stay out of its model list. */
function defaultBundleDir(dataset: string, kind: TensorTrainKind, suffix: string): string {
  return suffix
    ? `runs/baselines/${dataset}-${kind}${suffix}`
    : `apps/demo-shop/public/models/${dataset}-${kind}`;
}

async function bundleSize(dir: string): Promise<number> {
  const bundle = await readBundleDir(dir);
  return bundle.manifest.files.reduce((s, f) => s + f.byteLength, 0) + JSON.stringify(bundle.manifest).length;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
