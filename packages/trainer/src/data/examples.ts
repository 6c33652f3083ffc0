// Training examples and the validation split of the protocol (datasets/README.md).
import { seededRandom, shuffleInPlace } from './prng.ts';
import type { SessionCase } from './read-dataset.ts';

export interface ValidationSplit {
  train: Int32Array[];
  valid: Int32Array[];
}

export interface SplitOptions {
  /** Share of the sessions held out; default 0.1. */
  fraction?: number;
  seed: number;
}

/**
 * Holds out a random `fraction` of whole sessions (round(n · fraction) of them) for validation.
 * Deterministic for a seed; both parts keep the input order.
 */
export function splitValidation(sessions: readonly Int32Array[], opts: SplitOptions): ValidationSplit {
  const { train, valid } = validationPositions(sessions.length, opts);
  return { train: train.map((i) => sessions[i]!), valid: valid.map((i) => sessions[i]!) };
}

/**
 * The positions (in `train.txt`, i.e. time order) of splitValidation's two parts, each ascending: what a
 * time-aware step (the popularity prior's recency) needs beside the sessions.
 */
export function validationPositions(
  count: number,
  { fraction = 0.1, seed }: SplitOptions,
): { train: number[]; valid: number[] } {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  const order = shuffleInPlace(
    Array.from({ length: count }, (_, i) => i),
    seededRandom(seed),
  );
  const isValid = new Uint8Array(count);
  const validCount = Math.round(count * fraction);
  for (let i = 0; i < validCount; i++) isValid[order[i]!] = 1;
  const train: number[] = [];
  const valid: number[] = [];
  for (let i = 0; i < count; i++) (isValid[i] ? valid : train).push(i);
  return { train, valid };
}

/**
 * Every prefix of every session with the item that follows it, the prefix cut to its last `maxLen`
 * items: [v1, v2, v3] gives ([v1], v2) and ([v1, v2], v3). Prefixes are views, not copies.
 */
export function prefixExamples(sessions: readonly Int32Array[], maxLen = 50): SessionCase[] {
  if (!(Number.isInteger(maxLen) && maxLen >= 1))
    throw new RangeError(`maxLen must be a positive integer, got ${maxLen}`);
  const out: SessionCase[] = [];
  for (const s of sessions) {
    for (let t = 1; t < s.length; t++)
      out.push({ prefix: s.subarray(Math.max(0, t - maxLen), t), label: s[t] });
  }
  return out;
}
