import { describe, expect, it } from 'vitest';
import { prefixExamples, splitValidation, validationPositions } from './examples.ts';
import { hotColdSplit, popularityCounts, popularityOrder } from './popularity.ts';
import { seededRandom } from './prng.ts';

const s = (...ids: number[]): Int32Array => Int32Array.from(ids);

function randomSessions(n: number, seed: number): Int32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () =>
    Int32Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 50)),
  );
}

describe('prefixExamples', () => {
  it('gives every prefix with the item that follows it', () => {
    const ex = prefixExamples([s(1, 2, 3, 4), s(7), s(5, 6)]);
    expect(ex.map((e) => [Array.from(e.prefix), e.label])).toEqual([
      [[1], 2],
      [[1, 2], 3],
      [[1, 2, 3], 4],
      [[5], 6],
    ]);
  });

  it('keeps only the most recent maxLen items of a prefix', () => {
    const ex = prefixExamples([s(0, 1, 2, 3, 4, 5)], 3);
    expect(ex.map((e) => Array.from(e.prefix))).toEqual([[0], [0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 4]]);
    expect(ex.at(-1)!.label).toBe(5);
  });

  it('counts Σ (length − 1) examples', () => {
    const sessions = randomSessions(200, 3);
    expect(prefixExamples(sessions)).toHaveLength(sessions.reduce((a, x) => a + x.length - 1, 0));
  });
});

describe('splitValidation', () => {
  const sessions = randomSessions(1000, 5);

  it('holds out round(10%) of whole sessions, keeping the order of both parts', () => {
    const { train, valid } = splitValidation(sessions, { seed: 1 });
    expect(valid).toHaveLength(100);
    expect(train).toHaveLength(900);
    const position = new Map(sessions.map((x, i) => [x, i]));
    const inOrder = (part: Int32Array[]): boolean =>
      part.every((x, i) => i === 0 || position.get(part[i - 1])! < position.get(x)!);
    expect(inOrder(train) && inOrder(valid)).toBe(true);
    expect(new Set([...train, ...valid]).size).toBe(1000);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = splitValidation(sessions, { seed: 11 }).valid;
    const b = splitValidation(sessions, { seed: 11 }).valid;
    const c = splitValidation(sessions, { seed: 12, fraction: 0.1 }).valid;
    expect(a).toEqual(b);
    expect(a.every((x, i) => x === b[i])).toBe(true);
    expect(a.some((x, i) => x !== c[i])).toBe(true);
  });

  it('honours the fraction and rejects nonsense', () => {
    expect(splitValidation(sessions, { seed: 1, fraction: 0.25 }).valid).toHaveLength(250);
    expect(splitValidation(sessions, { seed: 1, fraction: 0 }).valid).toHaveLength(0);
    expect(() => splitValidation(sessions, { seed: 1, fraction: 1.5 })).toThrow(RangeError);
  });

  it('validationPositions gives the positions of the same two parts, ascending', () => {
    const { train, valid } = validationPositions(sessions.length, { seed: 3, fraction: 0.2 });
    const split = splitValidation(sessions, { seed: 3, fraction: 0.2 });
    expect(valid.map((i) => sessions[i])).toEqual(split.valid);
    expect(train.map((i) => sessions[i])).toEqual(split.train);
    expect([...train, ...valid].sort((a, b) => a - b)).toEqual(sessions.map((_, i) => i));
    expect(valid.every((p, i) => i === 0 || valid[i - 1]! < p)).toBe(true);
  });
});

describe('popularity', () => {
  it('counts every click', () => {
    expect(Array.from(popularityCounts([s(0, 1, 1), s(3, 1)], 5))).toEqual([1, 3, 0, 1, 0]);
    expect(() => popularityCounts([s(5)], 5)).toThrow(/item index 5 outside 0..4/);
  });

  it('orders by count, ties by lower index', () => {
    expect(Array.from(popularityOrder([2, 5, 2, 0, 5]))).toEqual([1, 4, 0, 2, 3]);
  });

  it('hot = the round(20%) most frequent items, ties to the lower index', () => {
    const counts = [3, 9, 1, 9, 0, 4, 4, 2, 7, 5];
    expect(Array.from(hotColdSplit(counts))).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    // Top 5: 9 (1), 9 (3), 7 (8), 5 (9), then the tie 4 (5) / 4 (6) goes to index 5.
    expect(Array.from(hotColdSplit(counts, 0.5))).toEqual([0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    const random = seededRandom(9);
    const many = Array.from({ length: 1003 }, () => Math.floor(random() * 30));
    const hot = hotColdSplit(many);
    expect(hot.reduce((a, b) => a + b, 0)).toBe(201);
    const minHot = Math.min(...many.filter((_, i) => hot[i]));
    const maxCold = Math.max(...many.filter((_, i) => !hot[i]));
    expect(minHot).toBeGreaterThanOrEqual(maxCold);
  });
});
