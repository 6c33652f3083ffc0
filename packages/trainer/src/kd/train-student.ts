// The student's two-stage schedule (EODRec Algorithm 1): stage 1 pre-trains the student alone with
// L_rec + L_mse (Eq. 24); stage 2 adds bidirectional self-supervised KD (Eq. 27). Any ItemTable works,
// so the tt / sttd baselines train through the same function.
// Reuses the teacher's batching, validation and checkpoint format; differs from train/loop.ts in what a
// step is (two models, loss parts per step, a stage switch with its own optimizer).
import * as tf from '@tensorflow/tfjs-core';
import type { SessionModel } from '../model/session-model.ts';
import { makeBatches, sessionWindows } from '../train/batches.ts';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type NamedArray } from '../train/checkpoint.ts';
import { epochBar, yieldToEventLoop } from '../progress.ts';
import { validationScore } from '../train/loop.ts';
import type { Metrics } from '../eval/metrics.ts';
import { evaluateWithCpuEngine, sessionCases } from './evaluate-student.ts';
import {
  Distiller,
  NO_KD,
  type KdSwitches,
  type KdWeights,
  type LossParts,
  type RecLoss,
} from './distiller.ts';

export interface StudentTrainOptions {
  /** Stage 1 epochs (L_rec + L_mse only). */
  pretrainEpochs: number;
  /** Stage 2 epochs (with KD as `switches` say; `switches.kd = false` continues stage 1 = Stu-base). */
  kdEpochs: number;
  switches: KdSwitches;
  weights: KdWeights;
  /** L_rec (and then L_soft) over all items (default) or sampled; see RecLoss. */
  recLoss?: RecLoss;
  lr: number;
  positionsPerBatch: number;
  seed: number;
  /** Early stopping inside a stage: epochs without a better validation score. */
  patience: number;
  maxMinutes: number;
  /** Cap on stage 1's training minutes (short schedules): the stage is cut there and KD begins. */
  pretrainMaxMinutes?: number;
  /** Validate on at most this many validation sessions (a fixed subset; the test set is never cut). */
  validLimit?: number;
  checkpointDir?: string;
  checkpointEveryMinutes: number;
  resume: boolean;
  /** As TrainOptions.keepStartUnlessBeaten: the starting student is scored first and kept unless beaten. */
  keepStartUnlessBeaten?: boolean;
  /**
   * Anneal the mixup weight η (Eq. 16) linearly to 0, reached at this fraction of training (of the
   * planned epochs or of the time budget, whichever runs out first) and kept at 0 after, so that the
   * encoder ends on the pure composite embeddings the device uses. Unset = the paper's constant η.
   */
  etaAnneal?: number;
  /** Stage 2 leaves the per-item code logits fixed (Distiller's freezeCodeLogits). */
  kdFreezeCodeLogits?: boolean;
  /** Validate the teacher too after each KD epoch (it changes under bidirectional KD). */
  validateTeacher: boolean;
  progress?: boolean;
  log?: (line: string) => void;
}

export interface StudentEpochRecord {
  epoch: number;
  stage: 'pretrain' | 'kd';
  /** Fraction of the epoch's batches that ran (< 1 when the time budget cut it). */
  completed: number;
  /** Mean loss parts over the epoch's steps (position-weighted). */
  loss: LossParts;
  trainSeconds: number;
  validSeconds: number;
  valid: Metrics;
  teacherValid?: Metrics;
}

interface StudentLoopState {
  epoch: number;
  batchInEpoch: number;
  partSums: Record<string, number>;
  positionsInEpoch: number;
  trainMsInEpoch: number;
  elapsedMs: number;
  history: StudentEpochRecord[];
  bestEpoch: number;
  bestScore: number;
  stageBest: number;
  stageBestEpoch: number;
  stopReason: string | null;
  /** Training ms spent in stage 1 so far (for pretrainMaxMinutes). */
  pretrainMs?: number;
  /** Stage whose Adam state the checkpoint's optimizer arrays are. */
  optimizerStage?: 'pretrain' | 'kd' | null;
  /** Gumbel-noise step counter of a compositional table, so a resumed run continues the same stream. */
  noiseStep?: number;
  /** The teacher's validation metrics just before its first bidirectional-KD step (validateTeacher). */
  teacherBeforeKd?: Record<string, number>;
}

