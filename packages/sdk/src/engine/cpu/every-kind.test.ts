// Every bundle kind, through the real codec (random-weight bundles from ../../testing): the engine runs,
// and its all-item scoring path agrees with its per-item embedding path (θ·e(i) for every i).
import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles, type ModelKind } from '../../bundle/index.ts';
import { randomBundleFiles } from '../../testing/random-bundle.ts';
import { createCpuEngine, createItemTable } from './index.ts';

const kinds: ModelKind[] = ['full', 'compositional', 'tt', 'sttd'];

describe('CPU engine on codec bundles of every kind', () => {
  for (const kind of kinds) {
    for (const dtype of ['float32', 'float16'] as const) {
      it(`${kind} (${dtype}): scoreAll = θ·e(i) from embedInto, recommend = its top-k`, async () => {
        const V = 301;
        const N = 16;
        const bundle = await decodeBundleFromFiles(
          await randomBundleFiles(kind, {
            numItems: V,
            dim: N,
            heads: 2,
            blocks: 1,
            maxLen: 10,
            floatDType: dtype,
            seed: 9,
          }),
        );
        const engine = createCpuEngine(bundle);
        const session = [3, 17, 300, 3, 150];
        const scores = Float32Array.from(engine.scoreAll(session));
        const theta = engine.encode(session)!;
        const table = createItemTable(bundle);
        const e = new Float32Array(N);
        let worst = 0;
        for (let i = 0; i < V; i++) {
          table.embedInto(i, e, 0);
          let s = 0;
          for (let d = 0; d < N; d++) s += theta[d] * e[d];
          worst = Math.max(worst, Math.abs(s - scores[i]) / (1 + Math.abs(s)));
        }
        expect(worst).toBeLessThan(1e-5);
        const recs = await engine.recommend(session, { k: 10, exclude: new Set(session) });
        expect(recs).toHaveLength(10);
        expect(recs[0].score).toBe(Math.max(...Array.from(scores).filter((_, i) => !session.includes(i))));
      });
    }
  }

  it('popularity: recommend on an empty session is the stored popularity order', async () => {
    const bundle = await decodeBundleFromFiles(
      await randomBundleFiles('popularity', { numItems: 50, seed: 2 }),
    );
    const order = Array.from(bundle.tensors.get('popularity')!.data.subarray(0, 7));
    expect((await createCpuEngine(bundle).recommend([], { k: 7 })).map((r) => r.index)).toEqual(order);
  });
});
