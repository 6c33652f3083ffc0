// Tensor-train (`tt`) and semi-tensor-train (`sttd`) item tables: the factorisation checks and the core
// shapes (docs/model.md "Tensor train", "Semi-tensor train"), defined once. The contract (contract.ts) checks
// a manifest's cores against them; both engines build their tables from them (engine/tensor-train-geometry.ts
// adds the hyper-parameter readers and the cost counts). Pure: each caller says how a problem is reported.

/** Reports a broken factorisation: `field` is the hyper-parameter at fault, `problem` a full sentence. */
export type ShapeProblem = (field: string, problem: string) => Error;

/** Shapes of a tensor train item table; `ranks` is the full list R_0 = 1, R_1 … R_{d−1}, R_d = 1. */
export interface TtGeometry {
  numItems: number;
  dim: number;
  p: readonly number[];
  q: readonly number[];
  ranks: readonly number[];
}

/** Shapes of a two-core semi-tensor train item table. */
export interface SttdGeometry {
  numItems: number;
  dim: number;
  I: readonly [number, number];
  J: readonly [number, number];
  rank: number;
  t: number;
}

export const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** Checks and completes a TT configuration: ∏p ≥ V, ∏q = N, d − 1 inner ranks. */
export function checkTtGeometry(
  numItems: number,
  dim: number,
  p: readonly number[],
  q: readonly number[],
  innerRanks: readonly number[],
  fail: ShapeProblem,
): TtGeometry {
  const positive = (field: string, xs: readonly number[]) => {
    if (!xs.every((x) => Number.isInteger(x) && x >= 1))
      throw fail(field, `expected positive integers, got ${JSON.stringify(xs)}`);
  };
  positive('ttP', p);
  positive('ttQ', q);
  positive('ttRanks', innerRanks);
  if (p.length < 1) throw fail('ttP', 'needs at least one factor');
  if (q.length !== p.length) throw fail('ttQ', `has ${q.length} factors, ttP has ${p.length}`);
  if (innerRanks.length !== p.length - 1)
    throw fail('ttRanks', `has ${innerRanks.length} ranks, expected d − 1 = ${p.length - 1}`);
  if (product(p) < numItems) throw fail('ttP', `∏ hyper.ttP = ${product(p)} < numItems = ${numItems}`);
  if (product(q) !== dim) throw fail('ttQ', `∏ hyper.ttQ = ${product(q)} ≠ dim = ${dim}`);
  return { numItems, dim, p: [...p], q: [...q], ranks: [1, ...innerRanks, 1] };
}

/** Shape [R_k, p_k, q_k, R_{k+1}] of core k (tensor `tt.core{k}`). */
export function ttCoreShape(g: TtGeometry, k: number): [number, number, number, number] {
  return [g.ranks[k], g.p[k], g.q[k], g.ranks[k + 1]];
}

/** Checks an STTD configuration: I1·I2 ≥ V, J1·J2 = N, t | R, t | J2. */
export function checkSttdGeometry(
  numItems: number,
  dim: number,
  I: readonly number[],
  J: readonly number[],
  rank: number,
  t: number,
  fail: ShapeProblem,
): SttdGeometry {
  const pair = (field: string, xs: readonly number[]) => {
    if (xs.length !== 2 || !xs.every((x) => Number.isInteger(x) && x >= 1)) {
      throw fail(field, `expected two positive integers, got ${JSON.stringify(xs)}`);
    }
  };
  pair('sttdI', I);
  pair('sttdJ', J);
  if (!Number.isInteger(rank) || rank < 1) throw fail('sttdRank', `expected a positive integer, got ${rank}`);
  if (!Number.isInteger(t) || t < 1) throw fail('sttdT', `expected a positive integer, got ${t}`);
  if (I[0] * I[1] < numItems) throw fail('sttdI', `I1·I2 = ${I[0] * I[1]} < numItems = ${numItems}`);
  if (J[0] * J[1] !== dim) throw fail('sttdJ', `J1·J2 = ${J[0] * J[1]} ≠ dim = ${dim}`);
  if (rank % t !== 0) throw fail('sttdRank', `R = ${rank} is not a multiple of t = ${t}`);
  if (J[1] % t !== 0) throw fail('sttdJ', `J2 = ${J[1]} is not a multiple of t = ${t}`);
  return { numItems, dim, I: [I[0], I[1]], J: [J[0], J[1]], rank, t };
}

/** Shape [I1·J1, R] of core `sttd.g1`. */
export function sttdG1Shape(g: SttdGeometry): [number, number] {
  return [g.I[0] * g.J[0], g.rank];
}

/** Shape [R/t, I2·J2/t] of core `sttd.g2`. */
export function sttdG2Shape(g: SttdGeometry): [number, number] {
  return [g.rank / g.t, (g.I[1] * g.J[1]) / g.t];
}
