// One training step of the student, alone (stage 1, Eq. 24) or with bidirectional self-supervised KD
// (stage 2, Eq. 27): L = L_rec + L_aux + β·L_con + γ·L_soft (+ the teacher's own L_rec when it is trained).
// Works with any ItemTable (compositional, tt, sttd, full), so every student shares the same distillation.
import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../model/backbone.ts';
import { gatherRows } from '../model/gather-rows.ts';
import type { ItemTable } from '../model/item-table.ts';
import type { Batch } from '../train/batches.ts';
import { fullSoftmaxLoss } from '../train/full-softmax.ts';
import type { NegativeSampler } from '../train/sampled-softmax.ts';
import {
  candidateBatch,
  candidateRows,
  candidateSampledSoftmax,
  candidateTensors,
  type CandidateBatch,
  type CandidateTensors,
} from './candidate-rows.ts';
import { infoNce } from './contrastive.ts';
import { datasetDefaults, type KdDefaults } from '../model/dataset-defaults.ts';
import { recombine } from './recombine.ts';
import { softTargetKlFromTables } from './soft-targets.ts';
import { hotColdRepresentations, maskedPrefixReadout, type ReadoutWeights } from './sub-session.ts';

export interface SessionModel {
  backbone: Backbone;
  table: ItemTable;
}

/** Which terms are on. `kd: false` is stage 1 / the Stu-base ablation (no teacher forward at all). */
export interface KdSwitches {
  kd: boolean;
  contrastive: boolean;
  softTargets: boolean;
  /** Teacher trained too (Eq. 23); false = teacher frozen (Stu-w/o-b). */
  bidirectional: boolean;
}

export interface KdWeights {
  /** β, weight of L_con (paper: 0.01 Tmall, 0.5 RetailRocket). */
  beta: number;
  /** γ, weight of L_soft (paper: 0.3). */
  gamma: number;
  /** τ of InfoNCE (paper: 0.2). */
  tau: number;
  /** L2 regularisation of the trained weights (paper: 1e-5), applied as l2/2 · Σ‖w‖². */
  l2: number;
}

export const FULL_KD: KdSwitches = { kd: true, contrastive: true, softTargets: true, bidirectional: true };
export const NO_KD: KdSwitches = { kd: false, contrastive: false, softTargets: false, bidirectional: false };

/** Loss components of one step (plain numbers, for progress and reports). Absent terms are 0. */
export interface LossParts {
  total: number;
  rec: number;
  aux: number;
  con: number;
  soft: number;
  recTeacher: number;
  l2: number;
}

/**
 * A batch's index tensors. Created OUTSIDE the gradient closure: tfjs disposes tensors made inside it
 * before back-propagation, and custom gradients (fullSoftmaxLoss, gatherRows) close over these.
 */
export interface BatchTensors {
  items: tf.Tensor2D;
  positions: tf.Tensor1D;
  targets: tf.Tensor1D;
  /** Sampled loss only: the batch re-indexed into its candidate rows (see candidate-rows.ts). */
  sampled: { c: CandidateBatch; t: CandidateTensors } | null;
}

export function batchTensors(batch: Batch, recLoss: RecLoss = { kind: 'full' }, step = 0): BatchTensors {
  let sampled: BatchTensors['sampled'] = null;
  if (recLoss.kind === 'sampled') {
    const c = candidateBatch(batch, recLoss.sampler, step);
    sampled = { c, t: candidateTensors(c, batch) };
  }
  return {
    items: tf.tensor2d(batch.items, [batch.batch, batch.len], 'int32'),
    positions: tf.tensor1d(batch.positions, 'int32'),
    targets: tf.tensor1d(batch.targets, 'int32'),
    sampled,
  };
}

function disposeBatchTensors(b: BatchTensors): void {
  tf.dispose([b.items, b.positions, b.targets]);
  if (b.sampled) tf.dispose(Object.values(b.sampled.t));
}

/**
 * L_rec: cross-entropy over all items (Eq. 25–26), or the teacher's sampled softmax (shared popularity
 * negatives, logQ-corrected) when full softmax does not fit the time budget. With 'sampled' a step only
 * embeds its candidate rows (session items ∪ targets ∪ negatives), L_mse is over those rows, and L_soft
 * is the KL over them instead of all items — approximations of Eq. 12 / 22 at the cost of the sampled
 * L_rec; reports say which one ran.
 */
