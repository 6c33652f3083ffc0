// CPU time of the evaluator's two ranking paths on the same cases: one case at a time (scoreAll) vs the
// shared-prefix path of `pnpm eval` (one encoder pass per test session, θs scored in batches), and a check
// that the ranks are identical.
//   npx tsx packages/trainer/src/eval/bench/prefix-sharing.bench.ts --bundle <dir> --dataset <dir> [--limit 2000]
import { parseArgs } from 'node:util';
import { loadBundleEvaluation } from '../bundle-cases.ts';
import { rankCases } from '../evaluate.ts';
import { rankCasesWithEngine } from '../prefix-groups.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    dataset: { type: 'string' },
    limit: { type: 'string', default: '2000' },
  },
});
if (values.bundle === undefined || values.dataset === undefined)
  throw new Error('--bundle and --dataset are required');
const { engine, bundle, cases } = await loadBundleEvaluation(
  values.bundle,
  values.dataset,
  Number(values.limit),
);
const opts = { numItems: bundle.manifest.hyper.numItems, maxLen: bundle.manifest.hyper.maxLen };
const u0 = process.cpuUsage().user;
const alone = rankCases(cases, (s, out) => engine.scoreAll(s, out), opts);
const u1 = process.cpuUsage().user;
const shared = rankCasesWithEngine(cases, engine, opts);
const u2 = process.cpuUsage().user;
console.log(
  JSON.stringify({
    bundle: values.bundle,
    kind: bundle.manifest.kind,
    cases: cases.length,
    oneByOneCpuS: Number(((u1 - u0) / 1e6).toFixed(2)),
    sharedPrefixesCpuS: Number(((u2 - u1) / 1e6).toFixed(2)),
    identicalRanks: alone.every((r, i) => r === shared[i]),
  }),
);
