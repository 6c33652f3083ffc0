// Choosing a bundle's popularity prior (SDK engine/popularity-prior.ts): a grid over (weight, depth),
// judged on the validation cases whose label is a NEW item (not in the session) — the cases the prior is
// for: ranked among the items outside the session, as the repeat head will leave them. The repeat head is
// fitted afterwards, on scores with the chosen prior. "No prior" is always a candidate, so the search
// never returns a prior that validation says is worse than none.
import { priorValues, type PopularityPrior } from '@session-rec/sdk/engine/popularity-prior';

/** The cutoff the search judges at (P@10 + NDCG@10 of new-item cases, the targets' metrics). */
export const PRIOR_CUTOFF = 10;

export interface PriorCandidateResult {
  prior: PopularityPrior;
  /** Fractions over the new-item cases seen. */
  p: number;
  ndcg: number;
}

export class PriorSearch {
  readonly candidates: readonly PopularityPrior[];
  /** Dense prior of each candidate over the catalogue (0 past its depth). */
  private readonly dense: Float32Array[];
  private readonly hits: Float64Array;
  private readonly dcg: Float64Array;
  private readonly excluded: Uint8Array;
  private cases = 0;

  /**
   * @param order item indices by training popularity, most popular first (at least the deepest depth)
   * @param candidates priors to compare; weight 0 (no prior) is added when missing
   */
  constructor(
    order: ArrayLike<number>,
    candidates: readonly PopularityPrior[],
    private readonly numItems: number,
  ) {
    const all = candidates.some((c) => c.weight === 0)
      ? candidates
      : [{ weight: 0, depth: 1 }, ...candidates];
    for (const c of all) {
      if (!Number.isInteger(c.depth) || c.depth < 1 || c.depth > order.length)
        throw new RangeError(`prior depth ${c.depth}: expected an integer in [1, ${order.length}]`);
    }
    this.candidates = all;
    this.dense = all.map((c) => {
      const values = priorValues(c);
      const d = new Float32Array(numItems);
      for (let r = 0; r < c.depth; r++) d[order[r]] = values[r];
      return d;
    });
    this.hits = new Float64Array(all.length);
    this.dcg = new Float64Array(all.length);
    this.excluded = new Uint8Array(numItems);
  }

  /**
   * One validation case: θ·e scores[offset … offset + V) of `session` and its label. Repeat cases are
   * skipped (the repeat head ranks those); returns whether the case counted.
   */
  add(session: readonly number[], label: number, scores: Float32Array, offset: number): boolean {
    if (session.includes(label)) return false;
    const V = this.numItems;
    for (const i of session) this.excluded[i] = 1;
    for (let c = 0; c < this.candidates.length; c++) {
      const prior = this.dense[c];
      // Float32 sums, as the engines add the prior: ties count against the label.
      const target = Math.fround(scores[offset + label] + prior[label]);
      let above = 0;
      for (let i = 0; i < V && above < PRIOR_CUTOFF; i++) {
        if (i !== label && this.excluded[i] === 0 && Math.fround(scores[offset + i] + prior[i]) >= target)
          above++;
      }
      if (above < PRIOR_CUTOFF) {
        this.hits[c]++;
        this.dcg[c] += 1 / Math.log2(above + 2);
      }
    }
    for (const i of session) this.excluded[i] = 0;
    this.cases++;
    return true;
  }

  /** Every candidate's new-item metrics, in candidate order. */
  results(): PriorCandidateResult[] {
    const n = Math.max(this.cases, 1);
    return this.candidates.map((prior, c) => ({ prior, p: this.hits[c] / n, ndcg: this.dcg[c] / n }));
  }

  /** The candidate with the best P@10 + NDCG@10 (the earlier one on a tie: no prior first). */
  best(): PriorCandidateResult {
    return this.results().reduce((a, b) => (b.p + b.ndcg > a.p + a.ndcg ? b : a));
  }

  get newItemCases(): number {
    return this.cases;
  }
}

/** Every (weight, depth) pair of the two lists, depths capped at the order's length (deduplicated). */
export function priorGrid(
  weights: readonly number[],
  depths: readonly number[],
  maxDepth: number,
): PopularityPrior[] {
  const capped = [...new Set(depths.map((d) => Math.min(d, maxDepth)))];
  return weights.flatMap((weight) => capped.map((depth) => ({ weight, depth })));
}
