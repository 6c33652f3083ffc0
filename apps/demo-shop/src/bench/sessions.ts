// Benchmark sessions when no dataset is at hand: sampled from the model's popularity order (a Zipf-like
// draw over the most popular items, lengths like the datasets' average of ~6 clicks). The benchmark output
// labels such rows `popularity-sampled`, never passing them off as real sessions.
import { seededRandom } from '@session-rec/sdk/testing';

export function samplePopularitySessions(
  popularity: ArrayLike<number>,
  itemId: (index: number) => string,
  count: number,
  seed = 7,
  /** Every session exactly this many clicks; default: random lengths (mean ≈ 6, at most 50). */
  fixedLength?: number,
): string[][] {
  const rand = seededRandom(seed);
  const head = Math.min(popularity.length, 5000);
  const sessions: string[][] = [];
  for (let s = 0; s < count; s++) {
    const drawn = 1 + (Math.floor(-Math.log(1 - rand()) * 5) % 50); // geometric-like, mean ≈ 6
    const length = fixedLength ?? drawn;
    const session: string[] = [];
    // rank ∝ exp(u · ln head): heavier on popular items, as real clicks are.
    for (let t = 0; t < length; t++)
      session.push(itemId(popularity[Math.floor(Math.exp(rand() * Math.log(head))) - 1]));
    sessions.push(session);
  }
  return sessions;
}
