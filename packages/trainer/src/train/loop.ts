// The training loop shared by every model: Adam, length-bucketed position batches, validation each
// epoch with early stopping, a wall-time budget, and resumable checkpoints (deterministic for a seed).
import * as tf from '@tensorflow/tfjs-core';
import { epochBar } from '../progress.ts';
import type { SessionModel } from '../model/session-model.ts';
import { countPositions, makeBatches, sessionWindows, type Batch } from './batches.ts';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, type NamedArray } from './checkpoint.ts';
import { prefetchToCpu } from './backend.ts';
import { evaluateSessions } from './evaluate.ts';
import { fullSoftmaxFlops, fullSoftmaxLoss } from './full-softmax.ts';
import { exclusionMask, isNewItemBatch, newItemBatch } from './new-item-batches.ts';
import { sampledSoftmaxFlops, sampledSoftmaxLoss, type NegativeSampler } from './sampled-softmax.ts';
import type { Metrics } from '../eval/metrics.ts';

export interface TrainOptions {
  epochs: number;
  lr: number;
  /** L2 weight: adds l2/2 · Σ‖w‖² to the loss (= PyTorch Adam weight_decay). */
  l2: number;
  positionsPerBatch: number;
  seed: number;
  /** Stop after this many epochs without a better validation score. */
  patience: number;
  /** Wall-time budget for training (validation included); the epoch in progress is cut short. */
  maxMinutes: number;
  checkpointDir?: string;
  checkpointEveryMinutes: number;
  resume: boolean;
  /**
   * Score the weights the run starts from first, and keep them unless an epoch beats them on validation:
   * a fine-tune (pnpm train refresh) must not hand back a worse model than it was given.
   */
  keepStartUnlessBeaten?: boolean;
  /**
   * 'full': cross-entropy over all items; 'sampled': shared popularity negatives with logQ correction;
   * 'new-items': only the positions whose next item is new to the session, softmax over the items outside
   * it (train/new-item-batches.ts) — and validation then ranks those cases the same way.
   */
  loss?: { kind: 'full' } | { kind: 'sampled'; sampler: NegativeSampler } | { kind: 'new-items' };
  /** Extra loss terms (KD, …) added to the step's loss; gets the batch and this pass's θ / table. */
  extraLoss?: (batch: Batch, theta: tf.Tensor2D, table: tf.Tensor2D) => tf.Scalar | null;
  log?: (line: string) => void;
  progress?: boolean;
  /** Called after every optimizer step (and its checkpoint); tests use it to simulate a crash. */
  onStep?: (epoch: number, batch: number) => void;
}

export interface EpochRecord {
  epoch: number;
  /** Fraction of the epoch's batches that ran (< 1 when the time budget cut it). */
  completed: number;
  trainLoss: number;
  trainSeconds: number;
  validSeconds: number;
  positions: number;
  gflops: number;
  valid: Metrics;
}

export interface LoopState {
  epoch: number;
  batchInEpoch: number;
  lossSum: number;
  lossCount: number;
  positionsInEpoch: number;
  flopsInEpoch: number;
  trainMsInEpoch: number;
  elapsedMs: number;
  history: EpochRecord[];
  bestEpoch: number;
  bestScore: number;
  stopReason: string | null;
}

export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  stopReason: string;
  elapsedSeconds: number;
  trainSeconds: number;
  flops: number;
}

/** Early-stopping score: P@10 + NDCG@10 on the validation split. */
export function validationScore(m: Metrics): number {
  return (m['P@10'] ?? 0) + (m['NDCG@10'] ?? 0);
}

function snapshot(vars: tf.Variable[]): NamedArray[] {
  return vars.map((v) => ({
    name: v.name,
    shape: v.shape.slice(),
    data: (v.dataSync() as Float32Array).slice(),
  }));
}

function restore(vars: tf.Variable[], arrays: NamedArray[]): void {
  // by position: variable names carry a per-process suffix (model/variable-name.ts)
  if (arrays.length !== vars.length)
    throw new Error(`checkpoint holds ${arrays.length} weights, the model has ${vars.length}`);
  vars.forEach((v, i) => {
    const a = arrays[i]!;
    if (a.shape.join(',') !== v.shape.join(',')) {
      throw new Error(
        `checkpoint weight ${i} (${a.name}) has shape [${a.shape.join(', ')}], variable ${v.name} has [${v.shape.join(', ')}]`,
      );
    }
    tf.tidy(() => v.assign(tf.tensor(a.data, v.shape)));
  });
}

/** Encoder FLOPs per position (forward + backward ≈ 3× forward): dense layers, attention, readout. */
function encoderFlopsPerPosition(dim: number, blocks: number, len: number): number {
  const dense = blocks * 6 * 2 * dim * dim + 2 * 2 * dim * dim;
  const attention = blocks * 2 * 2 * len * dim;
  const readout = 2 * 2 * len * dim + 4 * len * dim;
  return 3 * (dense + attention + readout);
}

