// Each KD term against a plain-JS re-computation on random inputs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { infoNce } from './contrastive.ts';
import { recombine } from './recombine.ts';
import { softTargetKl, softTargetKlFromTables } from './soft-targets.ts';
import { setFullSoftmaxTableGradient } from '../train/full-softmax.ts';
import { hotColdRepresentations, maskedPrefixReadout, type ReadoutWeights } from './sub-session.ts';

// Tests run on the pure-JS cpu backend (deterministic, no wasm init).
beforeAll(async () => {
  await tf.setBackend('cpu');
});

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 0.5, 'float32', seed);
}
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Naive Eq. 3 restricted to selected positions u ≤ t. */
function naiveReadout(
  x: number[][],
  sel: number[],
  t: number,
  w: { w1: number[][]; w2: number[][]; c: number[]; f: number[] },
): number[] {
  const N = x[0].length;
  const idx = [];
  for (let u = 0; u <= t; u++) if (sel[u]) idx.push(u);
  const theta = new Array(N).fill(0);
  if (idx.length === 0) return theta;
  const mean = new Array(N).fill(0);
  for (const u of idx) for (let n = 0; n < N; n++) mean[n] += x[u][n] / idx.length;
  for (const u of idx) {
    let a = 0;
    for (let n = 0; n < N; n++) {
      let z = w.c[n];
      for (let k = 0; k < N; k++) z += mean[k] * w.w1[k][n] + x[u][k] * w.w2[k][n];
      a += w.f[n] * sigmoid(z);
    }
    for (let n = 0; n < N; n++) theta[n] += a * x[u][n];
  }
  return theta;
}

describe('maskedPrefixReadout / hotColdRepresentations (Eq. 18)', () => {
  it('equals the naive per-prefix readout over the selected positions', () => {
    const B = 3,
      L = 6,
      N = 5;
    const x = rand([B, L, N], 1) as tf.Tensor3D;
    const w: ReadoutWeights = {
      w1: rand([N, N], 2) as tf.Tensor2D,
      w2: rand([N, N], 3) as tf.Tensor2D,
      c: rand([N], 4) as tf.Tensor1D,
      f: rand([N], 5) as tf.Tensor1D,
    };
    const valid = [
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
      [1, 1, 1, 1, 0, 0],
    ];
    const hot = [
      [1, 0, 0, 1, 1, 0],
      [0, 0, 0, 1, 1, 1], // only cold among the valid positions
      [1, 1, 0, 1, 1, 1],
    ];
    const reps = hotColdRepresentations(x, tf.tensor2d(valid), tf.tensor2d(hot), w);
    const all = maskedPrefixReadout(x, tf.tensor2d(valid), w);
    const xs = x.arraySync();
    const wj = {
      w1: w.w1.arraySync(),
      w2: w.w2.arraySync(),
      c: Array.from(w.c.dataSync()),
      f: Array.from(w.f.dataSync()),
    };
    const got = { hot: reps.hot.arraySync(), cold: reps.cold.arraySync(), all: all.theta.arraySync() };
    const hotCount = reps.hotCount.arraySync();
    for (let b = 0; b < B; b++) {
      const hotSel = hot[b].map((h, t) => h * valid[b][t]);
      const coldSel = hot[b].map((h, t) => (1 - h) * valid[b][t]);
      for (let t = 0; t < L; t++) {
        if (!valid[b][t]) continue;
        const expectHot = naiveReadout(xs[b], hotSel, t, wj);
        const expectCold = naiveReadout(xs[b], coldSel, t, wj);
        const expectAll = naiveReadout(xs[b], valid[b], t, wj);
        for (let n = 0; n < N; n++) {
          expect(got.hot[b][t][n]).toBeCloseTo(expectHot[n], 4);
          expect(got.cold[b][t][n]).toBeCloseTo(expectCold[n], 4);
          expect(got.all[b][t][n]).toBeCloseTo(expectAll[n], 4);
        }
        expect(hotCount[b][t]).toBe(hotSel.slice(0, t + 1).reduce((a, c) => a + c, 0));
      }
    }
  });
});

describe('recombine (Eq. 19)', () => {
  it('swaps the cold parts; a prefix without cold items swaps its hot parts', () => {
    const th = tf.tensor2d([[1], [2]]);
    const tc = tf.tensor2d([[3], [0]]);
    const sh = tf.tensor2d([[5], [6]]);
    const sc = tf.tensor2d([[7], [0]]);
    const { zTeacher, zStudent } = recombine(th, tc, sh, sc, tf.tensor1d([1, 0]));
    expect(zTeacher.arraySync()).toEqual([
      [1, 7],
      [6, 0],
    ]);
    expect(zStudent.arraySync()).toEqual([
      [5, 3],
      [2, 0],
    ]);
  });
});

