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
