// `pnpm train student`: the compositional student of EODRec (Sec. 4–5) distilled from a `full` teacher
// bundle: stage 1 (L_rec + L_mse), stage 2 (bidirectional self-supervised KD), export of a
// `compositional` bundle (argmax codes) and a JSON report; the KD-updated teacher is exported too.
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MIN_POPULARITY_LENGTH } from '@session-rec/sdk/bundle';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import * as tf from '@tensorflow/tfjs-core';
import { hotColdSplit, popularityCounts, sessionPopularityOrder } from '../../data/index.ts';
import { paperKdDefaults, type KdSwitches, type RecLoss } from '../../kd/distiller.ts';
import { prefixVariableNames } from '../../kd/model-scope.ts';
import { evaluateWithCpuEngine } from '../../kd/evaluate-student.ts';
import { trainStudent } from '../../kd/train-student.ts';
import { Backbone } from '../../model/backbone.ts';
import { compositionalCompressionRatio } from '../../model/compositional-codes.ts';
import { CompositionalItemTable } from '../../model/compositional.ts';
import { FullItemTable } from '../../model/full-table.ts';
import { SessionModel } from '../../model/session-model.ts';
import { loadTeacherFromBundle, teacherPreset } from '../../model/teacher.ts';
import { selectBackend, type BackendName } from '../../train/backend.ts';
import { exportModelBundle } from '../../train/export-bundle.ts';
import { NegativeSampler } from '../../train/sampled-softmax.ts';
import { readDataset } from '../../data/index.ts';
import { splitValidation } from '../../data/index.ts';
import { num } from '../flags.ts';

interface StudentFlags {
  dataset: string;
  teacher?: string;
  M: string;
  K: string;
  out?: string;
  teacherOut?: string;
  report?: string;
  checkpoint?: string;
  resume?: boolean;
  pretrainEpochs: string;
  epochs: string;
  seed?: string;
  maxMinutes: string;
  pretrainMinutes?: string;
  validLimit?: string;
  eta?: string;
  beta?: string;
  gamma?: string;
  tau?: string;
  gumbelTemperature: string;
  contrastive: boolean;
  bidirectional: boolean;
  softTargets: boolean;
  mixup: boolean;
  kd: boolean;
  initEncoder: string;
  codeWarmupSteps: string;
  loss: string;
  negatives: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  validFraction: string;
  tableDtype: string;
  packCodes?: boolean;
  kdFreezeCodeLogits?: boolean;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  teacherTest: boolean;
  codeInit: string;
  codeMargin: string;
  etaAnneal?: string | true;
}

