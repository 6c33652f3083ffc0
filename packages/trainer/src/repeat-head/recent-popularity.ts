// The popularity order the prior reads, optionally weighted towards recent sessions. Shops' catalogues
// drift: what sold well months ago predicts next week's clicks less well than what sold well last week, and
// the test sessions (like the shoppers a bundle will serve) come after all training sessions. A click in a
// session `age` sessions before `now` counts 2^(−age / halfLife); halfLife 0 means no decay (every click 1).

export interface TimedSessions {
  sessions: readonly Int32Array[];
  /** Position of each session on the timeline (train.txt is in time order), ascending. */
  positions: readonly number[];
}

/**
 * Item indices by (decayed) click count over the sessions before position `now`, most popular first; ties
 * to the lower index. Sessions at or after `now` are left out.
 */
export function recentPopularityOrder(
  { sessions, positions }: TimedSessions,
  numItems: number,
  halfLife: number,
  now: number,
): Uint32Array {
  if (!(halfLife >= 0)) throw new RangeError(`half-life must be ≥ 0 sessions (0: no decay), got ${halfLife}`);
  const counts = new Float64Array(numItems);
  for (let s = 0; s < sessions.length; s++) {
    const age = now - positions[s];
    if (age <= 0) continue;
    const w = halfLife === 0 ? 1 : Math.pow(2, -(age - 1) / halfLife);
    for (const item of sessions[s]) counts[item] += w;
  }
  const order = Array.from({ length: numItems }, (_, i) => i);
  order.sort((a, b) => counts[b] - counts[a] || a - b);
  return Uint32Array.from(order);
}
