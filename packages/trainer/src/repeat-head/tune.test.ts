import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import { addRepeatBoosts, type RepeatHead } from '@session-rec/sdk/engine/repeat-head';
import { rankOfLabel } from '../eval/metrics.ts';
import { rankCaseOf, rankMetrics, tuneRepeatHead } from './tune.ts';

const V = 80;

/** Random sessions with repeats, random scores, and labels that often go back to a session item. */
function randomCases(count: number, seed: number) {
  const rng = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const length = 1 + Math.floor(rng() * 15);
    const session: number[] = [];
    for (let t = 0; t < length; t++)
      session.push(t > 0 && rng() < 0.3 ? session[Math.floor(rng() * t)] : Math.floor(rng() * V));
    const scores = Float32Array.from({ length: V }, () => 4 * rng() - 2);
    const label = rng() < 0.5 ? session[Math.floor(rng() * length)] : Math.floor(rng() * V);
    return { session, scores, label };
  });
}

const head: RepeatHead = {
  recency: Float32Array.from([1.5, 1, 0.8, 0.2]),
  countWeight: 0.3,
  repeatShareWeight: 0.5,
  scoreWeight: -0.4,
};

describe('repeat-head tuning', () => {
  it('compact cases give the exact P@10 and NDCG@10 of the head applied to all scores', () => {
    const raw = randomCases(500, 3);
    const compact = raw.map((c) => rankCaseOf(c.session, c.label, c.scores, 0, V));
    for (const h of [head, { ...head, recency: new Float32Array(4), scoreWeight: 0 }]) {
      let hits = 0;
      let dcg = 0;
      for (const c of raw) {
        const scores = c.scores.slice();
        addRepeatBoosts(h, c.session, scores);
        const rank = rankOfLabel(scores, c.label);
        if (rank <= 10) {
          hits++;
          dcg += 1 / Math.log2(rank + 1);
        }
      }
      const m = rankMetrics(compact, h);
      expect(m.p).toBeCloseTo(hits / raw.length, 10);
      expect(m.ndcg).toBeCloseTo(dcg / raw.length, 10);
    }
  });

  it('the search never lowers its objective and improves a head of zeros', () => {
    const compact = randomCases(800, 5).map((c) => rankCaseOf(c.session, c.label, c.scores, 0, V));
    const zero: RepeatHead = {
      recency: new Float32Array(4),
      countWeight: 0,
      repeatShareWeight: 0,
      scoreWeight: 0,
    };
    const tuned = tuneRepeatHead(compact, zero, { minStep: 0.1 });
    expect(tuned.after.p + tuned.after.ndcg).toBeGreaterThan(tuned.before.p + tuned.before.ndcg + 0.05);
    const p10 = tuneRepeatHead(compact, head, { objective: 'p10', minStep: 0.1 });
    expect(p10.after.p).toBeGreaterThanOrEqual(p10.before.p);
  });
});