describe('infoNce (Eq. 20)', () => {
  it('equals the naive InfoNCE with cosine similarity and temperature, with same-group negatives removed', () => {
    const P = 5,
      D = 6,
      N = 4,
      tau = 0.2;
    const zt = rand([P, D], 7) as tf.Tensor2D;
    const zs = rand([P, D], 8) as tf.Tensor2D;
    const wt = rand([D, N], 9) as tf.Tensor2D;
    const ws = rand([D, N], 10) as tf.Tensor2D;
    const group = Int32Array.from([0, 0, 1, 2, 2]);
    const a = tf.matMul(zt, wt).arraySync() as number[][];
    const b = tf.matMul(zs, ws).arraySync() as number[][];
    const cos = (u: number[], v: number[]) => {
      const dot = u.reduce((s, x, i) => s + x * v[i], 0);
      return dot / Math.hypot(...u) / Math.hypot(...v);
    };
    const expected = (useGroup: boolean) => {
      let loss = 0;
      for (let s = 0; s < P; s++) {
        const pos = Math.exp(cos(a[s], b[s]) / tau);
        let denom = 0;
        for (let j = 0; j < P; j++)
          if (j === s || !useGroup || group[j] !== group[s]) denom += Math.exp(cos(a[s], b[j]) / tau);
        loss += -Math.log(pos / denom);
      }
      return loss / P;
    };
    expect(infoNce(zt, zs, wt, ws, tau).dataSync()[0]).toBeCloseTo(expected(false), 4);
    expect(infoNce(zt, zs, wt, ws, tau, group).dataSync()[0]).toBeCloseTo(expected(true), 4);
    expect(() => infoNce(zt, zs, wt, ws, 0)).toThrow(RangeError);
  });

  it('is lower when the two views agree', () => {
    const zt = rand([8, 6], 11) as tf.Tensor2D;
    const w = rand([6, 6], 12) as tf.Tensor2D;
    const agree = infoNce(zt, zt, w, w, 0.2).dataSync()[0];
    const disagree = infoNce(zt, rand([8, 6], 13) as tf.Tensor2D, w, w, 0.2).dataSync()[0];
    expect(agree).toBeLessThan(disagree);
  });
});

describe('softTargetKl (Eq. 21–22)', () => {
  it('equals Σ p_t log(p_t / p_s), averaged over rows, and is 0 for identical logits', () => {
    const t = rand([3, 7], 14) as tf.Tensor2D;
    const s = rand([3, 7], 15) as tf.Tensor2D;
    const tl = t.arraySync();
    const sl = s.arraySync();
    let expected = 0;
    for (let r = 0; r < 3; r++) {
      const zt = tl[r].reduce((a, v) => a + Math.exp(v), 0);
      const zs = sl[r].reduce((a, v) => a + Math.exp(v), 0);
      for (let v = 0; v < 7; v++) {
        const pt = Math.exp(tl[r][v]) / zt;
        const ps = Math.exp(sl[r][v]) / zs;
        expected += (pt * Math.log(pt / ps)) / 3;
      }
    }
    expect(softTargetKl(t, s).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(softTargetKl(t, t).dataSync()[0]).toBeCloseTo(0, 6);
  });
});

describe('softTargetKlFromTables', () => {
  for (const order of ['probs-transposed', 'theta-transposed'] as const)
    it(`value and gradients (${order} table gradient) equal autodiff of softTargetKl on θ·tableᵀ`, () => {
      setFullSoftmaxTableGradient(order);
      const tTheta = tf.variable(rand([4, 3], 20) as tf.Tensor2D);
      const tTable = tf.variable(rand([9, 3], 21) as tf.Tensor2D);
      const sTheta = tf.variable(rand([4, 3], 22) as tf.Tensor2D);
      const sTable = tf.variable(rand([9, 3], 23) as tf.Tensor2D);
      const vars = [tTheta, tTable, sTheta, sTable];
      const fast = tf.variableGrads(() => softTargetKlFromTables(tTheta, tTable, sTheta, sTable), vars);
      const slow = tf.variableGrads(
        () => softTargetKl(tf.matMul(tTheta, tTable, false, true), tf.matMul(sTheta, sTable, false, true)),
        vars,
      );
      expect(fast.value.dataSync()[0]).toBeCloseTo(slow.value.dataSync()[0], 5);
      for (const v of vars) {
        const a = fast.grads[v.name].dataSync();
        const b = slow.grads[v.name].dataSync();
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
        expect(Array.from(a).some((x) => Math.abs(x) > 1e-4)).toBe(true);
      }
      setFullSoftmaxTableGradient('probs-transposed');
    });
});
