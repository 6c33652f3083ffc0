// Configurations of the tensor-train baselines: the issue's ~30× ones per dataset, ones at the SAME item-table
// bytes as the compositional M=4, K=32 student (so that accuracy is compared at equal size), and a rule
// for any other dataset folder. Sizes are parameter counts (float32 cores: 4 bytes each).
import { sttdGeometry, sttdParamCount, sttdReconstructionMacs } from '@session-rec/sdk/engine/cpu/sttd';
import { ttGeometry, ttParamCount, ttReconstructionMacs } from '@session-rec/sdk/engine/cpu/tt';

export interface TtConfig {
  kind: 'tt';
  p: number[];
  q: number[];
  ranks: number[];
}

export interface SttdConfig {
  kind: 'sttd';
  I: [number, number];
  J: [number, number];
  rank: number;
  t: number;
}

export type TensorTrainConfig = TtConfig | SttdConfig;
export type TensorTrainKind = TensorTrainConfig['kind'];
/** `30x`: the issue's configurations; `equal-bytes`: as many bytes as the compositional M=4, K=32 table. */
export type TensorTrainSize = '30x' | 'equal-bytes';

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** The issue's configurations (issue 5), keyed by dataset name. */
const ISSUE_CONFIGS: Record<string, { tt: TtConfig; sttd: SttdConfig }> = {
  tmall: {
    tt: { kind: 'tt', p: [30, 34, 40], q: [4, 4, 8], ranks: [34, 34] },
    sttd: { kind: 'sttd', I: [169, 241], J: [16, 8], rank: 54, t: 2 },
  },
  retailrocket: {
    tt: { kind: 'tt', p: [25, 37, 40], q: [4, 8, 8], ranks: [32, 32] },
    sttd: { kind: 'sttd', I: [117, 316], J: [16, 16], rank: 100, t: 2 },
  },
};

export function paramCount(c: TensorTrainConfig, numItems: number, dim: number): number {
  return c.kind === 'tt'
    ? ttParamCount(ttGeometry(numItems, dim, c.p, c.q, c.ranks))
    : sttdParamCount(sttdGeometry(numItems, dim, c.I, c.J, c.rank, c.t));
}

export function reconstructionMacs(
  c: TensorTrainConfig,
  numItems: number,
  dim: number,
): { perItem: number; catalogue: number } {
  return c.kind === 'tt'
    ? ttReconstructionMacs(ttGeometry(numItems, dim, c.p, c.q, c.ranks))
    : sttdReconstructionMacs(sttdGeometry(numItems, dim, c.I, c.J, c.rank, c.t));
}

/** Bytes of a compositional item table: codes [V, M] (uint8 for K ≤ 256, else uint16) + float32 codebooks [M, K, N]. */
export function compositionalTableBytes(numItems: number, dim: number, M: number, K: number): number {
  return numItems * M * (K <= 256 ? 1 : 2) + M * K * dim * 4;
}

/** Splits n into d factors as equal as possible (largest first), e.g. 128 → [8, 4, 4]; every factor divides. */
function splitEvenly(n: number, d: number): number[] {
  const out: number[] = [];
  let rest = n;
  for (let k = d; k > 1; k--) {
    let f = Math.max(1, Math.round(Math.pow(rest, 1 / k)));
    while (rest % f !== 0) f--;
    out.push(f);
    rest /= f;
  }
  out.push(rest);
  return out.sort((a, b) => b - a);
}

/** ⌈V^{1/d}⌉-style vocabulary factors with ∏p ≥ V and little padding. */
function coverItems(numItems: number, d: number): number[] {
  const out: number[] = [];
  let rest = numItems;
  for (let k = d; k >= 1; k--) {
    const f = Math.ceil(Math.pow(rest, 1 / k) - 1e-9);
    out.push(f);
    rest = Math.ceil(rest / f);
  }
  return out;
}

/**
 * TT ranks for fixed factors whose parameter count is closest to `budget` (ties: the smaller count),
 * searching nearly equal inner ranks (|R_k − R_1| ≤ 2) — TT-Rec uses one rank for all cores.
 */
