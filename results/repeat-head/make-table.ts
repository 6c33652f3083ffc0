// Prints the tables of README.md from the reports of `pnpm train repeat-head` (<bundle>.json) and writes
// the chart repeat-head.svg (test P@10 and NDCG@10 of every bundle without and with its head).
//   npx tsx results/repeat-head/make-table.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupedBars } from '../../experiments/svg.ts';

type M = Record<string, number>;
interface Report {
  dataset: string;
  kind: string;
  out: string;
  validation: { withoutHead: M; withHead: M };
  test: {
    withoutHead: M;
    withHead: M;
    withLikelihoodHead?: M;
    withPriorOnly?: M;
    repeatCases: { withoutHead: M; withHead: M };
    newItemCases: { withoutHead: M; withPriorOnly?: M; withHead: M };
  };
  head: { recency: number[]; countWeight: number; repeatShareWeight: number; scoreWeight: number };
  prior?: { chosen: { weight: number; depth: number; halfLifeSessions: number } | null } | null;
  parameters?: { itemTable: number; head: number; ratioEq11: number; ratioEq11WithHead: number };
}

const here = dirname(fileURLToPath(import.meta.url));
const f = (x: number) => x.toFixed(2);
const opt = (x: number | undefined) => (x === undefined ? '—' : f(x));
const reports = readdirSync(here)
  .filter((n) => n.endsWith('.json'))
  .sort()
  .map((n) => JSON.parse(readFileSync(join(here, n), 'utf8')) as Report);

console.log(
  '| bundle | test P@10 | NDCG@10 | with head: P@10 | NDCG@10 | prior only: P@10 | likelihood head: P@10 | NDCG@10 | repeat cases P@10 | new-item cases P@10 (prior only) | validation P@10 |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of reports) {
  const t = r.test;
  const name = r.out.split('/').pop()!;
  const newPrior = t.newItemCases.withPriorOnly?.['P@10'];
  console.log(
    `| ${name} | ${f(t.withoutHead['P@10'])} | ${f(t.withoutHead['NDCG@10'])} | **${f(t.withHead['P@10'])}** | ` +
      `**${f(t.withHead['NDCG@10'])}** | ${opt(t.withPriorOnly?.['P@10'])} | ${opt(t.withLikelihoodHead?.['P@10'])} | ${opt(t.withLikelihoodHead?.['NDCG@10'])} | ${f(t.repeatCases.withoutHead['P@10'])} → ${f(t.repeatCases.withHead['P@10'])} | ` +
      `${f(t.newItemCases.withoutHead['P@10'])} → ${f(t.newItemCases.withHead['P@10'])}${newPrior === undefined ? '' : ` (${f(newPrior)})`} | ` +
      `${f(r.validation.withoutHead['P@10'])} → ${f(r.validation.withHead['P@10'])} |`,
  );
}
console.log(
  '\n| bundle | prior: weight | depth | half-life (sessions) | item-table parameters | head parameters | Eq.-11 ratio | counting the head |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of reports) {
  const c = r.prior?.chosen;
  const p = r.parameters;
  console.log(
    `| ${r.out.split('/').pop()} | ${c ? c.weight : 'none'} | ${c ? c.depth : '—'} | ${c ? c.halfLifeSessions || 'no decay' : '—'} | ` +
      `${p ? p.itemTable.toLocaleString('en-US') : '—'} | ${p ? p.head.toLocaleString('en-US') : '—'} | ${p ? f(p.ratioEq11) : '—'} | ${p ? f(p.ratioEq11WithHead) : '—'} |`,
  );
}
console.log('\n| bundle | recency biases r = 0 … | countWeight | repeatShareWeight | scoreWeight |');
console.log('|---|---|---:|---:|---:|');
for (const r of reports) {
  const h = r.head;
  console.log(
    `| ${r.out.split('/').pop()} | ${h.recency.map((x) => x.toFixed(2)).join(', ')} | ${f(h.countWeight)} | ` +
      `${f(h.repeatShareWeight)} | ${f(h.scoreWeight)} |`,
  );
}

const names = reports.map((r) => r.out.split('/').pop()!.replace('retailrocket', 'rr'));
writeFileSync(
  join(here, 'repeat-head.svg'),
  groupedBars(
    'Test P@10 and NDCG@10 without / with the repeat head (full test sets, CPU engine = pnpm eval)',
    names,
    [
      { name: 'P@10', values: reports.map((r) => r.test.withoutHead['P@10']) },
      { name: 'P@10 + head', values: reports.map((r) => r.test.withHead['P@10']) },
      { name: 'NDCG@10', values: reports.map((r) => r.test.withoutHead['NDCG@10']) },
      { name: 'NDCG@10 + head', values: reports.map((r) => r.test.withHead['NDCG@10']) },
    ],
    'percent',
  ),
);
