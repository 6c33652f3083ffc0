// What every result row says about its (bundle, engine) pair, and the row of a pair that could not be
// measured (timings NaN, the error kept).
import type { BenchCase, BenchRow } from './types.ts';

export function rowIdentity(benchCase: BenchCase) {
  const { bundle } = benchCase;
  return {
    dataset: bundle.dataset,
    kind: bundle.kind,
    engine: benchCase.engine,
    randomWeights: bundle.random,
    bundleId: bundle.id,
    sessionsSource: benchCase.sessions ? ('test.txt' as const) : ('popularity-sampled' as const),
    bundleBytes: bundle.bundleBytes,
    budgetMs: benchCase.budgetMs,
  };
}

export function failedRow(benchCase: BenchCase, error: string): BenchRow {
  return {
    ...rowIdentity(benchCase),
    byLength: [],
    coldStartMs: NaN,
    warmStartMs: NaN,
    gpuBufferBytes: 0,
    jsHeapBytes: null,
    rowMs: NaN,
    error,
  };
}

/**
 * A row's measuring budget (s): `maxS`, lowered to half of the row's share of the time left when the run
 * falls behind its target (the other half is the row's start-up), never below `minS`.
 */
export function rowBudgetS(leftS: number, rowsLeft: number, maxS: number, minS: number): number {
  return Math.min(maxS, Math.max(minS, leftS / Math.max(1, rowsLeft) / 2));
}
