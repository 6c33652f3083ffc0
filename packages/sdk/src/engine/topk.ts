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
  return topKRange(scores, 0, scores.length, k, exclude);
}

/**
 * topK over the items start … end − 1 only (indices stay global). The top k of a catalogue is the top k
 * of the per-range top k's merged under the same tie rule (mergeTopK), so ranges can be ranked apart.
 */
export function topKRange(
  scores: ArrayLike<number>,
  start: number,
  end: number,
  k: number,
  exclude?: ReadonlySet<number>,
): ScoredItem[] {
  validateK(k);
  const n = end;
  const cap = Math.min(k, Math.max(0, end - start));
  if (cap === 0) return [];
  // Heap arrays: root (slot 0) is the worst item kept.
  const heap: Heap = { score: new Float64Array(cap), index: new Int32Array(cap), size: 0 };
  const skip = exclude !== undefined && exclude.size > 0 ? exclude : undefined;

  let i = start;
  // Fill phase.
  for (; i < n && heap.size < cap; i++) {
    if (skip?.has(i)) continue;
    heap.score[heap.size] = scores[i];
    heap.index[heap.size] = i;
    heap.size++;
    siftUp(heap, heap.size - 1);
  }
  if (heap.size === 0) return [];
  // Scan phase. Indices only grow, so an item equal to the root never beats it: a strict `>` suffices,
  // and NaN (every comparison false) never enters. While the root is NaN any number replaces it; once it
  // is a number (it then stays one) the loop is one load and one compare per item — the cost of top-k
  // over a large catalogue.
  let root = heap.score[0];
  for (; i < n && root !== root; i++) {
    const s = scores[i];
    if (s === s && !skip?.has(i)) root = replaceRoot(heap, s, i);
  }
  for (; i < n; i++) {
    const s = scores[i];
    if (s > root && !skip?.has(i)) root = replaceRoot(heap, s, i);
  }

  const out: ScoredItem[] = new Array(heap.size);
  for (let r = heap.size - 1; r >= 0; r--) {
    out[r] = { index: heap.index[0], score: heap.score[0] };
    heap.size--;
    if (heap.size > 0) {
      heap.score[0] = heap.score[heap.size];
      heap.index[0] = heap.index[heap.size];
      siftDown(heap, 0);
    }
  }
  return out;
}

interface Heap {
  score: Float64Array;
  index: Int32Array;
  size: number;
}

/** Puts (s, i) in place of the root and restores the heap; returns the new root score. */
function replaceRoot(heap: Heap, s: number, i: number): number {
  heap.score[0] = s;
  heap.index[0] = i;
  siftDown(heap, 0);
  return heap.score[0];
}

/** Slot a holds a worse item than slot b (the heap keeps the worst at the root). */
function worse(heap: Heap, a: number, b: number): boolean {
  return ranksBefore(heap.score[b], heap.index[b], heap.score[a], heap.index[a]);
}

function siftDown(heap: Heap, start: number): void {
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.size) return;
    const r = l + 1;
    const w = r < heap.size && worse(heap, r, l) ? r : l;
    if (!worse(heap, w, i)) return;
    swap(heap, i, w);
    i = w;
  }
}

function siftUp(heap: Heap, start: number): void {
  let i = start;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!worse(heap, i, p)) return;
    swap(heap, i, p);
    i = p;
  }
}

function swap(heap: Heap, a: number, b: number): void {
  const s = heap.score[a];
  heap.score[a] = heap.score[b];
  heap.score[b] = s;
  const x = heap.index[a];
  heap.index[a] = heap.index[b];
  heap.index[b] = x;
}

/** The k best of several topKRange results over disjoint ranges, best first (the project's tie rule). */
export function mergeTopK(lists: readonly (readonly ScoredItem[])[], k: number): ScoredItem[] {
  const all = lists.flat();
  all.sort((a, b) => (ranksBefore(a.score, a.index, b.score, b.index) ? -1 : 1));
  return all.slice(0, k);
}
