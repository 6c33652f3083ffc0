// The CPU engine's scoring pool against the same engine on one thread: bit-identical top k (scores and
// order) on random bundles, with the popularity prior and the repeat head, exclusions and ties; a worker
// that dies mid-session leaves the answer whole and the engine single-threaded.
import { afterEach, describe, expect, it } from 'vitest';
import {
  POPULARITY_PRIOR_TENSOR,
  REPEAT_RECENCY_TENSOR,
  REPEAT_WEIGHTS_TENSOR,
} from '../../../bundle/types.ts';
import type { ModelBundle } from '../../../bundle/types.ts';
import { mergeTopK, topK, topKRange } from '../../topk.ts';
import { createCpuEngine, type CpuScoringEngine } from '../engine.ts';
import { randomCompositionalBundle, randomFullBundle, seededRng } from '../testing/random-model.ts';
import { splitRanges } from './range-scoring.ts';
import { spawnNodeScoreWorker, untilThreads } from './testing/node-worker.ts';
import type { WorkerLike } from './score-pool.ts';

const shape = { numItems: 5003, dim: 16, heads: 2, blocks: 1, maxLen: 12 };

/** The bundle with a popularity prior (depth 40) and a repeat head, as the shipped bundles have. */
function withHead(b: ModelBundle): ModelBundle {
  const tensors = new Map(b.tensors);
  tensors.set(POPULARITY_PRIOR_TENSOR, { dtype: 'float32', shape: [2], data: Float32Array.from([0.7, 40]) });
  tensors.set(REPEAT_RECENCY_TENSOR, {
    dtype: 'float32',
    shape: [3],
    data: Float32Array.from([3, 1.5, 0.5]),
  });
  tensors.set(REPEAT_WEIGHTS_TENSOR, {
    dtype: 'float32',
    shape: [3],
    data: Float32Array.from([0.4, -0.2, -0.3]),
  });
  return { ...b, tensors };
}

const engines: CpuScoringEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

async function pair(bundle: ModelBundle, spawn: () => WorkerLike = spawnNodeScoreWorker, threads = 3) {
  const one = createCpuEngine(bundle, { threads: 1 });
  const many = createCpuEngine(bundle, { threads, spawnWorker: spawn });
  engines.push(one, many);
  expect(await untilThreads(many)).toBe(threads);
  return { one, many };
}

function sessions(seed: number, numItems: number, count: number): number[][] {
  const rng = seededRng(seed);
  const out: number[][] = [];
  for (let s = 0; s < count; s++) {
    const len = 1 + Math.floor(rng() * 20); // some past maxLen = 12
    // Repeats on purpose: the head boosts the session's own items.
    out.push(Array.from({ length: len }, () => Math.floor(rng() * (rng() < 0.3 ? 6 : numItems))));
  }
  return out;
}

describe('scoring pool (3 threads) = one thread', () => {
  const kinds = {
    compositional: (seed: number) => randomCompositionalBundle(seededRng(seed), { ...shape, M: 4, K: 32 }),
    full: (seed: number) => randomFullBundle(seededRng(seed), shape),
  };
  for (const [kind, make] of Object.entries(kinds)) {
    for (const head of [false, true]) {
      it(`${kind}${head ? ' with prior and repeat head' : ''}: same top k, same scores, session by session`, async () => {
        const bundle = head ? withHead(make(7)) : make(7);
        const { one, many } = await pair(bundle);
        for (const s of sessions(3, shape.numItems, 40)) {
          for (const k of [1, 20, 300]) {
            const exclude = k === 20 ? new Set(s) : undefined;
            const a = await one.recommend(s, { k, exclude });
            const b = await many.recommend(s, { k, exclude });
            expect(b).toEqual(a);
          }
        }
        expect(many.threads).toBe(3);
      });
    }
  }

  it('ties across range boundaries break by the lower index, as topK does', async () => {
    // K = 1: every item has the same code, so every score ties and the answer is 0 … k − 1.
    const bundle = randomCompositionalBundle(seededRng(2), { ...shape, M: 1, K: 1 });
    const { one, many } = await pair(bundle);
    const s = [4000, 17];
    const b = await many.recommend(s, { k: 30, exclude: new Set([0, 3]) });
    expect(b).toEqual(await one.recommend(s, { k: 30, exclude: new Set([0, 3]) }));
    expect(b.map((x) => x.index).slice(0, 3)).toEqual([1, 2, 4]);
  });

  it('a worker that dies: the query is answered whole, later ones on one thread', async () => {
    const bundle = randomCompositionalBundle(seededRng(9), { ...shape, M: 4, K: 32 });
    let spawned: WorkerLike | undefined;
    const { one, many } = await pair(bundle, () => (spawned = spawnNodeScoreWorker()), 2);
    const s = [5, 9, 5, 1200];
    expect(await many.recommend(s, { k: 10 })).toEqual(await one.recommend(s, { k: 10 }));
    spawned!.terminate();
    spawned!.onerror?.(new Error('gone'));
    expect(await many.recommend(s, { k: 10 })).toEqual(await one.recommend(s, { k: 10 }));
    expect(many.threads).toBe(1);
  });

  it('rejects a bad thread count', () => {
    expect(() => createCpuEngine(kinds.full(1), { threads: 0 })).toThrow(/threads/);
    expect(() => createCpuEngine(kinds.full(1), { threads: 1.5 })).toThrow(/threads/);
  });
});

describe('ranges', () => {
  it('splitRanges: contiguous, cover 0 … V, inner boundaries multiples of 8', () => {
    for (const [V, parts] of [
      [5003, 3],
      [7, 2],
      [1_000_000, 4],
      [16, 4],
    ]) {
      const r = splitRanges(V, parts);
      expect(r).toHaveLength(parts);
      expect(r[0][0]).toBe(0);
      expect(r[parts - 1][1]).toBe(V);
      for (let p = 1; p < parts; p++) {
        expect(r[p][0]).toBe(r[p - 1][1]);
        expect(r[p][0] % 8 === 0 || r[p][0] === V).toBe(true);
      }
    }
  });

  it('mergeTopK of topKRange over ranges = topK (random scores with ties and NaN)', () => {
    const rng = seededRng(4);
    const scores = Float32Array.from({ length: 997 }, () => (rng() < 0.05 ? NaN : Math.round(rng() * 50)));
    const exclude = new Set([3, 10, 500]);
    for (const k of [1, 5, 64, 997]) {
      const parts = splitRanges(scores.length, 3).map(([a, b]) => topKRange(scores, a, b, k, exclude));
      expect(mergeTopK(parts, k)).toEqual(topK(scores, k, exclude));
    }
  });
});