export type RecLoss = { kind: 'full' } | { kind: 'sampled'; sampler: NegativeSampler };

function readoutWeights(b: Backbone): ReadoutWeights {
  return {
    w1: b.p('readout.w1') as tf.Tensor2D,
    w2: b.p('readout.w2') as tf.Tensor2D,
    c: b.p('readout.c') as tf.Tensor1D,
    f: b.p('readout.f') as tf.Tensor1D,
  };
}

export class Distiller {
  /** W_t, W_s of Eq. 20 ([2N, N], applied as z·W). */
  readonly projTeacher: tf.Variable<tf.Rank.R2>;
  readonly projStudent: tf.Variable<tf.Rank.R2>;

  constructor(
    readonly dim: number,
    readonly switches: KdSwitches,
    readonly weights: KdWeights,
    seed = 1,
    readonly recLoss: RecLoss = { kind: 'full' },
    /**
     * Leave the table's per-item code logits (`unregularizedVariables`) out of the update: the codes then move
     * only through the code MLP. Their dense [V, M·K] gradient and Adam moments are what overflows
     * tfjs-wasm's 4 GB heap in RetailRocket's stage 2; the paper's code keeps its codes fixed in that stage.
     */
    readonly freezeCodeLogits = false,
  ) {
    const init = (s: number) => tf.randomUniform([2 * dim, dim], -0.1, 0.1, 'float32', s) as tf.Tensor2D;
    this.projTeacher = tf.variable(init(seed * 31 + 1));
    this.projStudent = tf.variable(init(seed * 31 + 2));
  }

  /** The variables one step updates: the student's, the projections, and the teacher's when bidirectional. */
  trainableVariables(student: SessionModel, teacher: SessionModel | null): tf.Variable[] {
    const frozen = new Set(this.freezeCodeLogits ? (student.table.unregularizedVariables?.() ?? []) : []);
    const vars = [
      ...student.backbone.variables(),
      ...student.table.variables().filter((v) => !frozen.has(v)),
    ];
    if (this.switches.kd && this.switches.contrastive) vars.push(this.projTeacher, this.projStudent);
    if (this.switches.kd && this.switches.bidirectional && teacher)
      vars.push(...teacher.backbone.variables(), ...teacher.table.variables());
    return vars;
  }

