// Prints the table of README.md from the saved `pnpm eval --by-repeat` outputs (<dataset>-<model>.eval.json).
//   npx tsx results/student/repeat/make-table.ts
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type M = Record<string, number>;
const here = dirname(fileURLToPath(import.meta.url));
const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
console.log(
  '| dataset | model | P@10 | NDCG@10 | repeat cases: P@10 | NDCG@10 | new-item cases: P@10 | NDCG@10 |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const file of readdirSync(here)
  .filter((n) => n.endsWith('.eval.json'))
  .sort()) {
  const [dataset, ...model] = file.replace('.eval.json', '').split('-');
  const r = JSON.parse(readFileSync(join(here, file), 'utf8')) as M & { repeat?: M; newItem?: M };
  console.log(
    `| ${dataset} | ${model.join('-')} | ${f(r['P@10'])} | ${f(r['NDCG@10'])} | ${f(r.repeat?.['P@10'])} | ` +
      `${f(r.repeat?.['NDCG@10'])} | ${f(r.newItem?.['P@10'])} | ${f(r.newItem?.['NDCG@10'])} |`,
  );
}
