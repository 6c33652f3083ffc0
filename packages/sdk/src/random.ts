// The one seeded PRNG of the project: trainer splits, shuffles and samples, test fixtures and benchmark
// sessions draw from it, so that every run is reproducible from its seed. mulberry32: 32-bit state,
// fast, good enough for shuffles and sampling (not for cryptography).

/** A stream of uniform floats in [0, 1), fully determined by `seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for an independent sub-stream (e.g. one per epoch), mixed so that nearby inputs diverge. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An integer in 0 … n−1. */
export function randomInt(random: () => number, n: number): number {
  return Math.floor(random() * n);
}

/** Fisher–Yates shuffle of `items` (an array or a typed array), in place; returns `items`. */
export function shuffleInPlace<A extends { length: number; [index: number]: unknown }>(
  items: A,
  random: () => number,
): A {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
