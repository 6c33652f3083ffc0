// Score-aware additive quantisation of an item table: the device ranks items by θ·e_i, so what a
// quantiser should keep is the score, not the vector. The expected squared score error over session
// representations θ is E_θ[(θ·(x − ê))²] = (x − ê)ᵀ S (x − ê), with S = E[θθᵀ] — plain L2 in the
// space x' = x L, S = L Lᵀ. The codes are found there (residual k-means, then alternating code updates
// (ICM, one codebook at a time) and least-squares codebooks — additive quantisation) and the codebooks
// mapped back with L⁻¹. With no S it is ordinary additive quantisation of the table.
import * as tf from '@tensorflow/tfjs-core';
import { residualKMeans } from './residual-kmeans.ts';
import { matMulAB } from './tt-products.ts';

export interface QuantiserResult {
  /** [V, M] row-major, codes in [0, K). */
  codes: Int32Array;
  /** [M, K, N] row-major, in the table's own space. */
  codebooks: Float32Array;
  /** Mean ‖x − ê‖² (plain) and (x − ê)ᵀS(x − ê) (score error; = plain when no S), per stage. */
  history: { stage: string; mse: number; scoreError: number }[];
  /** Share of E_θ[(θ·x)²] the codes keep: 1 − scoreError / E[xᵀSx]. */
  scoreVarianceKept: number;
}

/** S = (1/n) Σ θθᵀ of n representations [n, N], plus `ridge`·trace(S)/N on the diagonal (keeps S > 0). */
export function secondMoment(thetas: Float32Array, n: number, N: number, ridge = 1e-3): Float64Array {
  if (thetas.length !== n * N) throw new RangeError(`secondMoment: ${thetas.length} values for ${n}·${N}`);
  const S = new Float64Array(N * N);
  for (let r = 0; r < n; r++) {
    const row = thetas.subarray(r * N, (r + 1) * N);
    for (let a = 0; a < N; a++) {
      const va = row[a]!;
      if (va === 0) continue;
      for (let b = a; b < N; b++) S[a * N + b]! += va * row[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < N; a++) trace += S[a * N + a]! / n;
  for (let a = 0; a < N; a++)
    for (let b = a; b < N; b++) {
      const v = S[a * N + b]! / n + (a === b ? (ridge * trace) / N : 0);
      S[a * N + b] = v;
      S[b * N + a] = v;
    }
  return S;
}

/** Lower-triangular L with A = L Lᵀ (A symmetric positive definite, [N, N] row-major). */
export function cholesky(A: Float64Array, N: number): Float64Array {
  const L = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = 0; j <= i; j++) {
      let s = A[i * N + j]!;
      for (let k = 0; k < j; k++) s -= L[i * N + k]! * L[j * N + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('cholesky: matrix is not positive definite');
        L[i * N + i] = Math.sqrt(s);
      } else L[i * N + j] = s / L[j * N + j]!;
    }
  return L;
}

/** rows [n, N] · L (L lower-triangular [N, N]). */
function timesL(rows: Float32Array, n: number, N: number, L: Float64Array): Float32Array {
  const out = new Float32Array(n * N);
  for (let r = 0; r < n; r++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = j; k < N; k++) s += rows[r * N + k]! * L[k * N + j]!;
      out[r * N + j] = s;
    }
  return out;
}

/** rows [n, N] · L⁻¹: solves y L = x for each row (back substitution, L lower-triangular). */
function timesLInverse(rows: Float32Array, n: number, N: number, L: Float64Array): Float32Array {
  const out = new Float32Array(n * N);
  for (let r = 0; r < n; r++)
    for (let j = N - 1; j >= 0; j--) {
      let s = rows[r * N + j]!;
      for (let k = j + 1; k < N; k++) s -= out[r * N + k]! * L[k * N + j]!;
      out[r * N + j] = s / L[j * N + j]!;
    }
  return out;
}

/** Σ_m codebooks[m, codes[i, m]] for every item, [V, N]. */
function reconstruct(codes: Int32Array, codebooks: Float32Array, V: number, N: number, M: number, K: number) {
  const out = new Float32Array(V * N);
  for (let i = 0; i < V; i++)
    for (let m = 0; m < M; m++) {
      const c = (m * K + codes[i * M + m]!) * N;
      for (let d = 0; d < N; d++) out[i * N + d]! += codebooks[c + d]!;
    }
  return out;
}

function meanSquaredDiff(a: Float32Array, b: Float32Array, V: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s / V;
}

/**
 * Least-squares codebooks for fixed codes: (BᵀB + λI) E = BᵀX with B the [V, MK] one-hot code matrix.
 * A codeword no item uses stays where it was (its row is pinned by λ to its old value).
 */