  /**
   * The step's total loss and its parts (as kept scalars). `hot` [V]: 1 for hot items (top 20%).
   * Must run inside a gradient tape (optimizer.minimize / tf.variableGrads); `step` seeds dropout;
   * `input` = batchTensors(batch), made outside the tape.
   */
  loss(
    batch: Batch,
    input: BatchTensors,
    student: SessionModel,
    teacher: SessionModel | null,
    hot: Uint8Array,
    step: number,
    trainVars: tf.Variable[],
  ): { total: tf.Scalar; parts: Record<keyof LossParts, tf.Scalar> } {
    const { kd, contrastive, softTargets, bidirectional } = this.switches;
    if (kd && !teacher) throw new Error('Distiller: KD needs a teacher model');
    const { items, positions, targets } = input;
    const zero = tf.scalar(0);
    const at = (t: tf.Tensor) =>
      gatherRows(tf.reshape(t, [-1, this.dim]) as tf.Tensor2D, positions) as tf.Tensor2D;
    // θ of every prefix = the readout over all positions (the same Eq. 3 as Backbone.readoutAllPrefixes,
    // pinned by a test; used here because it is differentiable on tfjs 4.22, see sub-session.ts).
    const allPositions = tf.ones([batch.batch, batch.len]) as tf.Tensor2D;
    const thetaAt = (x: tf.Tensor3D, m: SessionModel) =>
      at(maskedPrefixReadout(x, allPositions, readoutWeights(m.backbone)).theta);

    const sampled = input.sampled;
    const recOf = (theta: tf.Tensor2D, table: tf.Tensor2D): tf.Scalar =>
      sampled
        ? candidateSampledSoftmax(theta, table, sampled.c, sampled.t)
        : fullSoftmaxLoss(theta, table, targets);
    const tableOf = (m: SessionModel, training: boolean): tf.Tensor2D =>
      sampled ? candidateRows(m.table, sampled.t.candidates, training) : m.table.embeddings({ training });
    const encodeItems = sampled ? sampled.t.items : items;
    const sTable = tableOf(student, true);
    const sX = student.backbone.encode(encodeItems, sTable, true, step * 2 + 1);
    const sTheta = thetaAt(sX, student);
    const rec = recOf(sTheta, sTable);
    const aux = student.table.auxLoss?.() ?? zero;
    let con: tf.Scalar = zero;
    let soft: tf.Scalar = zero;
    let recTeacher: tf.Scalar = zero;

    if (kd && teacher) {
      const trainTeacher = bidirectional;
      const tTable = tableOf(teacher, trainTeacher);
      const tX = teacher.backbone.encode(encodeItems, tTable, trainTeacher, step * 2 + 2);
      const tTheta = thetaAt(tX, teacher);
      if (trainTeacher) recTeacher = recOf(tTheta, tTable);
      // Over all items, or over the candidate rows when the loss is sampled (the tables are those rows then).
      if (softTargets) soft = softTargetKlFromTables(tTheta, tTable, sTheta, sTable);
      if (contrastive) {
        const hotMask = tf.tensor2d(
          Float32Array.from(batch.items, (i) => hot[i]),
          [batch.batch, batch.len],
        );
        // Causal readouts: prefix t reads positions ≤ t only, all real (padding is at the end).
        const sHC = hotColdRepresentations(sX, allPositions, hotMask, readoutWeights(student.backbone));
        const tHC = hotColdRepresentations(tX, allPositions, hotMask, readoutWeights(teacher.backbone));
        const hasCold = tf.gather(tf.reshape(sHC.coldCount, [-1]), positions) as tf.Tensor1D;
        const { zTeacher, zStudent } = recombine(
          at(tHC.hot),
          at(tHC.cold),
          at(sHC.hot),
          at(sHC.cold),
          hasCold,
        );
        // Prefixes of one session window are not each other's negatives.
        const group = Int32Array.from(batch.positions, (p) => Math.floor(p / batch.len));
        con = infoNce(zTeacher, zStudent, this.projTeacher, this.projStudent, this.weights.tau, group);
      }
    }

    let l2: tf.Scalar = zero;
    if (this.weights.l2 > 0) {
      const skip = new Set(student.table.unregularizedVariables?.() ?? []);
      const weights = trainVars.filter((v) => !skip.has(v));
      // l2/2 · Σ‖w‖², as documented and as the teacher was trained (train/loop.ts): l2 · Σ‖w‖² doubled it.
      l2 = tf.mul(tf.addN(weights.map((v) => tf.sum(tf.square(v)))), this.weights.l2 / 2) as tf.Scalar;
    }
    const total = tf.addN([
      rec,
      aux,
      tf.mul(con, this.weights.beta),
      tf.mul(soft, this.weights.gamma),
      recTeacher,
      l2,
    ]) as tf.Scalar;
    return { total, parts: { total, rec, aux, con, soft, recTeacher, l2 } };
  }

  /** One optimizer step; returns the loss parts. */
  step(
    batch: Batch,
    student: SessionModel,
    teacher: SessionModel | null,
    hot: Uint8Array,
    step: number,
    optimizer: tf.Optimizer,
  ): LossParts {
    const vars = this.trainableVariables(student, teacher);
    let kept: Record<string, tf.Scalar> = {};
    const input = batchTensors(batch, this.recLoss, step);
    const { grads, value } = tf.variableGrads(() => {
      const { total, parts } = this.loss(batch, input, student, teacher, hot, step, vars);
      kept = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, tf.keep(v.clone())]));
      return total;
    }, vars);
    optimizer.applyGradients(grads);
    const out = Object.fromEntries(
      Object.entries(kept).map(([k, v]) => [k, v.dataSync()[0]]),
    ) as unknown as LossParts;
    tf.dispose([...Object.values(kept), value, ...Object.values(grads)]);
    disposeBatchTensors(input);
    return out;
  }

  variables(): tf.Variable[] {
    return [this.projTeacher, this.projStudent];
  }

  dispose(): void {
    this.projTeacher.dispose();
    this.projStudent.dispose();
  }
}

/** SPEC §3 defaults per dataset (η, β); γ = 0.3, τ = 0.2 for both: the row of model/dataset-defaults.ts. */
export function paperKdDefaults(dataset: string): KdDefaults {
  return { ...datasetDefaults(dataset).kd };
}
