// Training batches: one causal pass per session window yields a prediction at every position, so a
// batch is sized by POSITIONS (not sessions) and sessions of similar length share a batch (little padding).
import { seededRandom, shuffleInPlace } from '../data/prng.ts';

/** A session cut to ≤ maxLen inputs; positions < lossFrom were already predicted by an earlier window. */
export interface Window {
  inputs: Int32Array;
  targets: Int32Array;
  lossFrom: number;
}

export interface Batch {
  batch: number;
  len: number;
  /** int32 [batch * len], padded with 0 after each window's end. */
  items: Int32Array;
  /** Flat indices b * len + t of the positions that carry a loss. */
  positions: Int32Array;
  targets: Int32Array;
}

/**
 * Windows of a session [v0 … vn−1]: inputs v0…vn−2 predict v1…vn−1. Sessions longer than maxLen + 1
 * become overlapping windows (stride maxLen/2) so every prediction sees at least maxLen/2 items of context.
 */
export function sessionWindows(session: Int32Array, maxLen: number): Window[] {
  const n = session.length - 1;
  if (n < 1) return [];
  if (n <= maxLen) return [{ inputs: session.subarray(0, n), targets: session.subarray(1), lossFrom: 0 }];
  const out: Window[] = [];
  const stride = Math.max(1, Math.floor(maxLen / 2));
  let covered = 0;
  for (let start = 0; covered < n; start = Math.min(start + stride, n - maxLen)) {
    out.push({
      inputs: session.subarray(start, start + maxLen),
      targets: session.subarray(start + 1, start + maxLen + 1),
      lossFrom: covered - start,
    });
    covered = start + maxLen;
  }
  return out;
}

/** Groups windows of similar length into batches of ≤ `positionsPerBatch` padded positions. */
export function makeBatches(windows: Window[], positionsPerBatch: number, seed: number): Batch[] {
  const random = seededRandom(seed);
  const keyed = windows.map((w) => ({ w, key: random() }));
  keyed.sort((a, b) => a.w.inputs.length - b.w.inputs.length || a.key - b.key);
  const groups: Window[][] = [];
  let current: Window[] = [];
  for (const { w } of keyed) {
    const len = Math.max(w.inputs.length, current.length ? current[current.length - 1]!.inputs.length : 0);
    if (current.length && (current.length + 1) * len > positionsPerBatch) {
      groups.push(current);
      current = [];
    }
    current.push(w);
  }
  if (current.length) groups.push(current);
  return shuffleInPlace(groups, random).map(toBatch);
}

export function toBatch(group: Window[]): Batch {
  const len = Math.max(...group.map((w) => w.inputs.length));
  const items = new Int32Array(group.length * len);
  const positions: number[] = [];
  const targets: number[] = [];
  group.forEach((w, b) => {
    items.set(w.inputs, b * len);
    for (let t = w.lossFrom; t < w.inputs.length; t++) {
      positions.push(b * len + t);
      targets.push(w.targets[t]!);
    }
  });
  return {
    batch: group.length,
    len,
    items,
    positions: Int32Array.from(positions),
    targets: Int32Array.from(targets),
  };
}

export function countPositions(batches: Batch[]): number {
  return batches.reduce((s, b) => s + b.positions.length, 0);
}
