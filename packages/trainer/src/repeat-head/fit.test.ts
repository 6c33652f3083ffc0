import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import { repeatBoosts, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';
import { fitRepeatHead, repeatCaseOf, type RepeatCase } from './fit.ts';

/** Cases whose labels are drawn from softmax(θ·e + boost) of a known head: the fit must recover it. */
function synthetic(head: RepeatHead, count: number, seed: number): RepeatCase[] {
  const rng = seededRandom(seed);
  const V = 60;
  const cases: RepeatCase[] = [];
  for (let c = 0; c < count; c++) {
    const length = 1 + Math.floor(rng() * 12);
    const session: number[] = [];
    for (let t = 0; t < length; t++) {
      session.push(t > 0 && rng() < 0.35 ? session[Math.floor(rng() * t)] : Math.floor(rng() * V));
    }
    const scores = Float32Array.from({ length: V }, () => 3 * rng() - 1.5);
    const boosted = scores.slice();
    const { count: n, indices, boosts } = repeatBoosts(head, session);
    for (let j = 0; j < n; j++) boosted[indices[j]] += head.scoreWeight * scores[indices[j]] + boosts[j];
    // Draw the label from softmax(boosted).
    let total = 0;
    for (const s of boosted) total += Math.exp(s);
    let u = rng() * total;
    let label = V - 1;
    for (let i = 0; i < V; i++) {
      u -= Math.exp(boosted[i]);
      if (u <= 0) {
        label = i;
        break;
      }
    }
    cases.push(repeatCaseOf(session, label, scores, 0, V));
  }
  return cases;
}

describe('repeat-head fit', () => {
  it('repeatCaseOf: shifted logits, the rest mass without the session items, the label slot', () => {
    const scores = Float32Array.from([0.5, 2, -1, 1, 0]);
    const c = repeatCaseOf([3, 1, 3], 1, scores, 0, 5);
    expect(Array.from(c.logits)).toEqual([1 - 2, 2 - 2]); // items 3 then 1, minus the max (2)
    expect(c.labelSlot).toBe(1);
    expect(c.rest).toBeCloseTo(Math.exp(0.5 - 2) + Math.exp(-1 - 2) + Math.exp(0 - 2), 12);
    expect(Array.from(c.logCounts)).toEqual([Math.log(2), 0]);
    expect(Array.from(c.scores)).toEqual([1, 2]);
    expect(c.repeatShare).toBeCloseTo(1 / 3, 12);
    // An offset into a batch, and a new-item label.
    const batch = new Float32Array(10);
    batch.set(scores, 5);
    const d = repeatCaseOf([3, 1, 3], 2, batch, 5, 5);
    expect(d.labelSlot).toBe(-1);
    expect(d.labelLogit).toBe(-3);
    expect(d.rest).toBeCloseTo(c.rest, 12);
  });

  it('recovers the head that generated the labels, and lowers the loss', () => {
    const truth: RepeatHead = {
      recency: Float32Array.from([2.5, 1.5, 1, 0.3]),
      countWeight: 0.8,
      repeatShareWeight: -1,
      scoreWeight: -0.5,
    };
    const cases = synthetic(truth, 20_000, 7);
    const fit = fitRepeatHead(cases, { recencyRanks: 4, l2: 0 });
    expect(fit.lossAfter).toBeLessThan(fit.lossBefore - 0.05);
    expect(fit.gradientMax).toBeLessThan(1e-5);
    for (let r = 0; r < 4; r++) expect(Math.abs(fit.head.recency[r] - truth.recency[r])).toBeLessThan(0.2);
    expect(Math.abs(fit.head.countWeight - truth.countWeight)).toBeLessThan(0.2);
    expect(Math.abs(fit.head.repeatShareWeight - truth.repeatShareWeight)).toBeLessThan(0.4);
    expect(Math.abs(fit.head.scoreWeight - truth.scoreWeight)).toBeLessThan(0.15);
  });

  it('a head of zeros fits data without a repeat effect', () => {
    const zero: RepeatHead = {
      recency: new Float32Array(3),
      countWeight: 0,
      repeatShareWeight: 0,
      scoreWeight: 0,
    };
    const fit = fitRepeatHead(synthetic(zero, 20_000, 9), { recencyRanks: 3 });
    for (const b of fit.head.recency) expect(Math.abs(b)).toBeLessThan(0.2);
    expect(fit.lossAfter).toBeLessThanOrEqual(fit.lossBefore);
  });

  it('rejects no cases and a bad rank count', () => {
    expect(() => fitRepeatHead([])).toThrow(RangeError);
    expect(() =>
      fitRepeatHead(
        synthetic(
          { recency: new Float32Array(1), countWeight: 0, repeatShareWeight: 0, scoreWeight: 0 },
          5,
          1,
        ),
        { recencyRanks: 0 },
      ),
    ).toThrow(/recencyRanks/);
  });
});
