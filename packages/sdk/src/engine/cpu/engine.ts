// The CPU engine: plain TypeScript, no tfjs. The reference the WebGPU engine is tested against, the
// fallback when WebGPU is missing, and the scorer behind `pnpm eval` (scoreAll).
import type { ModelBundle } from '../../bundle/types.ts';
import { topK, validateK } from '../topk.ts';
import type { ScoredItem, ScoringEngine, TopKOptions } from '../types.ts';
import { createEncoder, type SessionEncoder } from './encoder.ts';
import { EngineDisposedError, ModelHyperError } from '../errors.ts';
import { createItemTable } from './item-tables/registry.ts';
import { requireTensor } from '../tensors.ts';
import { addRepeatBoosts, readRepeatHead, repeatBoosts } from '../repeat-head.ts';
import { canShareMemory, createScorePool, type ScorePool, type WorkerLike } from './parallel/score-pool.ts';
import type { ItemTable } from './item-tables/types.ts';
import { addPriorTerms, readPriorTerms } from '../popularity-prior.ts';

export interface CpuScoringEngine extends ScoringEngine {
  readonly name: 'cpu';
  /** θ of a session (its last maxLen items); undefined for `popularity` bundles, which have no encoder. */
  encode(session: readonly number[], theta?: Float32Array): Float32Array | undefined;
  /**
   * θ of every prefix of a session of at most maxLen items, [length × dim], in one causal pass
   * (what `pnpm eval` uses for a test session's expanded prefixes); undefined for `popularity`.
   */
  encodePrefixes(session: readonly number[]): Float32Array | undefined;
  /**
   * Adds what scoreAll adds after θ·e(i) to scores[offset …]: the bundle's popularity prior, then its
   * repeat head on the session's items (docs/model.md). No-op for bundles with neither; returns whether
   * anything was added.
   */
  addHeadScores(session: readonly number[], scores: Float32Array, offset?: number): boolean;
  /** score_i = θ·e(i) for every item into out (length V): the θ half of scoreAll (no prior, no repeat head). */
  scoreTheta(theta: Float32Array, out: Float32Array): Float32Array;
  /** out[b·V + i] = θ_b·e(i) (no prior, no repeat head) for `count` θs packed in thetas ([count × dim]); one table pass where the kind allows. */
  scoreThetas(thetas: Float32Array, count: number, out: Float32Array): Float32Array;
  /** Threads recommend() is using now (1 until a scoring pool has started; CpuEngineOptions.threads). */
  readonly threads: number;
  /** Resolves with the threads recommend() will use once any scoring pool has started (or closed). */
  readonly threadsReady: Promise<number>;
}

export interface CpuEngineOptions {
  /**
   * Threads for recommend()'s scoring and top-k. 'auto' (default): the device's cores (up to 4) where the
   * page can share memory (crossOriginIsolated) and the catalogue's scoring is large enough to repay the
   * hand-off (parallelWorthIt), else 1. A number forces that many where memory can be shared.
   */
  threads?: number | 'auto';
  /** Starts one scoring worker (default: a module Web Worker of parallel/score-worker.ts). */
  spawnWorker?: () => WorkerLike;
}

/**
 * Scoring work of one query in item-table reads (V·M for compositional codes, V·N for a full table) above
 * which two threads beat one. Measured in Node (parallel/bench/pool.bench.ts): the hand-off costs
 * ~0.05 ms, so a 37k-item compositional catalogue (0.1–0.2 ms of scoring) stays on one thread.
 */
export const PARALLEL_MIN_WORK = 1_000_000;

/** Whether scoring this table on several threads should pay (and the table can). */
export function parallelWorthIt(table: ItemTable, bundle: ModelBundle): boolean {
  if (table.shareScoring === undefined) return false;
  const perItem = bundle.manifest.kind === 'compositional' ? (bundle.manifest.hyper.M as number) : table.dim;
  return table.numItems * perItem >= PARALLEL_MIN_WORK;
}

function defaultSpawn(): WorkerLike {
  return new Worker(new URL('./parallel/score-worker.ts', import.meta.url), {
    type: 'module',
  }) as unknown as WorkerLike;
}

function startPool(
  bundle: ModelBundle,
  table: ItemTable,
  prior: ReturnType<typeof readPriorTerms>,
  options: CpuEngineOptions,
): ScorePool | undefined {
  const requested = options.threads ?? 'auto';
  if (requested !== 'auto' && (!Number.isInteger(requested) || requested < 1))
    throw new RangeError(`threads must be 'auto' or a positive integer, got ${String(requested)}`);
  if (table.shareScoring === undefined || !canShareMemory()) return undefined;
  const spawn = options.spawnWorker ?? (typeof Worker === 'function' ? defaultSpawn : undefined);
  if (spawn === undefined) return undefined;
  const cores = (globalThis.navigator?.hardwareConcurrency as number | undefined) ?? 1;
  const threads =
    requested === 'auto' ? (parallelWorthIt(table, bundle) ? Math.min(4, cores) : 1) : requested;
  if (threads < 2) return undefined;
  const share = table.shareScoring.bind(table);
  return createScorePool({ numItems: table.numItems, prior, threads, spawn, share });
}

