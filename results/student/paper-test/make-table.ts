// Prints the table of README.md from the saved evaluations (<name>-eta<η>.eval.json, `pnpm eval --by-repeat`).
//   npx tsx results/student/paper-test/make-table.ts
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type M = Record<string, number>;
const here = dirname(fileURLToPath(import.meta.url));
const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
console.log(
  '| student | η at test | item table on the device | P@10 | NDCG@10 | repeat cases: P@10 | new-item cases: P@10 |',
);
console.log('|---|---:|---|---:|---:|---:|---:|');
const rows = readdirSync(here)
  .map((n) => /^(.*)-eta([\d.]+)\.eval\.json$/.exec(n))
  .filter((m): m is RegExpExecArray => m !== null)
  .sort((a, b) => a[1]!.localeCompare(b[1]!) || Number(a[2]) - Number(b[2]));
for (const [file, name, eta] of rows) {
  const r = JSON.parse(readFileSync(join(here, file), 'utf8')) as M & { repeat?: M; newItem?: M };
  const table =
    Number(eta) === 0 ? 'codes + codebooks (compressed)' : 'full teacher table too (not compressed)';
  console.log(
    `| ${name} | ${eta} | ${table} | ${f(r['P@10'])} | ${f(r['NDCG@10'])} | ${f(r.repeat?.['P@10'])} | ${f(r.newItem?.['P@10'])} |`,
  );
}
