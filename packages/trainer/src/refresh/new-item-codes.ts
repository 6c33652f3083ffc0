// The refreshed student's codes: previous items keep theirs (by id), items the previous bundle lacks get
// the nearest composite of the existing codewords to their teacher row — greedy residual encoding over the
// M codebooks, as residual k-means codes its own items (model/residual-kmeans.ts).
import { residualEncode } from '../model/residual-kmeans.ts';
import { carryRows, type VocabularyPlan } from './vocabulary.ts';

/** Codes [V', M] row-major in the refreshed vocabulary's order; `teacherRows` [V', N] in the same order. */
export function refreshedCodes(
  previousCodes: ArrayLike<number>,
  codebooks: Float32Array,
  teacherRows: Float32Array,
  plan: Pick<VocabularyPlan, 'previousIndex'>,
  dims: { M: number; K: number; N: number },
): Int32Array {
  const { M, K, N } = dims;
  const codes = carryRows(Int32Array.from(previousCodes), M, plan, (n) => new Int32Array(n));
  const fresh = [...plan.previousIndex.keys()].filter((i) => plan.previousIndex[i]! < 0);
  const rows = new Float32Array(fresh.length * N);
  fresh.forEach((i, r) => rows.set(teacherRows.subarray(i * N, (i + 1) * N), r * N));
  const encoded = residualEncode(rows, N, codebooks, M, K);
  fresh.forEach((i, r) => codes.set(encoded.subarray(r * M, (r + 1) * M), i * M));
  return codes;
}