export interface StudentTrainResult {
  history: StudentEpochRecord[];
  bestEpoch: number;
  stopReason: string;
  elapsedSeconds: number;
  trainSeconds: number;
  /** The teacher's validation metrics before bidirectional KD first changed it (validateTeacher). */
  teacherBeforeKd?: Record<string, number>;
}

const PART_KEYS: (keyof LossParts)[] = ['total', 'rec', 'aux', 'con', 'soft', 'recTeacher', 'l2'];

type NamedVariable = [name: string, variable: tf.Variable];

/**
 * Stable checkpoint names: tfjs auto-names unnamed variables by creation order, which differs between
 * runs, so names come from the model structure instead (backbone parameter names, table order).
 */
function checkpointVariables(
  student: SessionModel,
  teacher: SessionModel,
  distiller: Distiller,
): NamedVariable[] {
  const of = (prefix: string, m: SessionModel): NamedVariable[] => [
    ...[...m.backbone.params].map(([n, v]): NamedVariable => [`${prefix}/backbone/${n}`, v]),
    ...m.table.variables().map((v, i): NamedVariable => [`${prefix}/table/${i}`, v]),
  ];
  return [
    ...of('student', student),
    ...of('teacher', teacher),
    ['kd/projTeacher', distiller.projTeacher],
    ['kd/projStudent', distiller.projStudent],
  ];
}

function snapshot(vars: NamedVariable[]): NamedArray[] {
  return vars.map(([name, v]) => ({
    name,
    shape: v.shape.slice(),
    data: (v.dataSync() as Float32Array).slice(),
  }));
}

function restore(vars: NamedVariable[], arrays: NamedArray[]): void {
  const byName = new Map(arrays.map((a) => [a.name, a]));
  for (const [name, v] of vars) {
    const a = byName.get(name);
    if (!a) throw new Error(`checkpoint has no weights for variable ${name}`);
    tf.tidy(() => v.assign(tf.tensor(a.data, v.shape)));
  }
}

function noiseStepOf(model: SessionModel): { noiseStep: number } | null {
  const table = model.table as unknown as { noiseStep?: number };
  return typeof table.noiseStep === 'number' ? (table as { noiseStep: number }) : null;
}

/**
 * Trains `student` (and, under bidirectional KD, `teacher`) in place; at the end both hold the weights
 * of the best student validation epoch. `hot` [V]: 1 for the hot items (top 20% by training count).
 */
