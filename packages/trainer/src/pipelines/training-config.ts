// The flags every training pipeline shares (teacher, student, tensor-train) and the distillation flags the
// students share, parsed and checked once; plus the report's dataset block.
import { resolve } from 'node:path';
import type { Dataset, ValidationSplit } from '../data/index.ts';
import { num, oneOf, optional } from '../flags.ts';
import type { KdSwitches, KdWeights, RecLoss } from '../kd/distiller.ts';
import type { StudentTrainOptions } from '../kd/train-student.ts';
import type { BackendName } from '../train/backend.ts';
import { NegativeSampler } from '../train/sampled-softmax.ts';
import { commandLine } from './report.ts';

/** The command line's values every training command has, as commander hands them over. */
export interface TrainingFlags {
  dataset: string;
  out?: string;
  report?: string;
  checkpoint?: string;
  resume?: boolean;
  /** Optional where the dataset table gives the default (teacher, student); commander's elsewhere. */
  maxMinutes?: string;
  lr?: string;
  l2: string;
  batchPositions?: string;
  patience: string;
  validFraction: string;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  negatives?: string;
}

/** …and what the two-stage distillation of the students adds. */
export interface DistillationFlags extends TrainingFlags {
  seed?: string;
  pretrainEpochs?: string;
  pretrainMinutes?: string;
  validLimit?: string;
  loss: string;
  contrastive: boolean;
  bidirectional: boolean;
  softTargets: boolean;
  mixup: boolean;
  kd: boolean;
  /** '0.6' (default), true (bare flag: 1), false (--no-eta-anneal) or '0': constant η */
  etaAnneal?: string | boolean;
}

export const int =
  (flag: string, min = 1) =>
  (v: string) =>
    num(v, flag, { integer: true, min });
export const nonNegative = (flag: string) => (v: string) => num(v, flag, { min: 0 });

export function trainingConfig(flags: TrainingFlags) {
  return {
    datasetDir: resolve(flags.dataset),
    out: flags.out,
    report: flags.report,
    checkpoint: flags.checkpoint,
    resume: Boolean(flags.resume),
    maxMinutes: optional(flags.maxMinutes, nonNegative('max-minutes')),
    lr: optional(flags.lr, nonNegative('lr')),
    l2: nonNegative('l2')(flags.l2),
    positionsPerBatch: optional(flags.batchPositions, int('batch-positions')),
    patience: int('patience')(flags.patience),
    validFraction: nonNegative('valid-fraction')(flags.validFraction),
    backend: flags.backend as BackendName | undefined,
    checkpointEveryMinutes: nonNegative('checkpoint-minutes')(flags.checkpointMinutes),
    progress: flags.progress,
    negatives: optional(flags.negatives, int('negatives')),
    command: commandLine(),
  };
}

export type DistillationConfig = ReturnType<typeof distillationConfig>;

export function distillationConfig(flags: DistillationFlags) {
  return {
    ...trainingConfig(flags),
    seed: optional(flags.seed, int('seed', 0)),
    pretrainEpochs: optional(flags.pretrainEpochs, int('pretrain-epochs', 0)),
    pretrainMaxMinutes: optional(flags.pretrainMinutes, nonNegative('pretrain-minutes')),
    validLimit: optional(flags.validLimit, int('valid-limit')),
    loss: oneOf(flags.loss, 'loss', ['full', 'sampled'] as const),
    switches: {
      kd: flags.kd,
      contrastive: flags.contrastive,
      softTargets: flags.softTargets,
      bidirectional: flags.bidirectional,
    } satisfies KdSwitches,
    mixup: flags.mixup,
    etaAnneal: etaAnnealFraction(flags.etaAnneal),
  };
}

/** --eta-anneal's fraction: undefined = constant η (--no-eta-anneal, --eta-anneal 0, or not given). */
export function etaAnnealFraction(value: string | boolean | undefined): number | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 1;
  const f = num(value, 'eta-anneal', { min: 0 });
  if (f > 1)
    throw new RangeError(`--eta-anneal: expected a fraction in [0, 1] (0: constant η), got "${value}"`);
  return f === 0 ? undefined : f;
}

/** The schedule's numbers, which commander or the dataset table always supplies. */
export interface Schedule {
  maxMinutes: number;
  lr: number;
  positionsPerBatch: number;
  negatives: number;
  pretrainEpochs: number;
}

/** A value commander's default always supplies: its absence is a bug in the command, not bad input. */
function given<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new Error(`--${flag}: no value and no default (a bug in the command)`);
  return value;
}

/** A distillation config whose schedule flags all had commander defaults (the tensor-train commands). */
export function commanderSchedule<C extends DistillationConfig>(config: C): C & Schedule {
  return {
    ...config,
    maxMinutes: given(config.maxMinutes, 'max-minutes'),
    lr: given(config.lr, 'lr'),
    positionsPerBatch: given(config.positionsPerBatch, 'batch-positions'),
    negatives: given(config.negatives, 'negatives'),
    pretrainEpochs: given(config.pretrainEpochs, 'pretrain-epochs'),
  };
}

/** trainStudent's options from a distillation config and what the pipeline decided. */
export function distillationOptions(
  config: DistillationConfig & Schedule,
  run: {
    /** Training-split popularity: the sampled loss's negatives (--loss sampled). */
    popularityCounts: ArrayLike<number>;
    kdEpochs: number;
    switches: KdSwitches;
    weights: KdWeights;
    seed: number;
    checkpointDir: string;
    validateTeacher: boolean;
    kdFreezeCodeLogits?: boolean;
  },
) {
  const { kdFreezeCodeLogits, popularityCounts, ...decided } = run;
  const recLoss: RecLoss =
    config.loss === 'sampled'
      ? {
          kind: 'sampled',
          sampler: new NegativeSampler(Float64Array.from(popularityCounts), config.negatives),
        }
      : { kind: 'full' };
  return {
    recLoss,
    ...decided,
    pretrainEpochs: config.pretrainEpochs,
    lr: config.lr,
    positionsPerBatch: config.positionsPerBatch,
    patience: config.patience,
    maxMinutes: config.maxMinutes,
    ...(config.pretrainMaxMinutes !== undefined ? { pretrainMaxMinutes: config.pretrainMaxMinutes } : {}),
    ...(config.validLimit !== undefined ? { validLimit: config.validLimit } : {}),
    checkpointEveryMinutes: config.checkpointEveryMinutes,
    resume: config.resume,
    ...(kdFreezeCodeLogits !== undefined ? { kdFreezeCodeLogits } : {}),
    ...(config.etaAnneal !== undefined ? { etaAnneal: config.etaAnneal } : {}),
    progress: config.progress,
  } satisfies StudentTrainOptions;
}

/** The report's `dataset` block. */
export function datasetBlock(
  data: Dataset,
  dir: string,
  split: ValidationSplit,
  trainSessions = split.train.length,
) {
  return {
    name: data.name,
    dir,
    numItems: data.numItems,
    trainSessions,
    validSessions: split.valid.length,
    testCases: data.testCases.length,
  };
}