export function registerStudentCommand(program: Command): void {
  program
    .command('student')
    .description(
      'distil a compositional-code student (EODRec) from a `full` teacher bundle and export a `compositional` bundle',
    )
    .requiredOption('--dataset <dir>', 'dataset folder (train.txt, test.txt, dataset.json)')
    .option(
      '--teacher <dir>',
      'teacher bundle (kind full; default apps/demo-shop/public/models/<dataset>-teacher)',
    )
    .option('--M <n>', 'codebooks M', '4')
    .option('--K <n>', 'codewords per codebook K', '32')
    .option(
      '--out <dir>',
      'student bundle folder (default apps/demo-shop/public/models/<dataset>-compositional for the paper config, else runs/<run>/bundle)',
    )
    .option(
      '--teacher-out <dir>',
      'where the KD-updated teacher bundle goes (default runs/<run>/teacher-after-kd)',
    )
    .option('--report <file>', 'report JSON (default results/student/<run>.json)')
    .option('--checkpoint <dir>', 'checkpoint folder (default runs/<run>/checkpoint)')
    .option('--resume', 'continue from the checkpoint')
    .option('--pretrain-epochs <n>', 'stage 1 epochs (L_rec + L_mse)', '1')
    .option('--epochs <n>', 'stage 2 epochs (bidirectional KD)', '10')
    .option('--seed <n>', 'seed (default: the teacher’s, so that the validation split is the teacher’s)')
    .option('--max-minutes <t>', 'training wall-time budget in minutes (validation included)', '600')
    .option('--pretrain-minutes <t>', 'cap on stage 1 training minutes (short schedules; then KD begins)')
    .option('--valid-limit <n>', 'validate on at most n validation sessions (a fixed subset)')
    .option('--eta <x>', 'embedding-mixup weight η (Eq. 16; paper 0.8 Tmall, 0.7 RetailRocket)')
    .option('--beta <x>', 'contrastive weight β (paper 0.01 Tmall, 0.5 RetailRocket)')
    .option('--gamma <x>', 'soft-target weight γ (paper 0.3)')
    .option('--tau <x>', 'InfoNCE temperature τ (paper 0.2)')
    .option('--gumbel-temperature <x>', 'Gumbel-softmax temperature ε (Eq. 14)', '0.3')
    .option('--no-contrastive', 'ablation Stu-w/o-c: no contrastive distillation (Eq. 20)')
    .option('--no-bidirectional', 'ablation Stu-w/o-b: teacher frozen')
    .option('--no-soft-targets', 'ablation Stu-w/o-s: no soft-target distillation (Eq. 22)')
    .option('--no-mixup', 'ablation Stu-w/o-m: no embedding mixup (Eq. 16)')
    .option('--no-kd', 'ablation Stu-base: no distillation at all (stage 1 objective throughout)')
    .option('--init-encoder <from>', 'student encoder init: teacher (copy its weights) | random', 'teacher')
    .option(
      '--code-init <how>',
      'rq: codes and codebooks from a residual k-means of the teacher table (per-item code logits, still learned by Gumbel-softmax) | mlp: the code MLP fitted by L_mse (--code-warmup-steps)',
      'rq',
    )
    .option('--code-margin <x>', '--code-init rq: logit margin of each item’s k-means code', '4')
    .option(
      '--code-warmup-steps <n>',
      '--code-init mlp: Adam steps fitting codes/codebooks to the teacher table by L_mse alone before stage 1',
      '300',
    )
    .option(
      '--eta-anneal [fraction]',
      'anneal the mixup weight η linearly to 0, reached at this fraction of training (default 1: the end), then 0',
    )
    .option(
      '--loss <kind>',
      'L_rec: full (softmax over all items) | sampled (shared popularity negatives, logQ; L_soft then over targets ∪ negatives)',
      'sampled',
    )
    .option('--negatives <n>', 'negatives per batch for --loss sampled', '4096')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--l2 <x>', 'L2 regularisation', '1e-5')
    .option('--batch-positions <n>', 'positions (prefix predictions) per batch', '512')
    .option('--patience <n>', 'early stopping patience per stage (epochs)', '2')
    .option('--valid-fraction <x>', 'share of training sessions held out for validation', '0.1')
    .option('--table-dtype <t>', 'float32 | float16 for the codebooks in the bundle', 'float32')
    .option(
      '--kd-freeze-code-logits',
      'stage 2 keeps the per-item code logits fixed (codes move only through the code MLP); RetailRocket needs it on tfjs-wasm',
    )
    .option('--pack-codes', 'store the code matrix at ⌈log2 K⌉ bits per code (bundle format 2; lossless)')
    .option('--backend <name>', 'tensorflow | wasm | cpu (default: tensorflow if installed, else wasm)')
    .option('--checkpoint-minutes <t>', 'minutes between mid-epoch checkpoints', '5')
    .option('--no-progress', 'no progress bar')
    .option(
      '--no-teacher-test',
      'skip the KD-updated teacher’s test evaluation (its bundle is still written; run pnpm eval on it)',
    )
    .action(async (flags: StudentFlags) => {
      await runStudent(flags);
    });
}