export function ttRanksForBudget(
  numItems: number,
  dim: number,
  p: number[],
  q: number[],
  budget: number,
): number[] {
  const d = p.length;
  let best: { ranks: number[]; diff: number; count: number } | null = null;
  for (let base = 1; base <= 512; base++) {
    const deltas = d === 2 ? [[0]] : combos(d - 1, [-2, -1, 0, 1, 2]);
    for (const delta of deltas) {
      const ranks = delta.map((x) => base + x);
      if (ranks.some((r) => r < 1)) continue;
      const count = ttParamCount(ttGeometry(numItems, dim, p, q, ranks));
      const diff = Math.abs(count - budget);
      if (!best || diff < best.diff || (diff === best.diff && count < best.count))
        best = { ranks, diff, count };
    }
    if (ttParamCount(ttGeometry(numItems, dim, p, q, Array(d - 1).fill(base))) > 2 * budget) break;
  }
  return best!.ranks;
}

function combos(n: number, values: number[]): number[][] {
  if (n === 0) return [[]];
  return combos(n - 1, values).flatMap((c) => values.map((v) => [...c, v]));
}

/** The STTD rank (a multiple of t) for fixed I, J whose parameter count is closest to `budget`. */
export function sttdRankForBudget(
  numItems: number,
  dim: number,
  I: [number, number],
  J: [number, number],
  t: number,
  budget: number,
): number {
  let best = t;
  let bestDiff = Infinity;
  for (let rank = t; rank <= 4096; rank += t) {
    const count = sttdParamCount(sttdGeometry(numItems, dim, I, J, rank, t));
    if (Math.abs(count - budget) < bestDiff) {
      best = rank;
      bestDiff = Math.abs(count - budget);
    }
    if (count > budget) break;
  }
  return best;
}

/** Factors for datasets without an issue configuration: d = 3 for TT (ranks fitted to the budget later). */
function generalTtShape(numItems: number, dim: number): TtConfig {
  return { kind: 'tt', p: coverItems(numItems, 3), q: splitEvenly(dim, 3), ranks: [1, 1] };
}

/**
 * STTD for datasets without an issue configuration: t = 2 (the paper's) when N allows, and the balanced J split,
 * the I split (I2 within 2× of √V) and the rank whose parameter count is nearest the budget — with only
 * the rank free, one rank step can be 5% of a small budget.
 */
function generalSttdConfig(numItems: number, dim: number, budget: number): SttdConfig {
  let best: { config: SttdConfig; diff: number } | null = null;
  const root = Math.sqrt(numItems);
  // Balanced J (J1 within 2× of √N): a J1 = 1 split degenerates G1[i1] to a single row.
  for (let J1 = Math.max(1, Math.floor(Math.sqrt(dim) / 2)); J1 <= Math.ceil(Math.sqrt(dim) * 2); J1++) {
    if (dim % J1 !== 0) continue;
    const J2 = dim / J1;
    const t = J2 % 2 === 0 ? 2 : 1;
    for (let I2 = Math.max(1, Math.floor(root / 2)); I2 <= Math.ceil(root * 2); I2++) {
      const I: [number, number] = [Math.ceil(numItems / I2), I2];
      const rank = sttdRankForBudget(numItems, dim, I, [J1, J2], t, budget);
      const diff = Math.abs(sttdParamCount(sttdGeometry(numItems, dim, I, [J1, J2], rank, t)) - budget);
      if (!best || diff < best.diff) best = { config: { kind: 'sttd', I, J: [J1, J2], rank, t }, diff };
    }
  }
  return best!.config;
}

/** The configuration of `kind` at `size` for a dataset (its name picks the issue's factors when known). */
export function tensorTrainConfig(
  kind: TensorTrainKind,
  size: TensorTrainSize,
  dataset: string,
  numItems: number,
  dim: number,
): TensorTrainConfig {
  const known = ISSUE_CONFIGS[dataset.toLowerCase()];
  if (known && size === '30x') return known[kind];
  const budget =
    size === 'equal-bytes' ? compositionalTableBytes(numItems, dim, 4, 32) / 4 : (numItems * dim) / 30;
  if (kind === 'tt') {
    const shape = known ? known.tt : generalTtShape(numItems, dim);
    if (product(shape.q) !== dim) throw new RangeError(`tt: ∏q = ${product(shape.q)} ≠ dim ${dim}; give --q`);
    return { ...shape, ranks: ttRanksForBudget(numItems, dim, shape.p, shape.q, budget) };
  }
  if (!known) return generalSttdConfig(numItems, dim, budget);
  return {
    ...known.sttd,
    rank: sttdRankForBudget(numItems, dim, known.sttd.I, known.sttd.J, known.sttd.t, budget),
  };
}
