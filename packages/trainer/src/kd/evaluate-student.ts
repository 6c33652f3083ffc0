// The students' validation and test metrics inside the trainer, computed exactly as `pnpm eval` does:
// the model is encoded as a bundle in memory and ranked by the SDK's CPU engine (its tie rule: compressed
// tables produce exact ties, which a plain "count higher scores" rank would score optimistically).
import { MIN_POPULARITY_LENGTH, decodeBundleFromFiles } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import type { RankingCase } from '../eval/evaluate.ts';
import { rankCasesWithEngine } from '../eval/prefix-groups.ts';
import type { SessionModel } from '../model/session-model.ts';
import { encodeModelBundle } from '../train/export-bundle.ts';
import { metricsFromRanks, type Metrics } from '../eval/metrics.ts';

/** Every prefix of every session as a ranking case: s[0..t) → s[t]. */
export function sessionCases(sessions: Int32Array[]): RankingCase[] {
  const cases: RankingCase[] = [];
  for (const s of sessions)
    for (let t = 1; t < s.length; t++) cases.push({ prefix: s.subarray(0, t), label: s[t]! });
  return cases;
}

/**
 * Metrics of `model` exactly as `pnpm eval` would compute them: the model is encoded as a bundle in
 * memory and scored by the SDK's CPU engine (LUT scoring for compositional tables — much faster than
 * tfjs scoring here, and the published number by construction).
 */
export async function evaluateWithCpuEngine(model: SessionModel, cases: RankingCase[]): Promise<Metrics> {
  const V = model.table.numItems;
  const popularity = Uint32Array.from({ length: Math.min(MIN_POPULARITY_LENGTH, V) }, (_, i) => i);
  const files = await encodeModelBundle(model, { popularity, tableDtype: 'float32' });
  const engine = createCpuEngine(await decodeBundleFromFiles(files));
  try {
    return metricsFromRanks(rankCasesWithEngine(cases, engine, { numItems: V, maxLen: model.hyper.maxLen }));
  } finally {
    engine.dispose();
  }
}