export function createCpuEngine(bundle: ModelBundle, options: CpuEngineOptions = {}): CpuScoringEngine {
  const numItems = bundle.manifest.hyper.numItems;
  if (!Number.isInteger(numItems) || numItems < 1) {
    throw new ModelHyperError('numItems', `expected a positive integer, got ${JSON.stringify(numItems)}`);
  }
  const table = createItemTable(bundle);
  const encoder: SessionEncoder | undefined = table.dim === 0 ? undefined : createEncoder(bundle, table);
  const popularOrder = requireTensor(bundle, 'popularity', ['uint32'], [-1]);
  const repeatHead = readRepeatHead(bundle);
  const prior = readPriorTerms(bundle);
  const scratch = new Float32Array(numItems);
  const pool = encoder === undefined ? undefined : startPool(bundle, table, prior, options);
  const emptyTheta = new Float32Array(0);
  let disposed = false;

  const live = (): void => {
    if (disposed) throw new EngineDisposedError();
  };

  function scoreAll(
    session: readonly number[],
    out: Float32Array = new Float32Array(numItems),
  ): Float32Array {
    live();
    if (out.length !== numItems)
      throw new RangeError(`out has length ${out.length}, expected numItems = ${numItems}`);
    if (encoder === undefined) {
      table.scoreAll(emptyTheta, out);
    } else if (session.length === 0) {
      // No clicks yet: rank by the popularity order (score P − position, unlisted items 0).
      out.fill(0);
      const P = popularOrder.length;
      for (let r = 0; r < P; r++) out[popularOrder[r]] = P - r;
    } else {
      table.scoreAll(encoder.encode(session), out);
      addHeadScores(session, out, 0);
    }
    return out;
  }

  function addHeadScores(session: readonly number[], scores: Float32Array, offset: number): boolean {
    if (encoder === undefined || session.length === 0) return false;
    if (prior !== undefined) addPriorTerms(prior, scores, offset);
    if (repeatHead !== undefined)
      addRepeatBoosts(repeatHead, lastClicks(session, encoder.maxLen), scores, offset);
    return prior !== undefined || repeatHead !== undefined;
  }

  function recommendNow(session: readonly number[], options: TopKOptions): ScoredItem[] {
    live();
    if (options === null || typeof options !== 'object')
      throw new TypeError('options must be an object { k, exclude? }');
    validateK(options.k);
    if (pool?.ready && encoder !== undefined && session.length > 0) {
      const theta = encoder.encode(session);
      const b = repeatHead && repeatBoosts(repeatHead, lastClicks(session, encoder.maxLen));
      const boosts = {
        count: b?.count ?? 0,
        indices: b?.indices ?? NO_INDICES,
        values: b?.boosts ?? NO_VALUES,
        scoreWeight: repeatHead ? Math.fround(repeatHead.scoreWeight) : 0,
      };
      const top = pool.recommend(theta, options.k, options.exclude, boosts);
      if (top !== undefined) return top;
    }
    return topK(scoreAll(session, scratch), options.k, options.exclude);
  }

  return {
    name: 'cpu',
    bundle,
    scoreAll,
    encode(session, theta) {
      live();
      return encoder?.encode(session, theta);
    },
    addHeadScores(session, scores, offset = 0) {
      live();
      return addHeadScores(session, scores, offset);
    },
    encodePrefixes(session) {
      live();
      return encoder?.encodePrefixes(session, new Float32Array(session.length * encoder.dim));
    },
    scoreTheta(theta, out) {
      live();
      if (out.length !== numItems)
        throw new RangeError(`out has length ${out.length}, expected numItems = ${numItems}`);
      if (theta.length !== table.dim)
        throw new RangeError(`theta has length ${theta.length}, expected dim = ${table.dim}`);
      table.scoreAll(theta, out);
      return out;
    },
    scoreThetas(thetas, count, out) {
      live();
      const dim = table.dim;
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError(`count must be a non-negative integer, got ${count}`);
      if (dim === 0) throw new RangeError('a popularity bundle has no θ to score');
      if (thetas.length < count * dim)
        throw new RangeError(`thetas has length ${thetas.length}, needs ${count} × ${dim}`);
      if (out.length < count * numItems)
        throw new RangeError(`out has length ${out.length}, needs ${count} × ${numItems}`);
      if (table.scoreMany !== undefined) {
        table.scoreMany(thetas, count, out);
      } else {
        for (let b = 0; b < count; b++) {
          table.scoreAll(
            thetas.subarray(b * dim, (b + 1) * dim),
            out.subarray(b * numItems, (b + 1) * numItems),
          );
        }
      }
      return out;
    },
    recommend(session, options) {
      // Async by interface; errors surface as rejections, like the WebGPU engine's.
      try {
        return Promise.resolve(recommendNow(session, options));
      } catch (err) {
        return Promise.reject(err);
      }
    },
    get threads() {
      return pool?.ready ? pool.threads : 1;
    },
    threadsReady: pool?.started ?? Promise.resolve(1),
    dispose() {
      disposed = true;
      pool?.dispose();
    },
  };
}

const NO_INDICES = new Uint32Array(0);
const NO_VALUES = new Float32Array(0);

/** The window the model reads: the last maxLen clicks (no copy when the session is that short). */
function lastClicks(session: readonly number[], maxLen: number): readonly number[] {
  return session.length > maxLen ? session.slice(-maxLen) : session;
}
