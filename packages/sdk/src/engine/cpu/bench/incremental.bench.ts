// Node timing of recommend() as a shop calls it: a session replayed one click at a time through
// engine.recommend(session, { k: 20, exclude: session }), so each call after the first is the previous
// session plus one click (what the incremental encoder serves). p50 at 1 / 5 / 14 / 50 clicks on the shipped
// compositional bundles, then compositional scoring + top-20 of a 1,000,000-item catalogue (the shape of
// e2e/webgpu-scale.spec.ts: N = 64, M = 4, K = 256).
//   npx tsx packages/sdk/src/engine/cpu/bench/incremental.bench.ts [--sessions 60] [--bundle dir …]
//     [--baseline <an older packages/sdk/src>]   (alternates the two engines call by call: before/after in one run)
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readBundleDir } from '../../../bundle/node.ts';
import type { ModelBundle } from '../../../bundle/types.ts';
import { topK } from '../../topk.ts';
import type { ScoredItem } from '../../types.ts';
import { createCpuEngine } from '../engine.ts';
import { spawnNodeScoreWorker, untilThreads } from '../parallel/testing/node-worker.ts';
import { randomCompositionalBundle, seededRng } from '../testing/random-model.ts';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '60' },
    bundle: {
      type: 'string',
      multiple: true,
      default: [
        'apps/demo-shop/public/models/retailrocket-compositional',
        'apps/demo-shop/public/models/tmall-compositional',
      ],
    },
    baseline: { type: 'string' },
    'no-1m': { type: 'boolean', default: false },
  },
});
const sessions = Number(values.sessions);

interface Subject {
  recommend(
    session: readonly number[],
    o: { k: number; exclude?: ReadonlySet<number> },
  ): Promise<ScoredItem[]>;
  scoreTheta(theta: Float32Array, out: Float32Array): Float32Array;
}
type Factory = (b: ModelBundle) => Subject;
type TopK = (scores: ArrayLike<number>, k: number, exclude?: ReadonlySet<number>) => ScoredItem[];
const subjects: { name: string; create: Factory; topK: TopK }[] = [];
if (values.baseline !== undefined) {
  const root = resolve(values.baseline);
  const engine = (await import(`${root}/engine/cpu/engine.ts`)) as { createCpuEngine: Factory };
  const tk = (await import(`${root}/engine/topk.ts`)) as { topK: TopK };
  subjects.push({ name: 'before', create: engine.createCpuEngine, topK: tk.topK });
}
subjects.push({ name: values.baseline === undefined ? 'now' : 'after', create: createCpuEngine, topK });

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => x.toFixed(3);
const lengths = [1, 5, 14, 50];

async function replay(label: string, bundle: ModelBundle): Promise<void> {
  const engines = subjects.map((s) => s.create(bundle));
  const V = bundle.manifest.hyper.numItems;
  const rng = seededRng(5);
  const at = subjects.map(() => lengths.map((): number[] => []));
  const warm = 5;
  for (let s = 0; s < sessions + warm; s++) {
    const session: number[] = [];
    for (let n = 1; n <= 50; n++) {
      // A third of the clicks go back to an item of the session (shoppers do; the repeat head sees it).
      session.push(
        session.length > 0 && rng() < 0.33
          ? session[Math.floor(rng() * session.length)]
          : Math.floor(rng() * V),
      );
      const exclude = new Set(session);
      for (let e = 0; e < engines.length; e++) {
        const t0 = performance.now();
        await engines[e].recommend(session, { k: 20, exclude });
        const ms = performance.now() - t0;
        const li = lengths.indexOf(n);
        if (s >= warm && li >= 0) at[e][li].push(ms);
      }
    }
  }
  subjects.forEach((sub, e) =>
    console.log(`| ${label} | ${sub.name} | ${at[e].map((xs) => fmt(p50(xs))).join(' | ')} |`),
  );
}

console.log(
  `Node ${process.version}; load average ${loadavg()[0].toFixed(1)}; ${sessions} sessions of 50 clicks after 5 warm-up`,
);
console.log(
  `| bundle | engine | ${lengths.map((n) => `p50 ms at ${n} click${n > 1 ? 's' : ''}`).join(' | ')} |`,
);
console.log(`|---|---|${lengths.map(() => '---:').join('|')}|`);
for (const dir of values.bundle) {
  const bundle = await readBundleDir(dir);
  const h = bundle.manifest.hyper;
  await replay(`${dir.split('/').pop()} (V = ${h.numItems}, N = ${h.dim}, M = ${h.M}, K = ${h.K})`, bundle);
}

if (!values['no-1m']) {
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
  const engines = subjects.map((s) => s.create(big));
  const out = new Float32Array(V);
  const res = subjects.map(() => ({ score: [] as number[], topk: [] as number[], total: [] as number[] }));
  for (let r = 0; r < 70; r++) {
    const theta = Float32Array.from({ length: 64 }, () => rng() * 2 - 1);
    const exclude = new Set([1, 2, 3, 4, 5]);
    for (let e = 0; e < engines.length; e++) {
      const t0 = performance.now();
      engines[e].scoreTheta(theta, out);
      const t1 = performance.now();
      subjects[e].topK(out, 20, exclude);
      const t2 = performance.now();
      if (r >= 10) {
        res[e].score.push(t1 - t0);
        res[e].topk.push(t2 - t1);
        res[e].total.push(t2 - t0);
      }
    }
  }
  subjects.forEach((sub, e) =>
    console.log(
      `1M items (N = 64, M = 4, K = 256), ${sub.name}: score + top-20 p50 ${fmt(p50(res[e].total))} ms (score ${fmt(p50(res[e].score))}, top-k ${fmt(p50(res[e].topk))})`,
    ),
  );
  // The whole recommend() (3-click sessions) on 1 thread and on every core (engine/cpu/parallel, Node
  // worker_threads standing in for Web Workers), alternating call by call.
  const threads = Math.min(4, availableParallelism());
  const one = createCpuEngine(big, { threads: 1 });
  const many = createCpuEngine(big, { threads, spawnWorker: spawnNodeScoreWorker });
  await untilThreads(many);
  const t = { one: [] as number[], many: [] as number[] };
  for (let r = 0; r < 70; r++) {
    const session = [r, (r * 7919) % V, (r * 104729) % V];
    const exclude = new Set(session);
    for (const [name, e] of [
      ['one', one],
      ['many', many],
    ] as const) {
      const t0 = performance.now();
      await e.recommend(session, { k: 20, exclude });
      if (r >= 10) t[name].push(performance.now() - t0);
    }
  }
  console.log(
    `1M items recommend() p50: ${fmt(p50(t.one))} ms on 1 thread, ${fmt(p50(t.many))} ms on ${many.threads} (${(p50(t.one) / p50(t.many)).toFixed(2)}×)`,
  );
  one.dispose();
  many.dispose();
}
console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);
