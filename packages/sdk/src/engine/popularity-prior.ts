// The popularity prior (docs/model.md "Popularity prior"): an optional term added to the scores of the
// bundle's most popular items. A compressed item table shares its parameters between items, so it cannot
// hold what a full table learns per item — above all how often each item is bought at all. The bundle
// already ships the popularity order (the empty-session answer); the prior reuses its first `depth`
// entries, so it costs two floats:
//
//   prior(item at position r of the popularity order) = weight · ln((1 + depth) / (1 + r)),  r < depth
//
// (0 for the rest: the prior only ever raises, and falls to 0 at the depth). Every engine adds it to
// θ·e(i) before the repeat head (engine/repeat-head.ts), from the float32 values of `priorValues`.
import { POPULARITY_PRIOR_TENSOR, type ModelBundle } from '../bundle/types.ts';

export interface PopularityPrior {
  weight: number;
  /** How many entries of the popularity order get the prior (1 … its length). */
  depth: number;
}

/** The bundle's prior, or undefined when it has none (the bundle's value checks bounded the depth). */
export function readPopularityPrior(bundle: ModelBundle): PopularityPrior | undefined {
  const t = bundle.tensors.get(POPULARITY_PRIOR_TENSOR);
  if (t === undefined) return undefined;
  return { weight: t.data[0], depth: t.data[1] };
}

/** The prior's two-float tensor data: [weight, depth]. */
export function popularityPriorData(prior: PopularityPrior): Float32Array<ArrayBuffer> {
  return Float32Array.from([prior.weight, prior.depth]);
}

/** prior[r] for r < depth, as float32. */
export function priorValues(prior: PopularityPrior): Float32Array<ArrayBuffer> {
  const { weight, depth } = prior;
  const values = new Float32Array(depth);
  for (let r = 0; r < depth; r++) values[r] = weight * Math.log((1 + depth) / (1 + r));
  return values;
}

/** The items that get the prior and their values, in popularity order: what every engine adds. */
export interface PriorTerms {
  items: Uint32Array<ArrayBuffer>;
  values: Float32Array<ArrayBuffer>;
}

/** The bundle's prior as (item, value) pairs, or undefined when it has none. */
export function readPriorTerms(bundle: ModelBundle): PriorTerms | undefined {
  const prior = readPopularityPrior(bundle);
  if (prior === undefined) return undefined;
  const order = bundle.tensors.get('popularity')!.data;
  return { items: Uint32Array.from(order.subarray(0, prior.depth)), values: priorValues(prior) };
}

/** scores[offset + item] += value for each term (float32 adds, as the WebGPU kernel does them). */
export function addPriorTerms(
  terms: PriorTerms,
  scores: Float32Array,
  offset = 0,
  start = 0,
  end = Infinity,
): void {
  const { items, values } = terms;
  // Items outside [start, end) are skipped: threads scoring ranges apart each add their own (cpu/parallel).
  for (let r = 0; r < items.length; r++) {
    const i = items[r];
    if (i >= start && i < end) scores[offset + i] += values[r];
  }
}
