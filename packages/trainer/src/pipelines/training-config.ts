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
  maxMinutes: string;
  lr: string;
  l2: string;
  batchPositions: string;
  patience: string;
  validFraction: string;
  backend?: string;
  checkpointMinutes: string;
  progress: boolean;
  negatives: string;
}

/** …and what the two-stage distillation of the students adds. */
export interface DistillationFlags extends TrainingFlags {
  seed?: string;
  pretrainEpochs: string;
  pretrainMinutes?: string;
  validLimit?: string;
  loss: string;
  contrastive: boolean;
  bidirectional: boolean;
  softTargets: boolean;
  mixup: boolean;
  kd: boolean;
  etaAnneal?: string | true;
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
    maxMinutes: nonNegative('max-minutes')(flags.maxMinutes),
    lr: nonNegative('lr')(flags.lr),
    l2: nonNegative('l2')(flags.l2),
    positionsPerBatch: int('batch-positions')(flags.batchPositions),
    patience: int('patience')(flags.patience),
    validFraction: nonNegative('valid-fraction')(flags.validFraction),
    backend: flags.backend as BackendName | undefined,
    checkpointEveryMinutes: nonNegative('checkpoint-minutes')(flags.checkpointMinutes),
    progress: flags.progress,
    negatives: int('negatives')(flags.negatives),
    command: commandLine(),
  };
}

export type DistillationConfig = ReturnType<typeof distillationConfig>;

export function distillationConfig(flags: DistillationFlags) {
  return {
    ...trainingConfig(flags),
    seed: optional(flags.seed, int('seed', 0)),
    pretrainEpochs: int('pretrain-epochs', 0)(flags.pretrainEpochs),
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
    etaAnneal:
      flags.etaAnneal === undefined
        ? undefined
        : flags.etaAnneal === true
          ? 1
          : num(flags.etaAnneal, 'eta-anneal', { min: 1e-6 }),
  };
}

/** trainStudent's options from a distillation config and what the pipeline decided. */
export function distillationOptions(
  config: DistillationConfig,
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
