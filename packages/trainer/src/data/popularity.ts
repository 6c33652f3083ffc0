// Item popularity in training: the empty-session fallback, the popularity baseline and the hot/cold
// split of EODRec Sec. 5.2.

/** How often each internal index occurs in `sessions` (every click counts). */
export function popularityCounts(sessions: readonly Int32Array[], numItems: number): Uint32Array {
  const counts = new Uint32Array(numItems);
  for (const s of sessions) {
    for (let t = 0; t < s.length; t++) {
      const item = s[t];
      if (item < 0 || item >= numItems) throw new RangeError(`item index ${item} outside 0..${numItems - 1}`);
      counts[item]++;
    }
  }
  return counts;
}

/** Item indices, most frequent first; equal counts in index order (the top-k tie rule of docs/model.md). */
export function popularityOrder(counts: ArrayLike<number>): Uint32Array {
  return Uint32Array.from({ length: counts.length }, (_, i) => i).sort(
    (a, b) => counts[b] - counts[a] || a - b,
  );
}

/** popularityOrder of the clicks in `sessions`: the bundles' `popularity` tensor. */
export function sessionPopularityOrder(sessions: readonly Int32Array[], numItems: number): Uint32Array {
  return popularityOrder(popularityCounts(sessions, numItems));
}

/**
 * 1 for the round(V · hotFraction) most frequent items ("hot"), 0 for the rest ("cold").
 * Ties at the boundary go to the lower index, as in popularityOrder.
 */
export function hotColdSplit(counts: ArrayLike<number>, hotFraction = 0.2): Uint8Array {
  if (!(hotFraction >= 0 && hotFraction <= 1))
    throw new RangeError(`hotFraction must be in [0, 1], got ${hotFraction}`);
  const hot = new Uint8Array(counts.length);
  const order = popularityOrder(counts);
  const hotCount = Math.round(counts.length * hotFraction);
  for (let i = 0; i < hotCount; i++) hot[order[i]] = 1;
  return hot;
}