export function stepFlops(model: SessionModel, batch: Batch, negatives?: number): number {
  const { dim, blocks } = model.hyper;
  const p = batch.positions.length;
  return (
    (negatives ? sampledSoftmaxFlops(p, negatives, dim) : fullSoftmaxFlops(p, model.table.numItems, dim)) +
    batch.batch * batch.len * encoderFlopsPerPosition(dim, blocks, batch.len)
  );
}

/**
 * The loss one teacher step minimises (trainModel; the training benchmark times the same step):
 * L_rec (full or sampled softmax) + the table's auxiliary loss + opts.extraLoss + L2 over `vars`.
 * Runs inside a gradient tape.
 */
export function teacherStepLoss(
  model: SessionModel,
  batch: Batch,
  opts: Pick<TrainOptions, 'loss' | 'extraLoss' | 'l2'>,
  vars: tf.Variable[],
  dropoutSeed: number,
): tf.Scalar {
  const { theta, table } = model.thetaAt(batch, true, dropoutSeed);
  let loss =
    opts.loss?.kind === 'sampled'
      ? sampledSoftmaxLoss(theta, table, batch.targets, opts.loss.sampler, dropoutSeed)
      : fullSoftmaxLoss(
          theta,
          table,
          tf.tensor1d(batch.targets, 'int32'),
          isNewItemBatch(batch) ? exclusionMask(batch, table.shape[0]) : undefined,
        );
  const aux = model.table.auxLoss?.() ?? null;
  if (aux) loss = tf.add(loss, aux);
  const extra = opts.extraLoss?.(batch, theta, table) ?? null;
  if (extra) loss = tf.add(loss, extra);
  if (opts.l2 > 0)
    // a chain of adds, not addN: tfjs-webgpu's addN binds one buffer per input (limit 8)
    loss = tf.add(
      loss,
      tf.mul(
        opts.l2 / 2,
        vars.map((v) => tf.sum(tf.square(v))).reduce((x, y) => tf.add(x, y)),
      ),
    );
  return loss as tf.Scalar;
}

