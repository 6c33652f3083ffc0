import { describe, expect, it } from 'vitest';
import { decodeBundleFromFiles, type ModelKind } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { seededRandom } from '@session-rec/sdk/random';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { rankCases, type RankingCase } from './evaluate.ts';
import { rankCasesWithEngine } from './prefix-groups.ts';

describe('rankCasesWithEngine (prefix sharing)', () => {
  const variants: [ModelKind, number | undefined][] = [
    ['full', undefined],
    ['compositional', undefined],
    ['popularity', undefined],
    ['compositional', 3],
  ];
  for (const [kind, repeatHead] of variants) {
    const name = repeatHead === undefined ? kind : `${kind} with a repeat head`;
    it(`${name}: ranks equal scoring every case alone, across groups, sliding windows and lone cases`, async () => {
      const V = 120;
      const maxLen = 6;
      const engine = createCpuEngine(
        await decodeBundleFromFiles(
          await randomBundleFiles(kind, { numItems: V, dim: 8, heads: 2, maxLen, seed: 5, repeatHead }),
        ),
      );
      const rng = seededRandom(8);
      // A small catalogue share so that sessions repeat items (what the repeat head scores).
      const item = (): number => Math.floor(rng() * (repeatHead === undefined ? V : 12));
      const cases: RankingCase[] = [];
      for (const length of [10, 2, 7, 1, 4, 6]) {
        const session = Array.from({ length: length + 1 }, item);
        for (let n = length; n >= 1; n--) cases.push({ prefix: session.slice(0, n), label: session[n] });
        cases.push({ prefix: [item(), item()], label: item() }); // breaks the run
      }
      const opts = { numItems: V, maxLen };
      let progress = 0;
      const shared = rankCasesWithEngine(cases, engine, { ...opts, onProgress: (done) => (progress = done) });
      expect(Array.from(shared)).toEqual(
        Array.from(rankCases(cases, (s, out) => engine.scoreAll(s, out), opts)),
      );
      expect(progress).toBe(cases.length);
    });
  }
});
