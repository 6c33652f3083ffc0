// Teacher rows for items the previous teacher never saw: the mean of the rows of the known items that
// co-occur with the new item within `window` positions in the new sessions (each co-occurrence counts
// once), else — an item seen only next to other new items — the mean of all known rows.

export interface NewItemRowsResult {
  /** New items whose row came from co-occurring known items. */
  fromNeighbours: number;
  /** New items that fell back to the mean known row. */
  fromMean: number;
}

/**
 * Fills, in place, the rows of `table` [V, N] whose `known[i]` is 0, from the sessions (new indices).
 * Known rows are read, never written.
 */
export function fillNewItemRows(
  table: Float32Array,
  N: number,
  known: Uint8Array,
  sessions: readonly Int32Array[],
  window = 2,
): NewItemRowsResult {
  const V = known.length;
  if (table.length !== V * N)
    throw new RangeError(`fillNewItemRows: table has ${table.length} values, expected ${V}·${N}`);
  const sums = new Float64Array(V * N);
  const weights = new Float64Array(V);
  for (const s of sessions)
    for (let t = 0; t < s.length; t++) {
      const i = s[t]!;
      if (known[i]) continue;
      for (let u = Math.max(0, t - window); u <= Math.min(s.length - 1, t + window); u++) {
        const j = s[u]!;
        if (u === t || !known[j]) continue;
        weights[i]!++;
        for (let d = 0; d < N; d++) sums[i * N + d]! += table[j * N + d]!;
      }
    }
  const mean = new Float64Array(N);
  let knownCount = 0;
  for (let j = 0; j < V; j++)
    if (known[j]) {
      knownCount++;
      for (let d = 0; d < N; d++) mean[d]! += table[j * N + d]!;
    }
  if (knownCount > 0) for (let d = 0; d < N; d++) mean[d]! /= knownCount;
  let fromNeighbours = 0;
  let fromMean = 0;
  for (let i = 0; i < V; i++) {
    if (known[i]) continue;
    const w = weights[i]!;
    if (w > 0) fromNeighbours++;
    else fromMean++;
    for (let d = 0; d < N; d++) table[i * N + d] = w > 0 ? sums[i * N + d]! / w : mean[d]!;
  }
  return { fromNeighbours, fromMean };
}
