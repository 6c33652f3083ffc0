// Node timing of the CPU engine at the paper's Tmall scale (V = 40,728, N = 128, 1 block, 1 head):
// recommend() (encode + score all items + top-20) for `full` and `compositional` (M = 4, K = 32),
// with the time split into encode / scoreAll / top-k. Random weights: timing does not depend on them.
//   npx tsx packages/sdk/src/engine/cpu/bench/recommend.bench.ts [--items 40728] [--dim 128] [--runs 200]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ModelBundle } from '../../../bundle/types.ts';
import { createCpuEngine } from '../engine.ts';
import { createItemTable } from '../item-tables/registry.ts';
import { topK } from '../../topk.ts';
import { randomCompositionalBundle, randomFullBundle, seededRng } from '../testing/random-model.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '40728' },
    dim: { type: 'string', default: '128' },
    runs: { type: 'string', default: '200' },
  },
});
const numItems = Number(values.items);
const dim = Number(values.dim);
const runs = Number(values.runs);
const shape = { numItems, dim, heads: 1, blocks: 1, maxLen: 50 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bench(label: string, bundle: ModelBundle, sessionLength: number): Promise<void> {
  const engine = createCpuEngine(bundle);
  const table = createItemTable(bundle);
  const rng = seededRng(sessionLength);
  const sessions = Array.from({ length: runs }, () =>
    Array.from({ length: sessionLength }, () => Math.floor(rng() * numItems)),
  );
  for (let w = 0; w < 30; w++) await engine.recommend(sessions[w % runs], { k: 20 });
  const total: number[] = [];
  const encodeMs: number[] = [];
  const scoreMs: number[] = [];
  const topkMs: number[] = [];
  const out = new Float32Array(numItems);
  const theta = new Float32Array(dim);
  for (const s of sessions) {
    const t0 = performance.now();
    await engine.recommend(s, { k: 20, exclude: new Set(s) });
    total.push(performance.now() - t0);
    // Split, measured separately on the same session.
    const t1 = performance.now();
    engine.encode(s, theta);
    const t2 = performance.now();
    table.scoreAll(theta, out);
    const t3 = performance.now();
    topK(out, 20, new Set(s));
    const t4 = performance.now();
    encodeMs.push(t2 - t1);
    scoreMs.push(t3 - t2);
    topkMs.push(t4 - t3);
  }
  for (const xs of [total, encodeMs, scoreMs, topkMs]) xs.sort((a, b) => a - b);
  const fmt = (x: number): string => x.toFixed(2);
  console.log(
    `| ${label} | ${sessionLength} | ${fmt(percentile(total, 50))} | ${fmt(percentile(total, 95))} | ${fmt(percentile(total, 99))} | ${fmt(total[0])} | ${fmt(percentile(encodeMs, 50))} | ${fmt(percentile(scoreMs, 50))} | ${fmt(percentile(topkMs, 50))} |`,
  );
}

const rng = seededRng(1);
const full = randomFullBundle(rng, shape);
const comp = randomCompositionalBundle(rng, { ...shape, M: 4, K: 32 });
// The machine may be shared: the load average says how much the numbers are worth.
const load = (): string => loadavg()[0].toFixed(1);
console.log(
  `V = ${numItems}, N = ${dim}, 1 block, 1 head, k = 20, ${runs} sessions after 30 warm-up; Node ${process.version}; load average ${load()}`,
);
console.log(
  '| bundle | session length | recommend p50 ms | p95 ms | p99 ms | min ms | encode p50 ms | score all items p50 ms | top-k p50 ms |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const len of [1, 14, 50]) {
  await bench('full', full, len);
  await bench('compositional M=4 K=32', comp, len);
}
console.log(`load average at the end: ${load()}`);