export async function trainModel(
  model: SessionModel,
  data: { train: Int32Array[]; valid: Int32Array[] },
  opts: TrainOptions,
): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const vars = model.variables();
  const windows = data.train.flatMap((s) => sessionWindows(s, model.hyper.maxLen));
  const optimizer = tf.train.adam(opts.lr);
  let best: NamedArray[] | null = null;
  let state: LoopState = {
    epoch: 0,
    batchInEpoch: 0,
    lossSum: 0,
    lossCount: 0,
    positionsInEpoch: 0,
    flopsInEpoch: 0,
    trainMsInEpoch: 0,
    elapsedMs: 0,
    history: [],
    bestEpoch: -1,
    bestScore: -Infinity,
    stopReason: null,
  };
  if (opts.resume && opts.checkpointDir && hasCheckpoint(opts.checkpointDir)) {
    const ckpt = loadCheckpoint<LoopState>(opts.checkpointDir);
    restore(vars, ckpt.weights);
    // Adam's moments, in getWeights() order (first moments, then second moments) after the iteration count
    const [iterations, ...moments] = ckpt.optimizer;
    await optimizer.setWeights([
      { name: 'iter', tensor: tf.scalar(iterations!.data[0]!, 'int32') },
      ...moments.map((m) => ({ name: m.name, tensor: tf.tensor(m.data, m.shape) })),
    ]);
    best = ckpt.best;
    state = ckpt.state;
    log(`resumed from ${opts.checkpointDir}: epoch ${state.epoch + 1}, batch ${state.batchInEpoch}`);
  }

  const saveNow = async () => {
    if (!opts.checkpointDir) return;
    const optWeights = await optimizer.getWeights();
    await prefetchToCpu([...vars, ...optWeights.map((w) => w.tensor)]);
    const optimizerArrays: NamedArray[] = optWeights.map((w) => ({
      name: w.name,
      shape: w.tensor.shape.slice(),
      data: Float32Array.from(w.tensor.dataSync() as ArrayLike<number>),
    }));
    saveCheckpoint(opts.checkpointDir, { state, weights: snapshot(vars), optimizer: optimizerArrays, best });
  };

  const runStart = performance.now() - state.elapsedMs;
  const elapsed = () => performance.now() - runStart;
  const budgetMs = opts.maxMinutes * 60_000;
  let lastSave = performance.now();
  let lastValidMs = 0;
  let totalTrainMs = state.history.reduce((s, e) => s + e.trainSeconds * 1000, 0) + state.trainMsInEpoch;
  let totalFlops =
    state.history.reduce((s, e) => s + e.gflops * e.trainSeconds * 1e9, 0) + state.flopsInEpoch;

  if (opts.keepStartUnlessBeaten && state.history.length === 0 && state.batchInEpoch === 0) {
    const valid = await evaluateSessions(model, data.valid, 512, {
      newItems: opts.loss?.kind === 'new-items',
    });
    state.bestScore = validationScore(valid);
    state.bestEpoch = 0;
    await prefetchToCpu(vars);
    best = snapshot(vars);
    log(
      `start: valid P@10 ${valid['P@10']!.toFixed(2)} NDCG@10 ${valid['NDCG@10']!.toFixed(2)} (kept unless an epoch beats it)`,
    );
  }

  while (state.epoch < opts.epochs && !state.stopReason) {
    const epoch = state.epoch;
    const newItems = opts.loss?.kind === 'new-items';
    const allBatches = makeBatches(windows, opts.positionsPerBatch, opts.seed * 7_919 + epoch);
    const batches = newItems
      ? allBatches.flatMap((b) => newItemBatch(b, model.table.numItems) ?? [])
      : allBatches;
    if (state.batchInEpoch === 0)
      log(
        `epoch ${epoch + 1}/${opts.epochs}: ${batches.length} batches, ${countPositions(batches)} positions`,
      );
    const bar = epochBar(Boolean(opts.progress), {
      label: `epoch ${epoch + 1}`,
      fields: 'loss {loss} | {gflops} GFLOP/s',
      initial: { loss: '-', gflops: '-' },
      total: batches.length,
      start: state.batchInEpoch,
      leftMs: () => budgetMs - elapsed() - lastValidMs, // the loop stops there (validation's time kept free)
    });
    let timeUp = false;
    for (let b = state.batchInEpoch; b < batches.length; b++) {
      const batch = batches[b]!;
      const t0 = performance.now();
      const dropoutSeed = (opts.seed * 1_000_003 + epoch * 100_003 + b) % 2_147_483_647;
      const cost = optimizer.minimize(
        () => teacherStepLoss(model, batch, opts, vars, dropoutSeed),
        true,
        vars,
      );
      const lossValue = (await cost!.data())[0]!;
      cost!.dispose();
      if (!Number.isFinite(lossValue))
        throw new Error(`loss became ${lossValue} at epoch ${epoch + 1}, batch ${b}`);
      const ms = performance.now() - t0;
      const flops = stepFlops(
        model,
        batch,
        opts.loss?.kind === 'sampled' ? opts.loss.sampler.negatives : undefined,
      );
      state.lossSum += lossValue * batch.positions.length;
      state.lossCount += batch.positions.length;
      state.positionsInEpoch += batch.positions.length;
      state.flopsInEpoch += flops;
      state.trainMsInEpoch += ms;
      totalTrainMs += ms;
      totalFlops += flops;
      state.batchInEpoch = b + 1;
      state.elapsedMs = elapsed();
      bar?.update(b + 1, {
        loss: (state.lossSum / state.lossCount).toFixed(4),
        gflops: (state.flopsInEpoch / state.trainMsInEpoch / 1e6).toFixed(1),
      });
      await new Promise<void>((done) => setImmediate(done)); // lets the progress bar's timer run
      if (opts.checkpointDir && performance.now() - lastSave > opts.checkpointEveryMinutes * 60_000) {
        await saveNow();
        lastSave = performance.now();
      }
      opts.onStep?.(epoch, b);
      // leave room for this epoch's validation inside the budget
      if (elapsed() + lastValidMs > budgetMs) {
        timeUp = true;
        break;
      }
    }
    bar?.stop();
    const v0 = performance.now();
    const valid = await evaluateSessions(model, data.valid, 512, { newItems });
    lastValidMs = performance.now() - v0;
    const record: EpochRecord = {
      epoch: epoch + 1,
      completed: state.batchInEpoch / batches.length,
      trainLoss: state.lossSum / Math.max(1, state.lossCount),
      trainSeconds: state.trainMsInEpoch / 1000,
      validSeconds: lastValidMs / 1000,
      positions: state.positionsInEpoch,
      gflops: state.flopsInEpoch / Math.max(1, state.trainMsInEpoch) / 1e6,
      valid,
    };
    state.history.push(record);
    const score = validationScore(valid);
    log(
      `epoch ${epoch + 1}: loss ${record.trainLoss.toFixed(4)}, ${record.trainSeconds.toFixed(0)} s train ` +
        `(${record.gflops.toFixed(1)} GFLOP/s), valid P@10 ${valid['P@10']!.toFixed(2)} NDCG@10 ${valid['NDCG@10']!.toFixed(2)} ` +
        `MRR@10 ${valid['MRR@10']!.toFixed(2)} (${record.validSeconds.toFixed(0)} s)`,
    );
    if (score > state.bestScore) {
      state.bestScore = score;
      state.bestEpoch = epoch + 1;
      await prefetchToCpu(vars);
      best = snapshot(vars);
    } else if (epoch + 1 - state.bestEpoch >= opts.patience) {
      state.stopReason = `early stop: no better validation score for ${opts.patience} epoch(s)`;
    }
    state.epoch = epoch + 1;
    state.batchInEpoch = 0;
    state.lossSum = state.lossCount = state.positionsInEpoch = state.flopsInEpoch = state.trainMsInEpoch = 0;
    state.elapsedMs = elapsed();
    if (timeUp && !state.stopReason) state.stopReason = `time budget of ${opts.maxMinutes} min reached`;
    await saveNow();
    lastSave = performance.now();
  }
  if (best) restore(vars, best);
  optimizer.dispose();
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    stopReason: state.stopReason ?? `${opts.epochs} epochs done`,
    elapsedSeconds: elapsed() / 1000,
    trainSeconds: totalTrainMs / 1000,
    flops: totalFlops,
  };
}
