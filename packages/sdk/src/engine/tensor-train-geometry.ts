// Tensor-train and STTD geometry for both engines (cpu/ and webgpu/): the shapes of bundle/tensor-train-shapes.ts
// (shared with the contract) with engine errors, the hyper-parameter reader, and parameter and
// multiply-add counts.
import type { ModelBundle } from '../bundle/types.ts';
import {
  checkSttdGeometry,
  checkTtGeometry,
  product,
  sttdG1Shape,
  sttdG2Shape,
  ttCoreShape,
  type SttdGeometry,
  type TtGeometry,
} from '../bundle/tensor-train-shapes.ts';
import { ModelHyperError } from './errors.ts';

export { sttdG1Shape, sttdG2Shape, ttCoreShape, type SttdGeometry, type TtGeometry };

const hyperError = (field: string, problem: string) => new ModelHyperError(field, problem);

/**
 * Checks and completes a TT configuration: ∏p ≥ V, ∏q = N, d − 1 inner ranks.
 * Throws ModelHyperError naming the offending field.
 */
export function ttGeometry(
  numItems: number,
  dim: number,
  p: readonly number[],
  q: readonly number[],
  innerRanks: readonly number[],
): TtGeometry {
  return checkTtGeometry(numItems, dim, p, q, innerRanks, hyperError);
}

/** Checks an STTD configuration (I1·I2 ≥ V, J1·J2 = N, t | R, t | J2); throws ModelHyperError naming the field. */
export function sttdGeometry(
  numItems: number,
  dim: number,
  I: readonly number[],
  J: readonly number[],
  rank: number,
  t: number,
): SttdGeometry {
  return checkSttdGeometry(numItems, dim, I, J, rank, t, hyperError);
}

/** A list hyper-parameter (ttP, sttdI, …); its entries are checked by the geometry. */
export function hyperList(bundle: ModelBundle, field: string): number[] {
  const v = bundle.manifest.hyper[field];
  if (!Array.isArray(v))
    throw new ModelHyperError(field, `expected a list of positive integers, got ${JSON.stringify(v)}`);
  return v as number[];
}

/** Number of stored parameters (all cores). */
export function ttParamCount(g: TtGeometry): number {
  let total = 0;
  for (let k = 0; k < g.p.length; k++) total += product(ttCoreShape(g, k));
  return total;
}

/**
 * Multiply-adds of the chain for one row, per stage k ≥ 1: the product P_k · S_k costs
 * (q_0⋯q_{k−1}) · R_k · q_k · R_{k+1}. Stage 0 is a copy of the slice (no arithmetic).
 */
export function ttStageMacs(g: TtGeometry): number[] {
  const macs: number[] = [0];
  let rows = g.q[0];
  for (let k = 1; k < g.p.length; k++) {
    macs.push(rows * g.ranks[k] * g.q[k] * g.ranks[k + 1]);
    rows *= g.q[k];
  }
  return macs;
}

/**
 * Reconstruction cost in multiply-adds: one row alone, and the whole catalogue (rows 0 … V−1) as
 * scoreAll computes it — stage k runs once per distinct prefix (i_0 … i_k) among the first V items.
 */
export function ttReconstructionMacs(g: TtGeometry): { perItem: number; catalogue: number } {
  const stages = ttStageMacs(g);
  let catalogue = 0;
  let suffix = product(g.p); // items sharing one prefix (i_0 … i_k) = p_{k+1} ⋯ p_{d−1}
  for (let k = 0; k < g.p.length; k++) {
    suffix /= g.p[k];
    catalogue += Math.ceil(g.numItems / suffix) * stages[k];
  }
  return { perItem: stages.reduce((a, b) => a + b, 0), catalogue };
}

/** Stored parameters, the denominator of Eq. 8 for d = 2: I1·J1·R + (R/t)·(I2·J2/t). */
export function sttdParamCount(g: SttdGeometry): number {
  const [a, b] = sttdG1Shape(g);
  const [c, e] = sttdG2Shape(g);
  return a * b + c * e;
}

/** Multiply-adds to rebuild one row (N · R/t) and all V rows (no reuse between items). */
export function sttdReconstructionMacs(g: SttdGeometry): { perItem: number; catalogue: number } {
  const perItem = (g.dim * g.rank) / g.t;
  return { perItem, catalogue: perItem * g.numItems };
}