export async function trainStudent(
  student: SessionModel,
  teacher: SessionModel,
  data: { train: Int32Array[]; valid: Int32Array[] },
  hot: Uint8Array,
  opts: StudentTrainOptions,
): Promise<StudentTrainResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const totalEpochs = opts.pretrainEpochs + opts.kdEpochs;
  const stageOf = (epoch: number): 'pretrain' | 'kd' => (epoch < opts.pretrainEpochs ? 'pretrain' : 'kd');
  const distillers = {
    pretrain: new Distiller(student.hyper.dim, NO_KD, opts.weights, opts.seed, opts.recLoss),
    kd: new Distiller(
      student.hyper.dim,
      opts.switches,
      opts.weights,
      opts.seed,
      opts.recLoss,
      opts.kdFreezeCodeLogits ?? false,
    ),
  };
  // Everything that a checkpoint holds (teacher included: bidirectional KD changes it).
  const allVars = checkpointVariables(student, teacher, distillers.kd);
  const windows = data.train.flatMap((s) => sessionWindows(s, student.hyper.maxLen));
  let optimizer = tf.train.adam(opts.lr);
  let optimizerStage: 'pretrain' | 'kd' | null = null;
  let best: NamedArray[] | null = null;
  let state: StudentLoopState = {
    epoch: 0,
    batchInEpoch: 0,
    partSums: {},
    positionsInEpoch: 0,
    trainMsInEpoch: 0,
    elapsedMs: 0,
    history: [],
    bestEpoch: -1,
    bestScore: -Infinity,
    stageBest: -Infinity,
    stageBestEpoch: -1,
    stopReason: null,
  };
  const noise = noiseStepOf(student);

  if (opts.resume && opts.checkpointDir && hasCheckpoint(opts.checkpointDir)) {
    const ckpt = loadCheckpoint<StudentLoopState>(opts.checkpointDir);
    restore(allVars, ckpt.weights);
    state = ckpt.state;
    best = ckpt.best;
    if (noise && state.noiseStep !== undefined) noise.noiseStep = state.noiseStep;
    if (ckpt.optimizer.length) {
      const [iterations, ...moments] = ckpt.optimizer;
      await optimizer.setWeights([
        { name: 'iter', tensor: tf.scalar(iterations!.data[0]!, 'int32') },
        ...moments.map((m) => ({ name: m.name, tensor: tf.tensor(m.data, m.shape) })),
      ]);
      optimizerStage = state.optimizerStage ?? null;
    }
    // A run stopped by its time budget trains on when resumed; --max-minutes counts from the resume.
    if (state.stopReason?.startsWith('time budget')) state.stopReason = null;
    log(`resumed from ${opts.checkpointDir}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`);
  }

  const saveNow = async () => {
    if (!opts.checkpointDir) return;
    if (noise) state.noiseStep = noise.noiseStep;
    state.optimizerStage = optimizerStage;
    const optWeights = optimizerStage ? await optimizer.getWeights() : [];
    const optimizerArrays: NamedArray[] = optWeights.map((w) => ({
      name: w.name,
      shape: w.tensor.shape.slice(),
      data: Float32Array.from(w.tensor.dataSync() as ArrayLike<number>),
    }));
    saveCheckpoint(opts.checkpointDir, {
      state,
      weights: snapshot(allVars),
      optimizer: optimizerArrays,
      best,
    });
  };

  const runStart = performance.now() - state.elapsedMs;
  const elapsed = () => performance.now() - runStart;
  const sessionStart = performance.now();
  const budgetMs = opts.maxMinutes * 60_000;
  let lastSave = performance.now();
  let lastValidMs = 0;
  const anneal =
    opts.etaAnneal !== undefined && student.table.mixup !== undefined
      ? { table: student.table, eta0: student.table.mixup, fraction: opts.etaAnneal }
      : null;
  if (anneal && !(anneal.fraction > 0 && anneal.fraction <= 1))
    throw new RangeError(`etaAnneal: expected a fraction in (0, 1], got ${anneal.fraction}`);

  if (opts.keepStartUnlessBeaten && state.history.length === 0 && state.batchInEpoch === 0) {
    const validCases = sessionCases(opts.validLimit ? data.valid.slice(0, opts.validLimit) : data.valid);
    const valid = await evaluateWithCpuEngine(student, validCases);
    state.bestScore = validationScore(valid);
    state.bestEpoch = 0;
    best = snapshot(allVars);
    log(
      `start: student valid P@10 ${valid['P@10']!.toFixed(2)} NDCG@10 ${valid['NDCG@10']!.toFixed(2)} (kept unless an epoch beats it)`,
    );
  }

  while (state.epoch < totalEpochs && !state.stopReason) {
    const epoch = state.epoch;
    const stage = stageOf(epoch);
    if (optimizerStage !== stage) {
      // A fresh Adam per stage: stage 2 adds the teacher's and the projections' variables.
      optimizer.dispose();
      optimizer = tf.train.adam(opts.lr);
      optimizerStage = stage;
    }
    if (
      stage === 'kd' &&
      state.teacherBeforeKd === undefined &&
      opts.validateTeacher &&
      opts.switches.kd &&
      opts.switches.bidirectional
    ) {
      // The teacher's score before KD changes it: what its after-KD score must beat to be worth shipping.
      const validCases = sessionCases(opts.validLimit ? data.valid.slice(0, opts.validLimit) : data.valid);
      state.teacherBeforeKd = await evaluateWithCpuEngine(teacher, validCases);
      log(
        `teacher before KD: valid P@10 ${state.teacherBeforeKd['P@10']!.toFixed(2)} NDCG@10 ${state.teacherBeforeKd['NDCG@10']!.toFixed(2)}`,
      );
    }
    const distiller = distillers[stage];
    const batches = makeBatches(windows, opts.positionsPerBatch, opts.seed * 7_919 + epoch);
    // Epochs are numbered as they run: a stage cut short (cap, patience) leaves no gap in the numbers.
    const number = state.history.length + 1;
    const planned = number + (totalEpochs - epoch - 1);
    if (state.batchInEpoch === 0) log(`epoch ${number}/${planned} (${stage}): ${batches.length} batches`);
    const bar = epochBar(Boolean(opts.progress), {
      label: `epoch ${number} ${stage}`,
      fields: '{parts}',
      initial: { parts: '-' },
      total: batches.length,
      start: state.batchInEpoch,
      // The loop stops at the budget (validation's time kept free) or, in stage 1, at its cap.
      leftMs: () =>
        Math.min(
          budgetMs - (performance.now() - sessionStart) - lastValidMs,
          stage === 'pretrain' && opts.pretrainMaxMinutes !== undefined
            ? opts.pretrainMaxMinutes * 60_000 - (state.pretrainMs ?? 0)
            : Infinity,
        ),
    });
    let timeUp = false;
    let pretrainCut = false;
    for (let b = state.batchInEpoch; b < batches.length; b++) {
      const batch = batches[b]!;
      const t0 = performance.now();
      if (anneal) {
        const progress = Math.max((epoch + b / batches.length) / totalEpochs, elapsed() / budgetMs);
        anneal.table.mixup = anneal.eta0 * Math.max(0, 1 - progress / anneal.fraction);
      }
      const step = (opts.seed * 1_000_003 + epoch * 100_003 + b) % 2_147_483_647;
      const parts = distiller.step(batch, student, teacher, hot, step, optimizer);
      if (!Number.isFinite(parts.total))
        throw new Error(`loss became ${parts.total} at epoch ${epoch + 1}, batch ${b}`);
      const p = batch.positions.length;
      for (const k of PART_KEYS) state.partSums[k] = (state.partSums[k] ?? 0) + parts[k] * p;
      state.positionsInEpoch += p;
      state.trainMsInEpoch += performance.now() - t0;
      state.batchInEpoch = b + 1;
      state.elapsedMs = elapsed();
      bar.update(b + 1, { parts: formatParts(meanParts(state)) });
      if (opts.checkpointDir && performance.now() - lastSave > opts.checkpointEveryMinutes * 60_000) {
        await saveNow();
        lastSave = performance.now();
      }
      if (stage === 'pretrain') state.pretrainMs = (state.pretrainMs ?? 0) + (performance.now() - t0);
      if (performance.now() - sessionStart + lastValidMs > budgetMs) {
        timeUp = true;
        break;
      }
      if (
        stage === 'pretrain' &&
        opts.pretrainMaxMinutes !== undefined &&
        (state.pretrainMs ?? 0) > opts.pretrainMaxMinutes * 60_000
      ) {
        pretrainCut = true;
        break;
      }
      await yieldToEventLoop(); // the bar redraws on a timer when stderr is a log
    }
    bar.stop();
    const v0 = performance.now();
    // Scored by the SDK's CPU engine on the in-memory bundle: the same numbers `pnpm eval` gives.
    const validCases = sessionCases(opts.validLimit ? data.valid.slice(0, opts.validLimit) : data.valid);
    const valid = await evaluateWithCpuEngine(student, validCases);
    const teacherValid =
      stage === 'kd' && opts.validateTeacher && opts.switches.kd && opts.switches.bidirectional
        ? await evaluateWithCpuEngine(teacher, validCases)
        : undefined;
    lastValidMs = performance.now() - v0;
    const record: StudentEpochRecord = {
      epoch: number,
      stage,
      completed: state.batchInEpoch / batches.length,
      loss: meanParts(state),
      trainSeconds: state.trainMsInEpoch / 1000,
      validSeconds: lastValidMs / 1000,
      valid,
      ...(teacherValid ? { teacherValid } : {}),
    };
    state.history.push(record);
    log(
      `epoch ${number} (${stage}): ${formatParts(record.loss)}, ${record.trainSeconds.toFixed(0)} s train; ` +
        `student valid P@10 ${valid['P@10']!.toFixed(2)} NDCG@10 ${valid['NDCG@10']!.toFixed(2)}` +
        (teacherValid
          ? `; teacher valid P@10 ${teacherValid['P@10']!.toFixed(2)} NDCG@10 ${teacherValid['NDCG@10']!.toFixed(2)}`
          : '') +
        ` (${record.validSeconds.toFixed(0)} s)`,
    );
    const score = validationScore(valid);
    if (score > state.bestScore) {
      state.bestScore = score;
      state.bestEpoch = number;
      best = snapshot(allVars);
    }
    if (state.history.length === 1 || state.history[state.history.length - 2]!.stage !== stage) {
      state.stageBest = -Infinity;
      state.stageBestEpoch = number;
    }
    if (score > state.stageBest) {
      state.stageBest = score;
      state.stageBestEpoch = number;
    } else if (number - state.stageBestEpoch >= opts.patience) {
      // Patience ends a stage, not the run: stage 2 still follows stage 1.
      log(`no better validation score for ${opts.patience} epoch(s): ending the ${stage} stage`);
      const nextStageStart = stage === 'pretrain' ? opts.pretrainEpochs : totalEpochs;
      state.epoch = nextStageStart - 1;
      if (stage === 'kd')
        state.stopReason = `early stop: no better validation score for ${opts.patience} epoch(s)`;
    }
    if (pretrainCut) {
      log(`stage 1 reached its ${opts.pretrainMaxMinutes} min cap: KD begins`);
      state.epoch = Math.max(state.epoch, opts.pretrainEpochs - 1);
    }
    state.epoch = Math.max(state.epoch, epoch) + 1;
    state.batchInEpoch = 0;
    state.partSums = {};
    state.positionsInEpoch = state.trainMsInEpoch = 0;
    state.elapsedMs = elapsed();
    if (timeUp && !state.stopReason) state.stopReason = `time budget of ${opts.maxMinutes} min reached`;
    await saveNow();
    lastSave = performance.now();
  }
  if (best) restore(allVars, best);
  optimizer.dispose();
  distillers.pretrain.dispose();
  distillers.kd.dispose();
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    stopReason: state.stopReason ?? `${totalEpochs} epochs done`,
    elapsedSeconds: elapsed() / 1000,
    trainSeconds: state.history.reduce((s, e) => s + e.trainSeconds, 0),
    ...(state.teacherBeforeKd ? { teacherBeforeKd: state.teacherBeforeKd } : {}),
  };
}

function meanParts(state: StudentLoopState): LossParts {
  const n = Math.max(1, state.positionsInEpoch);
  return Object.fromEntries(PART_KEYS.map((k) => [k, (state.partSums[k] ?? 0) / n])) as unknown as LossParts;
}

function formatParts(p: LossParts): string {
  return `loss ${p.total.toFixed(4)} (rec ${p.rec.toFixed(3)} mse ${p.aux.toFixed(3)} con ${p.con.toFixed(3)} soft ${p.soft.toFixed(3)} recT ${p.recTeacher.toFixed(3)})`;
}
