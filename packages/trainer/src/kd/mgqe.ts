// MGQE (Kang et al. 2020, seed paper `mgqe-…`, the "shared, variable K̃" variant) applied to a trained
// compositional table, beyond the EODRec paper: tail items — all but the most frequent in training — may
// use only the first K_tail codewords of each codebook, so their codes need log2 K_tail bits instead of
// log2 K (stored with the bundle's row packing, bit-pack.ts). The codebooks are shared: no extra vectors.
//
// Post-training, not end-to-end: the codewords of each codebook are first reordered so that those the tail
// items use most come first (a relabelling: every embedding stays the same), then each tail item that still
// uses a later codeword gets the restricted codes whose sum is closest to its own embedding — coordinate
// descent over the M codebooks (the L_mse of Eq. 12, against the student instead of the teacher).

export interface CodeTable {
  numItems: number;
  M: number;
  K: number;
  dim: number;
  /** [V × M] code of each item in each codebook; rewritten in place. */
  codes: Uint8Array | Uint16Array;
  /** [M × K × dim]; reordered in place. */
  codebooks: Float32Array;
}

export interface TailRestriction {
  tailItems: number;
  /** Tail items that had to change codes (the others already used only the first K_tail codewords). */
  moved: number;
  /** Mean over the moved items of ‖e_new − e_old‖² / ‖e_old‖². */
  relativeSquaredError: number;
}

/**
 * Relabels each codebook's codewords by how often `counted` items use them, most used first (ties keep
 * their order), rewriting every item's codes to match. The embeddings Σ_m E_m[c_m] are unchanged.
 */
export function sortCodewordsByUse(table: CodeTable, counted: (item: number) => boolean): void {
  const { numItems: V, M, K, dim, codes, codebooks } = table;
  for (let m = 0; m < M; m++) {
    const uses = new Float64Array(K);
    for (let i = 0; i < V; i++) if (counted(i)) uses[codes[i * M + m]!]++;
    const order = Array.from({ length: K }, (_, k) => k).sort((a, b) => uses[b]! - uses[a]! || a - b);
    const newLabel = new Uint32Array(K);
    order.forEach((old, k) => (newLabel[old] = k));
    const book = codebooks.subarray(m * K * dim, (m + 1) * K * dim);
    const before = book.slice();
    order.forEach((old, k) => book.set(before.subarray(old * dim, (old + 1) * dim), k * dim));
    for (let i = 0; i < V; i++) codes[i * M + m] = newLabel[codes[i * M + m]!]!;
  }
}

/**
 * Gives every item with `isTail[i]` = 1 codes < `tailK` in every codebook, as close to its current
 * embedding as `sweeps` rounds of coordinate descent get. Items already inside the limit are untouched.
 */
export function restrictTailCodes(
  table: CodeTable,
  isTail: Uint8Array,
  tailK: number,
  sweeps = 4,
): TailRestriction {
  const { numItems: V, M, K, dim, codes, codebooks } = table;
  if (!Number.isInteger(tailK) || tailK < 1 || tailK > K)
    throw new RangeError(`tailK must be an integer in 1..${K}, got ${tailK}`);
  if (isTail.length !== V) throw new RangeError(`isTail has ${isTail.length} entries for ${V} items`);
  // ‖E_m[k]‖² for the candidate codewords, once.
  const norms = new Float64Array(M * tailK);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < tailK; k++)
      norms[m * tailK + k] = dot(codebooks, codebooks, (m * K + k) * dim, (m * K + k) * dim, dim);
  }
  const target = new Float64Array(dim);
  const residual = new Float64Array(dim); // target − Σ_m E_m[c_m] over the codebooks currently assigned
  let tailItems = 0;
  let moved = 0;
  let errorSum = 0;
  for (let i = 0; i < V; i++) {
    if (!isTail[i]) continue;
    tailItems++;
    const row = i * M;
    let inside = true;
    for (let m = 0; m < M; m++) if (codes[row + m]! >= tailK) inside = false;
    if (inside) continue;
    moved++;
    target.fill(0);
    for (let m = 0; m < M; m++) addCodeword(target, codebooks, (m * K + codes[row + m]!) * dim, dim, 1);
    // Start from the codes that are allowed; the others are chosen first, one codebook at a time.
    residual.set(target);
    const assigned = new Array<boolean>(M);
    for (let m = 0; m < M; m++) {
      assigned[m] = codes[row + m]! < tailK;
      if (assigned[m]) addCodeword(residual, codebooks, (m * K + codes[row + m]!) * dim, dim, -1);
    }
    for (let sweep = 0; sweep < sweeps; sweep++) {
      for (let m = 0; m < M; m++) {
        if (sweep === 0 && assigned[m]) continue; // first pass: fill the disallowed slots
        if (assigned[m]) addCodeword(residual, codebooks, (m * K + codes[row + m]!) * dim, dim, 1);
        // argmin_k ‖residual − E_m[k]‖² = argmax_k 2·residual·E_m[k] − ‖E_m[k]‖²
        let best = 0;
        let bestGain = -Infinity;
        for (let k = 0; k < tailK; k++) {
          const gain = 2 * dotMixed(residual, codebooks, (m * K + k) * dim, dim) - norms[m * tailK + k]!;
          if (gain > bestGain) [best, bestGain] = [k, gain];
        }
        codes[row + m] = best;
        assigned[m] = true;
        addCodeword(residual, codebooks, (m * K + best) * dim, dim, -1);
      }
    }
    let err = 0;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      err += residual[d]! * residual[d]!;
      norm += target[d]! * target[d]!;
    }
    errorSum += norm > 0 ? err / norm : 0;
  }
  return { tailItems, moved, relativeSquaredError: moved > 0 ? errorSum / moved : 0 };
}

function addCodeword(
  into: Float64Array,
  books: Float32Array,
  offset: number,
  dim: number,
  sign: number,
): void {
  for (let d = 0; d < dim; d++) into[d]! += sign * books[offset + d]!;
}

function dot(a: Float32Array, b: Float32Array, offA: number, offB: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[offA + d]! * b[offB + d]!;
  return s;
}

function dotMixed(a: Float64Array, books: Float32Array, offset: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += a[d]! * books[offset + d]!;
  return s;
}
