// The three evaluations of the quality table from ONE scoring pass: each case's θ·e scores are ranked as
// they are (`pnpm eval --by-repeat --no-head`), then the bundle's head is added in place and the same
// scores are ranked over all items (`--by-repeat`) and over the items outside the prefix
// (`--exclude-seen --by-repeat`). The head added to θ·e is exactly what the engine scores with
// (scoreCasesWithEngine's own path), so each result equals its `pnpm eval` run; a third of the time.
import { loadBundleEvaluation } from './bundle-cases.ts';
import { labelRank } from './evaluate.ts';
import { DEFAULT_CUTOFFS, MetricAccumulator } from './metrics.ts';
import { scoreCasesWithEngine } from './prefix-groups.ts';
import type { TensorTrainRows } from './tensor-train-rows.ts';

export const THREE_WAYS = ['protocol', 'theta', 'strip'] as const;
export type EvaluationWay = (typeof THREE_WAYS)[number];

export interface SplitMetrics {
  metrics: Record<string, number>;
  repeat: Record<string, number>;
  newItem: Record<string, number>;
}

export async function evaluateBundleThreeWays(opts: {
  bundleDir: string;
  datasetDir: string;
  limit?: number;
  rows?: TensorTrainRows;
  onProgress?: (done: number, total: number) => void;
}): Promise<Record<EvaluationWay, SplitMetrics>> {
  const { bundle, engine, cases } = await loadBundleEvaluation(
    opts.bundleDir,
    opts.datasetDir,
    opts.limit,
    opts.rows,
  );
  const { numItems, maxLen } = bundle.manifest.hyper;
  const acc = () => ({
    all: new MetricAccumulator(DEFAULT_CUTOFFS),
    repeat: new MetricAccumulator(DEFAULT_CUTOFFS),
    newItem: new MetricAccumulator(DEFAULT_CUTOFFS),
  });
  const parts = { protocol: acc(), theta: acc(), strip: acc() };
  const all = { numItems, maxLen };
  const excluding = { numItems, maxLen, excludeSeen: true };
  const hasHead = bundle.manifest.kind !== 'popularity';
  const add = (way: EvaluationWay, repeat: boolean, rank: number) => {
    parts[way].all.add(rank);
    (repeat ? parts[way].repeat : parts[way].newItem).add(rank);
  };
  try {
    scoreCasesWithEngine(
      cases,
      engine,
      { ...all, head: false, onProgress: opts.onProgress },
      (c, session, scores, offset) => {
        const kase = cases[c]!;
        const repeat = Array.prototype.includes.call(kase.prefix, kase.label);
        add('theta', repeat, labelRank(scores, kase, all, offset));
        if (hasHead) engine.addHeadScores(session, scores, offset);
        add('protocol', repeat, labelRank(scores, kase, all, offset));
        add('strip', repeat, labelRank(scores, kase, excluding, offset));
      },
    );
  } finally {
    engine.dispose();
  }
  const result = (p: ReturnType<typeof acc>): SplitMetrics => ({
    metrics: p.all.result(),
    repeat: p.repeat.result(),
    newItem: p.newItem.result(),
  });
  return { protocol: result(parts.protocol), theta: result(parts.theta), strip: result(parts.strip) };
}
