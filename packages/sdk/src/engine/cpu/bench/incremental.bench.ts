// Node timing of recommend() as a shop calls it: a session replayed one click at a time through
// engine.recommend(session, { k: 20, exclude: session }), so each call after the first is the previous
// session plus one click (what the engine's incremental encoder serves). Reports p50 at 5 and 50 clicks
// on shipped compositional bundles, and compositional scoring + top-k of a 1,000,000-item catalogue.
//   npx tsx packages/sdk/src/engine/cpu/bench/incremental.bench.ts [--sessions 200] [--bundle dir …]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { readBundleDir } from '../../../bundle/node.ts';
import type { ModelBundle } from '../../../bundle/types.ts';
import { topK } from '../../topk.ts';
import { createCpuEngine } from '../engine.ts';
import { randomCompositionalBundle, seededRng } from '../testing/random-model.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200' },
    bundle: {
      type: 'string',
      multiple: true,
      default: [
        'apps/demo-shop/public/models/retailrocket-compositional',
        'apps/demo-shop/public/models/tmall-compositional',
      ],
    },
    'no-1m': { type: 'boolean', default: false },
  },
});
const sessions = Number(values.sessions);

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => x.toFixed(3);

async function replay(label: string, bundle: ModelBundle): Promise<void> {
  const engine = createCpuEngine(bundle);
  const V = bundle.manifest.hyper.numItems;
  const rng = seededRng(5);
  const at: number[][] = Array.from({ length: 51 }, () => []);
  const warm = Math.max(5, Math.floor(sessions / 10));
  for (let s = 0; s < sessions + warm; s++) {
    const session: number[] = [];
    const seen = new Set<number>();
    for (let n = 1; n <= 50; n++) {
      // Shoppers go back to items: a third of clicks repeat one of the session's items.
      const item =
        session.length > 0 && rng() < 0.33
          ? session[Math.floor(rng() * session.length)]
          : Math.floor(rng() * V);
      session.push(item);
      seen.add(item);
      const t0 = performance.now();
      await engine.recommend(session, { k: 20, exclude: seen });
      const ms = performance.now() - t0;
      if (s >= warm) at[n].push(ms);
    }
  }
  console.log(
    `| ${label} | ${fmt(p50(at[1]))} | ${fmt(p50(at[5]))} | ${fmt(p50(at[14]))} | ${fmt(p50(at[50]))} |`,
  );
}

console.log(
  `Node ${process.version}; load average ${loadavg()[0].toFixed(2)}; ${sessions} sessions of 50 clicks`,
);
console.log('| bundle | p50 ms at 1 click | 5 clicks | 14 clicks | 50 clicks |');
console.log('|---|---:|---:|---:|---:|');
for (const dir of values.bundle) {
  const bundle = await readBundleDir(dir);
  const h = bundle.manifest.hyper;
  await replay(`${dir.split('/').pop()} (V = ${h.numItems}, M = ${h.M}, K = ${h.K})`, bundle);
}

if (!values['no-1m']) {
  // The e2e scale bundle's shape (webgpu-scale.spec.ts): V = 1M, N = 64, M = 4, K = 256.
  const rng = seededRng(31);
  const V = 1_000_000;
  const big = randomCompositionalBundle(rng, {
    numItems: V,
    dim: 64,
    heads: 1,
    blocks: 1,
    maxLen: 50,
    M: 4,
    K: 256,
  });
  const engine = createCpuEngine(big);
  const out = new Float32Array(V);
  const times: number[] = [];
  const scoreTimes: number[] = [];
  for (let r = 0; r < 60; r++) {
    const theta = Float32Array.from({ length: 64 }, () => rng() * 2 - 1);
    const exclude = new Set([1, 2, 3, 4, 5]);
    const t0 = performance.now();
    engine.scoreTheta(theta, out);
    const t1 = performance.now();
    topK(out, 20, exclude);
    const t2 = performance.now();
    if (r >= 10) {
      times.push(t2 - t0);
      scoreTimes.push(t1 - t0);
    }
  }
  const rtimes: number[] = [];
  for (let r = 0; r < 60; r++) {
    const session = [Math.floor(rng() * V), Math.floor(rng() * V), Math.floor(rng() * V)];
    const t0 = performance.now();
    await engine.recommend(session, { k: 20, exclude: new Set(session) });
    if (r >= 10) rtimes.push(performance.now() - t0);
  }
  console.log(
    `1M items (N = 64, M = 4, K = 256): score + top-20 p50 ${fmt(p50(times))} ms (score ${fmt(p50(scoreTimes))} ms); recommend (3 clicks, fresh sessions) p50 ${fmt(p50(rtimes))} ms`,
  );
}
console.log(`load average at the end: ${loadavg()[0].toFixed(2)}`);
