// Issue 20's table from what results/refresh/run.sh copied to results/refresh/: per bundle (stale, refresh
// with the new period only, refresh with all data, the shipped full retrain), the protocol metrics with
// the head, the strip's new-item metrics, each stage's minutes, and the share of the stale → full gap a
// refresh recovers. The stale bundle is scored on stale/'s test set (it cannot rank the new items); every
// metric counts a miss as 0, so its number on the full test set is metric × its cases ÷ the full set's.
//   npx tsx experiments/refresh-table.ts retailrocket|tmall   (prints markdown)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Metrics = Record<string, number> & { cases: number };
type Eval = Metrics & { repeat?: Metrics; newItem?: Metrics };

const dataset = process.argv[2];
if (!dataset) throw new Error('usage: refresh-table.ts <dataset>');
const dir = 'results/refresh';
const read = (name: string): Eval => {
  const file = join(dir, `${dataset}-eval-${name}.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run results/refresh/run.sh ${dataset} first`);
  return JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop()!) as Eval;
};
const timings = new Map(
  readFileSync(join(dir, `${dataset}-timings.tsv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t') as [string, string])
    .map(([stage, s]) => [stage, Number(s) / 60] as const),
);

const full = { protocol: read('refresh-all'), strip: read('refresh-all-strip') };
/** The stale bundle's metrics on the full test set (see the header). */
function scaleStale(m: Metrics, allCases: number): Metrics {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m))
    if (typeof v === 'number' && k !== 'cases') out[k] = (v * m.cases) / allCases;
  return { ...out, cases: allCases } as Metrics;
}
const staleProtocol = read('stale');
const staleStrip = read('stale-strip');
const rows = [
  {
    name: 'stale (first 90 %)',
    protocol: scaleStale(staleProtocol, full.protocol.cases),
    stripNew: scaleStale(staleStrip.newItem!, full.strip.newItem!.cases),
    minutes: ['stale-teacher', 'stale-student', 'stale-head'].reduce(
      (s, k) => s + (timings.get(k) ?? NaN),
      0,
    ),
    what: 'teacher + student + head on stale/',
  },
  ...(['new-period', 'all'] as const).map((v) => ({
    name: `refresh (${v === 'all' ? 'previous + new period' : 'new period only'})`,
    protocol: read(`refresh-${v}`),
    stripNew: read(`refresh-${v}-strip`).newItem!,
    minutes: timings.get(`refresh-${v}`) ?? NaN,
    what: `pnpm train refresh --dataset ${v}/`,
  })),
  {
    name: 'full retrain (shipped bundle)',
    protocol: read('shipped'),
    stripNew: read('shipped-strip').newItem!,
    minutes: NaN,
    what: 'the shipped pipeline on 100 %',
  },
];
const [stale, , , retrain] = rows;
const recovered = (x: number, s: number, f: number) =>
  f === s ? '—' : `${((100 * (x - s)) / (f - s)).toFixed(0)} %`;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const lines = [
  `| ${dataset} | minutes | P@10 | NDCG@10 | P@20 | MRR@20 | strip new-item P@10 | strip new-item NDCG@10 | gap recovered: P@20 / strip NDCG@10 |`,
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ...rows.map(
    (r) =>
      `| ${r.name} | ${f2(r.minutes)} | ${f2(r.protocol['P@10']!)} | ${f2(r.protocol['NDCG@10']!)} | ${f2(r.protocol['P@20']!)} | ${f2(r.protocol['MRR@20']!)} | ${f2(r.stripNew['P@10']!)} | ${f2(r.stripNew['NDCG@10']!)} | ` +
      (r === stale || r === retrain
        ? ''
        : `${recovered(r.protocol['P@20']!, stale!.protocol['P@20']!, retrain!.protocol['P@20']!)} / ${recovered(r.stripNew['NDCG@10']!, stale!.stripNew['NDCG@10']!, retrain!.stripNew['NDCG@10']!)}`) +
      ' |',
  ),
  '',
  `Test cases: ${full.protocol.cases} (stale/: ${staleProtocol.cases}); strip new-item cases: ${full.strip.newItem!.cases} (stale/: ${staleStrip.newItem!.cases}).`,
];
console.log(lines.join('\n'));