function leastSquaresCodebooks(
  X: Float32Array,
  codes: Int32Array,
  old: Float32Array,
  V: number,
  N: number,
  M: number,
  K: number,
): Float32Array {
  const D = M * K;
  const lambda = 1e-3;
  const G = new Float64Array(D * D);
  const R = new Float64Array(D * N);
  for (let i = 0; i < V; i++) {
    for (let m = 0; m < M; m++) {
      const a = m * K + codes[i * M + m]!;
      for (let m2 = 0; m2 < M; m2++) G[a * D + m2 * K + codes[i * M + m2]!]! += 1;
      for (let d = 0; d < N; d++) R[a * N + d]! += X[i * N + d]!;
    }
  }
  for (let a = 0; a < D; a++) {
    G[a * D + a]! += lambda;
    for (let d = 0; d < N; d++) R[a * N + d]! += lambda * old[a * N + d]!;
  }
  const L = cholesky(G, D);
  // Forward then backward substitution, all N right-hand sides at once.
  const Y = new Float64Array(D * N);
  for (let a = 0; a < D; a++)
    for (let d = 0; d < N; d++) {
      let s = R[a * N + d]!;
      for (let k = 0; k < a; k++) s -= L[a * D + k]! * Y[k * N + d]!;
      Y[a * N + d] = s / L[a * D + a]!;
    }
  const E = new Float64Array(D * N);
  for (let a = D - 1; a >= 0; a--)
    for (let d = 0; d < N; d++) {
      let s = Y[a * N + d]!;
      for (let k = a + 1; k < D; k++) s -= L[k * D + a]! * E[k * N + d]!;
      E[a * N + d] = s / L[a * D + a]!;
    }
  return Float32Array.from(E);
}

/**
 * One ICM sweep: for each codebook m in turn, every item's code m becomes the codeword nearest to what
 * the other M − 1 codewords leave unexplained. Never increases the error. Updates codes and recon in place.
 */
function icmSweep(
  X: Float32Array,
  codes: Int32Array,
  codebooks: Float32Array,
  recon: Float32Array,
  V: number,
  N: number,
  M: number,
  K: number,
): void {
  for (let m = 0; m < M; m++) {
    const book = codebooks.subarray(m * K * N, (m + 1) * K * N);
    const residual = new Float32Array(V * N);
    for (let i = 0; i < V; i++) {
      const c = codes[i * M + m]! * N;
      for (let d = 0; d < N; d++) residual[i * N + d] = X[i * N + d]! - recon[i * N + d]! + book[c + d]!;
    }
    const best = tf.tidy(() => {
      const Ct = tf.transpose(tf.tensor2d(book, [K, N])) as tf.Tensor2D;
      const cross = matMulAB(tf.tensor2d(residual, [V, N]), Ct);
      const cNorm = tf.sum(tf.square(Ct), 0);
      return tf.argMin(tf.sub(cNorm, tf.mul(cross, 2)), 1).dataSync() as Int32Array;
    });
    for (let i = 0; i < V; i++) {
      const from = codes[i * M + m]! * N;
      const to = best[i]! * N;
      if (from === to) continue;
      codes[i * M + m] = best[i]!;
      for (let d = 0; d < N; d++) recon[i * N + d]! += book[to + d]! - book[from + d]!;
    }
  }
}

/**
 * Quantises `table` [V, N] into M codebooks of K codewords. `metric` S [N, N] (from secondMoment) makes
 * the objective the expected squared score error; `sweeps` rounds of ICM codes + least-squares
 * codebooks follow the residual k-means start.
 */
export function scoreAwareQuantise(
  table: Float32Array,
  V: number,
  N: number,
  M: number,
  K: number,
  opts: {
    metric?: Float64Array;
    sweeps?: number;
    kMeansIterations?: number;
    seed?: number;
    log?: (l: string) => void;
  } = {},
): QuantiserResult {
  if (table.length !== V * N)
    throw new RangeError(`scoreAwareQuantise: ${table.length} values for ${V}·${N}`);
  const L = opts.metric ? cholesky(opts.metric, N) : null;
  const Xw = L ? timesL(table, V, N, L) : table;
  const rq = residualKMeans(Xw, V, N, M, K, {
    iterations: opts.kMeansIterations ?? 15,
    seed: opts.seed ?? 1,
  });
  const codes = rq.codes;
  let books = rq.codebooks;
  const history: QuantiserResult['history'] = [];
  const record = (stage: string) => {
    const original = L ? timesLInverse(books, M * K, N, L) : books;
    const mse = meanSquaredDiff(table, reconstruct(codes, original, V, N, M, K), V);
    const scoreError = meanSquaredDiff(Xw, reconstruct(codes, books, V, N, M, K), V);
    history.push({ stage, mse, scoreError });
    opts.log?.(`quantiser ${stage}: mse ${mse.toFixed(4)}, score error ${scoreError.toFixed(4)}`);
  };
  record('residual k-means');
  const recon = reconstruct(codes, books, V, N, M, K);
  for (let s = 0; s < (opts.sweeps ?? 4); s++) {
    books = leastSquaresCodebooks(Xw, codes, books, V, N, M, K);
    recon.set(reconstruct(codes, books, V, N, M, K));
    icmSweep(Xw, codes, books, recon, V, N, M, K);
    record(`sweep ${s + 1}`);
  }
  books = leastSquaresCodebooks(Xw, codes, books, V, N, M, K);
  record('final codebooks');
  let energy = 0;
  for (let i = 0; i < Xw.length; i++) energy += Xw[i]! * Xw[i]!;
  return {
    codes,
    codebooks: L ? timesLInverse(books, M * K, N, L) : books,
    history,
    scoreVarianceKept: 1 - history[history.length - 1]!.scoreError / (energy / V),
  };
}
