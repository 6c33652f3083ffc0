import { describe, expect, it } from 'vitest';
import { seededRandom } from '@session-rec/sdk/random';
import {
  accumulateExploreGradient,
  CodebookAdam,
  type CodebookModel,
  type ExploreCase,
} from './refine-codebooks.ts';

function randomModel(seed: number, withPrior = false): CodebookModel {
  const rng = seededRandom(seed);
  const numItems = 40;
  const M = 2;
  const K = 4;
  const dim = 3;
  return {
    numItems,
    M,
    K,
    dim,
    codes: Uint8Array.from({ length: numItems * M }, () => Math.floor(rng() * K)),
    codebooks: Float32Array.from({ length: M * K * dim }, () => rng() - 0.5),
    ...(withPrior ? { prior: Float32Array.from({ length: numItems }, () => 2 * rng()) } : {}),
  };
}

function lossOf(model: CodebookModel, c: ExploreCase): number {
  const scratch = new Float64Array(model.numItems + 2 * model.M * model.K);
  return accumulateExploreGradient(model, c, new Float64Array(model.codebooks.length), scratch);
}

describe('codebook refinement (explore softmax)', () => {
  const theta = Float32Array.from([0.7, -1.2, 0.4]);
  const c: ExploreCase = { theta, exclude: [3, 9, 17], label: 5 };

  for (const withPrior of [false, true]) {
    it(`loss = −log softmax over the items outside the session, from e(i) = Σ_m codebooks[m, code]${withPrior ? ' plus the prior' : ''}`, () => {
      const model = randomModel(1, withPrior);
      const { numItems: V, M, K, dim, codes, codebooks, prior } = model;
      const score = (i: number) => {
        let s = prior?.[i] ?? 0;
        for (let m = 0; m < M; m++)
          for (let d = 0; d < dim; d++) s += theta[d] * codebooks[(m * K + codes[i * M + m]) * dim + d];
        return s;
      };
      let total = 0;
      for (let i = 0; i < V; i++) if (!c.exclude.includes(i)) total += Math.exp(score(i));
      expect(lossOf(model, c)).toBeCloseTo(-Math.log(Math.exp(score(c.label)) / total), 10);
    });

    it(`the gradient matches finite differences${withPrior ? ' (with a prior)' : ''}`, () => {
      const model = randomModel(2, withPrior);
      const grad = new Float64Array(model.codebooks.length);
      accumulateExploreGradient(model, c, grad, new Float64Array(model.numItems + 2 * model.M * model.K));
      const h = 1e-3;
      for (let j = 0; j < model.codebooks.length; j++) {
        const keep = model.codebooks[j];
        model.codebooks[j] = keep + h;
        const up = lossOf(model, c);
        model.codebooks[j] = keep - h;
        const down = lossOf(model, c);
        model.codebooks[j] = keep;
        expect(grad[j]).toBeCloseTo((up - down) / (2 * h), 3);
      }
    });
  }

  it('Adam steps lower the loss of the cases they see', () => {
    const model = randomModel(3);
    const cases: ExploreCase[] = [
      c,
      { theta, exclude: [], label: 11 },
      { theta: Float32Array.from([-1, 0.2, 0.9]), exclude: [11], label: 30 },
    ];
    const before = cases.reduce((s, x) => s + lossOf(model, x), 0);
    const adam = new CodebookAdam(model, 0.05);
    const scratch = new Float64Array(model.numItems + 2 * model.M * model.K);
    for (let step = 0; step < 50; step++) {
      const grad = new Float64Array(model.codebooks.length);
      for (const x of cases) accumulateExploreGradient(model, x, grad, scratch);
      adam.step(grad, cases.length);
    }
    const after = cases.reduce((s, x) => s + lossOf(model, x), 0);
    expect(after).toBeLessThan(before * 0.7);
  });
});
