// The evaluator: protocol metrics (metrics.ts), the reusable ranking loop (evaluate.ts) and the
// bundle × dataset evaluation behind `pnpm eval` (evaluate-bundle.ts).
export {
  DEFAULT_CUTOFFS,
  MetricAccumulator,
  metricNames,
  metricsFromRanks,
  rankOfLabel,
  roundMetrics,
  type Metrics,
} from './metrics.ts';
export {
  evaluateRanking,
  modelSession,
  rankCases,
  type EvaluateOptions,
  type RankingCase,
  type ScoreAllFn,
} from './evaluate.ts';
export {
  rankCasesWithEngine,
  scoreCasesWithEngine,
  type ScoreCasesOptions,
  type ScoredCaseVisitor,
} from './prefix-groups.ts';
export {
  evaluateBundle,
  evaluateThroughCpuEngine,
  type BundleMetrics,
  type EvaluateBundleOptions,
} from './evaluate-bundle.ts';
export { EvalInputError } from './errors.ts';
export { evaluateBundleThreeWays, THREE_WAYS, type EvaluationWay, type SplitMetrics } from './three-ways.ts';