/** Run name: dataset, M, K and the ablation switches that are off. */
function runName(dataset: string, M: number, K: number, switches: KdSwitches, mixup: boolean): string {
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

/** Paper configurations that ship in the demo shop (SPEC / issue 4). */
function isShippedConfig(dataset: string, M: number, K: number): boolean {
  return /retail/i.test(dataset) ? M === 3 && K === 256 : M === 4 && K === 32;
}

async function runStudent(flags: StudentFlags): Promise<void> {
  const started = new Date();
  const t0 = performance.now();
  const backend = await selectBackend(flags.backend as BackendName | undefined);
  const data = readDataset(resolve(flags.dataset));
  const M = num(flags.M, 'M', { integer: true, min: 1 });
  const K = num(flags.K, 'K', { integer: true, min: 2 });
  const paper = paperKdDefaults(data.name);
  const switches: KdSwitches = {
    kd: flags.kd,
    contrastive: flags.contrastive,
    softTargets: flags.softTargets,
    bidirectional: flags.bidirectional,
  };
  const eta = flags.mixup ? (flags.eta ? num(flags.eta, 'eta', { min: 0 }) : paper.eta) : 0;
  const weights = {
    beta: flags.beta ? num(flags.beta, 'beta', { min: 0 }) : paper.beta,
    gamma: flags.gamma ? num(flags.gamma, 'gamma', { min: 0 }) : paper.gamma,
    tau: flags.tau ? num(flags.tau, 'tau', { min: 1e-6 }) : paper.tau,
    l2: num(flags.l2, 'l2', { min: 0 }),
  };
  if (flags.tableDtype !== 'float32' && flags.tableDtype !== 'float16')
    throw new RangeError(`--table-dtype: expected float32 or float16, got "${flags.tableDtype}"`);
  if (flags.initEncoder !== 'teacher' && flags.initEncoder !== 'random')
    throw new RangeError(`--init-encoder: expected teacher or random, got "${flags.initEncoder}"`);
  const run = runName(data.name, M, K, switches, flags.mixup);
  const teacherDir = resolve(flags.teacher ?? `apps/demo-shop/public/models/${data.name}-teacher`);
  const shipped = isShippedConfig(data.name, M, K) && run === `${data.name}-M${M}-K${K}`;
  const out = resolve(
    flags.out ??
      (shipped ? `apps/demo-shop/public/models/${data.name}-compositional` : `runs/student/${run}/bundle`),
  );
  const teacherOut = resolve(flags.teacherOut ?? `runs/student/${run}/teacher-after-kd`);
  const reportPath = resolve(flags.report ?? `results/student/${run}.json`);
  const checkpointDir = resolve(flags.checkpoint ?? `runs/student/${run}/checkpoint`);

  const teacher = await loadTeacherFromBundle(teacherDir, { dropout: teacherPreset(data.name).dropout });
  if (teacher.table.numItems !== data.numItems)
    throw new RangeError(
      `teacher ${teacherDir} has ${teacher.table.numItems} items, dataset ${data.name} has ${data.numItems}`,
    );
  const teacherManifest = (await readBundleDir(teacherDir)).manifest;
  const seed = flags.seed
    ? num(flags.seed, 'seed', { integer: true, min: 0 })
    : Number(teacherManifest.info?.seed ?? 42);
  prefixVariableNames(teacher.variables(), 'teacher/');
  const teacherItems = (teacher.table as FullItemTable).items;

  // backbone.params keeps the bundle names as keys (the variables themselves now carry the teacher/ prefix).
  const init =
    flags.initEncoder === 'teacher'
      ? new Map(
          [...teacher.backbone.params].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]),
        )
      : undefined;
  const table = new CompositionalItemTable(() => teacherItems, {
    M,
    K,
    mixup: eta,
    gumbelTemperature: num(flags.gumbelTemperature, 'gumbel-temperature', { min: 1e-6 }),
    seed,
  });
  const student = new SessionModel(
    new Backbone(teacher.hyper, { seed: seed + 1, ...(init ? { init } : {}) }),
    table,
  );

  const split = splitValidation(data.trainSessions, {
    fraction: num(flags.validFraction, 'valid-fraction', { min: 0 }),
    seed: seed,
  });
  const hot = hotColdSplit(popularityCounts(split.train, data.numItems), 0.2);
  const ratioEq11 = compositionalCompressionRatio(data.numItems, teacher.hyper.dim, M, K);
  process.stderr.write(
    `student ${run}: ${data.numItems} items, N=${teacher.hyper.dim}, M=${M}, K=${K} (Eq. 11 ratio ${ratioEq11.toFixed(1)}), ` +
      `η=${eta}, β=${weights.beta}, γ=${weights.gamma}, τ=${weights.tau}, switches ${JSON.stringify(switches)}; backend ${backend}\n`,
  );

  if (flags.codeInit !== 'rq' && flags.codeInit !== 'mlp')
    throw new RangeError(`--code-init: expected rq or mlp, got "${flags.codeInit}"`);
  const warmupSteps =
    flags.codeInit === 'mlp' ? num(flags.codeWarmupSteps, 'code-warmup-steps', { integer: true, min: 0 }) : 0;
  const resuming = Boolean(flags.resume);
  let codeInit: ReturnType<CompositionalItemTable['initFromResidualKMeans']> | null = null;
  if (flags.codeInit === 'rq') {
    if (resuming)
      table.ensureCodeOffsets(); // the checkpoint holds the offsets
    else
      codeInit = table.initFromResidualKMeans({
        margin: num(flags.codeMargin, 'code-margin', { min: 0 }),
        seed,
        log: (l) => process.stderr.write(l + '\n'),
      });
  }
  let warmup: { steps: number; mseBefore: number; mseAfter: number } | null = null;
  if (warmupSteps > 0 && !resuming)
    warmup = table.warmUpCodes(warmupSteps, {
      lr: 1e-2,
      itemsPerStep: 4096,
      seed,
      log: (l) => process.stderr.write(l + '\n'),
    });

  if (flags.loss !== 'full' && flags.loss !== 'sampled')
    throw new RangeError(`--loss: expected full or sampled, got "${flags.loss}"`);
  const counts = popularityCounts(split.train, data.numItems);
  const recLoss: RecLoss =
    flags.loss === 'sampled'
      ? {
          kind: 'sampled',
          sampler: new NegativeSampler(
            Float64Array.from(counts),
            num(flags.negatives, 'negatives', { integer: true, min: 1 }),
          ),
        }
      : { kind: 'full' };
  const options = {
    recLoss,
    pretrainEpochs: num(flags.pretrainEpochs, 'pretrain-epochs', { integer: true, min: 0 }),
    kdEpochs: num(flags.epochs, 'epochs', { integer: true, min: 0 }),
    switches,
    weights,
    lr: num(flags.lr, 'lr', { min: 0 }),
    positionsPerBatch: num(flags.batchPositions, 'batch-positions', { integer: true, min: 1 }),
    seed,
    patience: num(flags.patience, 'patience', { integer: true, min: 1 }),
    maxMinutes: num(flags.maxMinutes, 'max-minutes', { min: 0 }),
    ...(flags.pretrainMinutes
      ? { pretrainMaxMinutes: num(flags.pretrainMinutes, 'pretrain-minutes', { min: 0 }) }
      : {}),
    ...(flags.validLimit
      ? { validLimit: num(flags.validLimit, 'valid-limit', { integer: true, min: 1 }) }
      : {}),
    checkpointDir,
    checkpointEveryMinutes: num(flags.checkpointMinutes, 'checkpoint-minutes', { min: 0 }),
    resume: resuming,
    validateTeacher: true,
    kdFreezeCodeLogits: Boolean(flags.kdFreezeCodeLogits),
    ...(flags.etaAnneal !== undefined
      ? {
          etaAnneal: flags.etaAnneal === true ? 1 : num(flags.etaAnneal, 'eta-anneal', { min: 1e-6 }),
        }
      : {}),
    progress: flags.progress,
  };
  const result = await trainStudent(student, teacher, split, hot, options);
  const { recLoss: _sampler, ...reportedOptions } = options; // the sampler's tables are not configuration
  process.stderr.write(`training stopped: ${result.stopReason}; best epoch ${result.bestEpoch}\n`);

  const test = await evaluateWithCpuEngine(student, data.testCases);
  process.stderr.write(`student test (CPU engine, = pnpm eval): ${JSON.stringify(test)}\n`);
  // Both models hold the weights of the best STUDENT epoch; the teacher differs from its bundle only if
  // that epoch is a bidirectional-KD one.
  const bestStage = result.history.find((e) => e.epoch === result.bestEpoch)?.stage ?? null;
  const teacherUpdated = switches.kd && switches.bidirectional && bestStage === 'kd';
  const teacherTest =
    teacherUpdated && flags.teacherTest ? await evaluateWithCpuEngine(teacher, data.testCases) : null;
  if (teacherTest)
    process.stderr.write(`teacher after KD test (CPU engine, = pnpm eval): ${JSON.stringify(teacherTest)}\n`);

  const teacherBytes = dirBytes(teacherDir);
  // The empty-session answer needs only the head of the order (docs/model.md: ≥ 1,000 or V); every byte counts here.
  const popularity = sessionPopularityOrder(data.trainSessions, data.numItems).slice(
    0,
    Math.min(MIN_POPULARITY_LENGTH, data.numItems),
  );
  const headline = {
    'P@10': round(test['P@10']!),
    'NDCG@10': round(test['NDCG@10']!),
    'MRR@10': round(test['MRR@10']!),
  };
  const command = `pnpm train ${process.argv.slice(2).join(' ')}`;
  // Bundle bytes are only known after encoding, so the byte ratio is computed against a first encoding.
  const info = {
    dataset: data.name,
    model: 'compositional student (EODRec)',
    M,
    K,
    eta,
    ...weights,
    switches,
    seed,
    bestEpoch: result.bestEpoch,
    compressionRatioEq11: round(ratioEq11),
    teacherBundle: teacherDir,
    teacherBundleVersion: teacherManifest.version,
    teacherBundleBytes: teacherBytes,
    command,
  };
  let bundleBytes = await exportModelBundle(out, student, {
    popularity,
    vocabulary: data.vocabulary,
    tableDtype: flags.tableDtype,
    packCodes: Boolean(flags.packCodes),
    metrics: headline,
    info,
  });
  const ratioBytes = teacherBytes / bundleBytes;
  bundleBytes = await exportModelBundle(out, student, {
    popularity,
    vocabulary: data.vocabulary,
    tableDtype: flags.tableDtype,
    packCodes: Boolean(flags.packCodes),
    metrics: headline,
    info: { ...info, compressionRatioBytes: round(ratioBytes) },
  });
  let teacherAfterBytes: number | null = null;
  if (teacherUpdated) {
    const tHeadline = teacherTest
      ? {
          'P@10': round(teacherTest['P@10']!),
          'NDCG@10': round(teacherTest['NDCG@10']!),
          'MRR@10': round(teacherTest['MRR@10']!),
        }
      : undefined;
    // The full teacher's popularity order (a `full` bundle carries all V, like the teacher's own).
    teacherAfterBytes = await exportModelBundle(teacherOut, teacher, {
      popularity: sessionPopularityOrder(data.trainSessions, data.numItems),
      vocabulary: data.vocabulary,
      tableDtype: 'float32',
      metrics: tHeadline,
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
    dataset: {
      name: data.name,
      dir: resolve(flags.dataset),
      numItems: data.numItems,
      trainSessions: split.train.length,
      validSessions: split.valid.length,
      testCases: data.testCases.length,
    },
    configuration: {
      M,
      K,
      eta,
      gumbelTemperature: Number(flags.gumbelTemperature),
      initEncoder: flags.initEncoder,
      codeInit: flags.codeInit,
      codeMargin: flags.codeInit === 'rq' ? Number(flags.codeMargin) : null,
      codeWarmupSteps: warmupSteps,
      loss: flags.loss,
      negatives: flags.loss === 'sampled' ? Number(flags.negatives) : null,
      ...reportedOptions,
      hyper: teacher.hyper,
      tableDtype: flags.tableDtype,
      packCodes: Boolean(flags.packCodes),
      backend,
    },
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
    codeUsage: codeUsage(table.currentCodes(), M, K),
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
    command,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
  process.stderr.write(
    `bundle ${out} (${bundleBytes} bytes, ${ratioBytes.toFixed(1)}× smaller than the teacher's ${teacherBytes}), report ${reportPath}\n`,
  );
  student.dispose();
  teacher.dispose();
}

/** How many items use each codeword: [M][K] counts (Fig. 6). */
export function codeUsage(codes: Int32Array, M: number, K: number): number[][] {
  const usage = Array.from({ length: M }, () => new Array<number>(K).fill(0));
  for (let i = 0; i < codes.length; i++) usage[i % M]![codes[i]!]!++;
  return usage;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
