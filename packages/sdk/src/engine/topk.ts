// Top-k selection shared by every engine (and the WebGPU engine's tests): one tie rule for the whole project.
// Order: higher score first; equal scores → lower index first; NaN ranks below every number.
// A size-k min-heap keeps the k best seen so far, so the cost is O(V log k) with no full sort.
import type { ScoredItem } from './types.ts';

/** Throws a TypeError/RangeError naming `k` unless it is a positive integer. */
export function validateK(k: unknown): asserts k is number {
  if (typeof k !== 'number' || Number.isNaN(k)) throw new TypeError(`k must be a number, got ${String(k)}`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
}

/** True when (scoreA, indexA) ranks strictly before (scoreB, indexB) under the project's tie rule. */
export function ranksBefore(scoreA: number, indexA: number, scoreB: number, indexB: number): boolean {
  const a = Number.isNaN(scoreA) ? -Infinity : scoreA;
  const b = Number.isNaN(scoreB) ? -Infinity : scoreB;
  if (a !== b) return a > b;
  // Equal (incl. both NaN / both -Infinity): NaN after a real -Infinity, then the lower index.
  const aNaN = Number.isNaN(scoreA);
  if (aNaN !== Number.isNaN(scoreB)) return !aNaN;
  return indexA < indexB;
}

/**
 * The k best items of `scores` (index = item), best first, skipping `exclude`.
 * Returns fewer than k items when fewer are eligible.
 */
export function topK(scores: ArrayLike<number>, k: number, exclude?: ReadonlySet<number>): ScoredItem[] {
  validateK(k);
  const n = scores.length;
  const cap = Math.min(k, n);
  // Heap arrays: root (slot 0) is the worst item kept.
  const heapScore = new Float64Array(cap);
  const heapIndex = new Int32Array(cap);
  let size = 0;
  const skip = exclude !== undefined && exclude.size > 0 ? exclude : undefined;

  const worse = (a: number, b: number): boolean =>
    ranksBefore(heapScore[b], heapIndex[b], heapScore[a], heapIndex[a]);
  const siftDown = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const w = r < size && worse(r, l) ? r : l;
      if (!worse(w, i)) return;
      swap(heapScore, heapIndex, i, w);
      i = w;
    }
  };
  const siftUp = (start: number): void => {
    let i = start;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!worse(i, p)) return;
      swap(heapScore, heapIndex, i, p);
      i = p;
    }
  };

  let i = 0;
  // Fill phase.
  for (; i < n && size < cap; i++) {
    if (skip?.has(i)) continue;
    heapScore[size] = scores[i];
    heapIndex[size] = i;
    size++;
    siftUp(size - 1);
  }
  if (size === 0) return [];
  // Scan phase. Indices only grow, so an item equal to the root never beats it: a strict `>` suffices,
  // and NaN (every comparison false) never enters. A NaN root is replaced by any number.
  let root = heapScore[0];
  for (; i < n; i++) {
    const s = scores[i];
    if (s > root || (root !== root && s === s)) {
      if (skip?.has(i)) continue;
      heapScore[0] = s;
      heapIndex[0] = i;
      siftDown(0);
      root = heapScore[0];
    }
  }

  const out: ScoredItem[] = new Array(size);
  for (let r = size - 1; r >= 0; r--) {
    out[r] = { index: heapIndex[0], score: heapScore[0] };
    size--;
    if (size > 0) {
      heapScore[0] = heapScore[size];
      heapIndex[0] = heapIndex[size];
      siftDown(0);
    }
  }
  return out;
}

function swap(scores: Float64Array, indices: Int32Array, a: number, b: number): void {
  const s = scores[a];
  scores[a] = scores[b];
  scores[b] = s;
  const x = indices[a];
  indices[a] = indices[b];
  indices[b] = x;
}
