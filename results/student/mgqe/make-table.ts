// Prints the tables of README.md from run.sh's outputs (<dataset>-<variant>.bytes.json: the report of
// `pnpm train compact`; .eval.json: `pnpm eval --by-repeat`) and
// writes mgqe.svg (test P@10 against the bytes of the code matrix, one line per dataset).
//   npx tsx results/student/mgqe/make-table.ts
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lines } from '../../../experiments/svg.ts';

interface Sizes {
  bytes: number;
  codesBytes: number;
  mgqe?: {
    tailK: number;
    headFraction: number;
    headItems: number;
    tailItems: number;
    moved: number;
    relativeSquaredError: number;
  };
}
type Metrics = Record<string, number> & { repeat: Record<string, number>; newItem: Record<string, number> };

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../..');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(here, name), 'utf8')) as T;

/** The shipped bundle's sizes, measured on its folder (run.sh writes no .bytes.json for it). */
function shippedSizes(dataset: string): Sizes {
  const dir = join(root, 'apps/demo-shop/public/models', `${dataset}-compositional`);
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    tensors: { name: string; byteLength: number }[];
  };
  return { bytes, codesBytes: manifest.tensors.find((t) => t.name === 'codes')!.byteLength };
}

const f = (x: number) => x.toFixed(2);
const n = (x: number) => x.toLocaleString('en-US');
const chart: { name: string; points: [number, number][] }[] = [];
for (const dataset of ['tmall', 'retailrocket']) {
  const variants = readdirSync(here)
    .filter((name) => name.startsWith(`${dataset}-`) && name.endsWith('.eval.json'))
    .map((name) => name.slice(dataset.length + 1, -'.eval.json'.length));
  // shipped first, then by size of the code matrix, largest first
  const rows = variants.map((v) => {
    const sizes = v === 'shipped' ? shippedSizes(dataset) : read<Sizes>(`${dataset}-${v}.bytes.json`);
    return { v, sizes, m: read<Metrics>(`${dataset}-${v}.eval.json`) };
  });
  rows.sort(
    (a, b) =>
      Number(b.v === 'shipped') - Number(a.v === 'shipped') ||
      b.sizes.codesBytes - a.sizes.codesBytes ||
      a.sizes.bytes - b.sizes.bytes,
  );
  const base = rows.find((r) => r.v === 'shipped');
  console.log(`\n## ${dataset}\n`);
  console.log(
    '| variant | K_tail | head items | tail items moved | rel. error of moved | code bytes | bundle bytes | P@10 | NDCG@10 | new-item P@10 | repeat P@10 |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { v, sizes, m } of rows) {
    const q = sizes.mgqe;
    const delta =
      base && v !== 'shipped'
        ? ` (${m['P@10'] - base.m['P@10'] >= 0 ? '+' : ''}${f(m['P@10'] - base.m['P@10'])})`
        : '';
    console.log(
      `| ${v} | ${q ? q.tailK : '—'} | ${q ? n(q.headItems) : '—'} | ${q ? `${n(q.moved)} of ${n(q.tailItems)}` : '—'} | ` +
        `${q ? f(q.relativeSquaredError) : '—'} | ${n(sizes.codesBytes)} | ${n(sizes.bytes)} | ${f(m['P@10'])}${delta} | ` +
        `${f(m['NDCG@10'])} | ${f(m.newItem['P@10'])} | ${f(m.repeat['P@10'])} |`,
    );
  }
  // The chart: the code-matrix trade-off at the MGQE default head (10 %), float32 weights.
  const curve = rows.filter(({ v }) => v === 'shipped' || v === 'packed' || /^mgqe-k\d+$/.test(v));
  chart.push({
    name: dataset,
    points: curve
      .map(({ sizes, m }) => [sizes.codesBytes / 1024, m['P@10']] as [number, number])
      .sort((a, b) => a[0] - b[0]),
  });
}
if (!existsSync(join(here, 'tmall-shipped.eval.json')))
  throw new Error('run results/student/mgqe/run.sh first');
writeFileSync(
  join(here, 'mgqe.svg'),
  lines('MGQE tail codes: test P@10 (with head) vs code-matrix size', chart, 'code matrix (KiB)', 'P@10'),
);
