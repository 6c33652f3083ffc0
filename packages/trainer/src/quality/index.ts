// The quality table (`pnpm quality`): every bundle's bytes, compression and four kinds of quality, cached
// evaluations, the Pareto front of bytes against what the shop's strip shows.
export { readBundleRef, storageKind, type BundleRef } from './bundle-ref.ts';
export { listDatasetBundles, readCandidates, type BundleListing } from './bundle-list.ts';
export { benchLatency, LATENCY_CLICKS } from './bench-latency.ts';
export {
  cacheFile,
  cachedEvaluations,
  readCachedEval,
  EVAL_MODES,
  EVAL_MODE_NAMES,
  type CachedEval,
  type EvalMode,
  type EvalOutput,
} from './eval-cache.ts';
export { QualityInputError } from './errors.ts';
export { eq11Ratio, isItemTableTensor, itemTableParameters } from './parameter-count.ts';
export { paretoChart, paretoFront, type ParetoPoint } from './pareto.ts';
export { markdownTable, qualityRow, teacherName, type QualityRow } from './quality-rows.ts';
export { qualityReadme } from './readme.ts';
export {
  runQuality,
  writeQualityOutputs,
  type DatasetResult,
  type QualityOptions,
  type QualityReport,
} from './run-quality.ts';
