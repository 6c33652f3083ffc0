// Which encoder rows a query can keep from the previous one (README "Incremental encoding"). The encoder is
// causal and positions count from the window's first item, so rows 0 … p − 1 of a window depend only on its
// first p items: when the previous window is a prefix of the new one (the same session plus appended clicks,
// before it slides past maxLen), its p rows are still right and only rows p … n − 1 need computing.

/** Rows of `window` already encoded when the GPU buffers hold `cached` (0 → encode everything). */
export function keptRows(cached: readonly number[], window: readonly number[]): number {
  if (cached.length === 0 || cached.length > window.length) return 0;
  for (let t = 0; t < cached.length; t++) if (cached[t] !== window[t]) return 0;
  return cached.length;
}
