// Prints the table of README.md from run.sh's outputs (<dataset>-<kind>.json: `pnpm eval --exclude-seen
// --by-repeat`) next to each bundle's protocol metrics (its manifest's, = `pnpm eval`), and writes strip.svg.
//   npx tsx results/exclude-seen/make-table.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupedBars } from '../../experiments/svg.ts';

type Metrics = Record<string, number>;
type Output = Metrics & { repeat: Metrics; newItem: Metrics };

const here = dirname(fileURLToPath(import.meta.url));
const models = join(here, '../../apps/demo-shop/public/models');
const KINDS = ['compositional', 'teacher', 'tt', 'sttd', 'popularity'];
const DATASETS = ['tmall', 'retailrocket'];
const f = (x: number) => x.toFixed(2);

const chart = DATASETS.map((dataset) => ({ name: dataset, values: [] as number[] }));
console.log(
  '| bundle | protocol P@10 | NDCG@10 | strip P@10 (all cases) | NDCG@10 | new-item cases | strip P@10 (new-item cases) | NDCG@10 | P@20 |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
DATASETS.forEach((dataset, d) => {
  for (const kind of KINDS) {
    const file = join(here, `${dataset}-${kind}.json`);
    if (!existsSync(file)) {
      chart[d]!.values.push(NaN);
      continue;
    }
    const out = JSON.parse(readFileSync(file, 'utf8')) as Output;
    const manifest = JSON.parse(
      readFileSync(join(models, `${dataset}-${kind}`, 'manifest.json'), 'utf8'),
    ) as {
      metrics: Metrics;
    };
    const share = (100 * out.newItem.cases!) / out.cases!;
    console.log(
      `| ${dataset}-${kind} | ${f(manifest.metrics['P@10']!)} | ${f(manifest.metrics['NDCG@10']!)} | ${f(out['P@10']!)} | ${f(out['NDCG@10']!)} | ${out.newItem.cases!.toLocaleString('en-US')} (${share.toFixed(1)} %) | **${f(out.newItem['P@10']!)}** | ${f(out.newItem['NDCG@10']!)} | ${f(out.newItem['P@20']!)} |`,
    );
    chart[d]!.values.push(out.newItem['P@10']!);
  }
});
writeFileSync(
  join(here, 'strip.svg'),
  groupedBars(
    'What the strip shows: P@10 of new-item cases, session items excluded',
    KINDS,
    chart,
    'P@10 (%)',
  ),
);
