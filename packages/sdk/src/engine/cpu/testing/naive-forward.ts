// A deliberately naive transcription of docs/model.md for tests: number[][] matrices, no transposes, no
// scratch reuse, no unrolling. It computes x_t for every position of a session in one pass (what
// training does), so comparing it with the engine's per-prefix encode() also checks causality.
import type { ModelBundle } from '../../../bundle/types.ts';

type Mat = number[][];

function tensor(bundle: ModelBundle, name: string): Float32Array {
  const t = bundle.tensors.get(name);
  if (t === undefined) throw new Error(`test bundle lacks ${name}`);
  return t.data as Float32Array;
}

function matrix(bundle: ModelBundle, name: string): Mat {
  const t = bundle.tensors.get(name)!;
  const [rows, cols] = t.shape;
  return Array.from({ length: rows }, (_, r) => Array.from(t.data.subarray(r * cols, (r + 1) * cols)));
}

const vector = (bundle: ModelBundle, name: string): number[] => Array.from(tensor(bundle, name));

function matmul(x: Mat, w: Mat, b?: number[]): Mat {
  return x.map((row) => w[0].map((_, j) => row.reduce((s, v, k) => s + v * w[k][j], b ? b[j] : 0)));
}

function ln(x: Mat, gamma: number[], beta: number[], eps: number): Mat {
  return x.map((row) => {
    const mean = row.reduce((a, b) => a + b, 0) / row.length;
    const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
    return row.map((v, d) => (gamma[d] * (v - mean)) / Math.sqrt(variance + eps) + beta[d]);
  });
}

const add = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((v, j) => v + b[i][j]));

/** e(i) per docs/model.md for `full` and `compositional` bundles (reconstruction, not the LUT). */
export function naiveEmbedding(bundle: ModelBundle, i: number): number[] {
  const N = bundle.manifest.hyper.dim!;
  if (bundle.manifest.kind === 'full')
    return Array.from(tensor(bundle, 'items').subarray(i * N, (i + 1) * N));
  const { M, K } = bundle.manifest.hyper as { M: number; K: number };
  const codes = bundle.tensors.get('codes')!.data;
  const books = tensor(bundle, 'codebooks');
  const e = new Array<number>(N).fill(0);
  for (let m = 0; m < M; m++) {
    const row = (m * K + codes[i * M + m]) * N;
    for (let d = 0; d < N; d++) e[d] += books[row + d];
  }
  return e;
}

/** x_t (after the final layer norm) for every position of a session of at most maxLen items. */
export function naiveHidden(bundle: ModelBundle, session: readonly number[]): Mat {
  const hp = bundle.manifest.hyper;
  const N = hp.dim!;
  const heads = hp.heads!;
  const eps = hp.layerNormEps!;
  const pos = matrix(bundle, 'pos');
  let h: Mat = session.map((s, t) => naiveEmbedding(bundle, s).map((v, d) => hp.embScale! * v + pos[t][d]));
  for (let b = 0; b < hp.blocks!; b++) {
    const p = `block${b}.`;
    const q = ln(h, vector(bundle, `${p}attn_ln.gamma`), vector(bundle, `${p}attn_ln.beta`), eps);
    const Q = matmul(q, matrix(bundle, `${p}attn.wq`), vector(bundle, `${p}attn.bq`));
    const Kmat = matmul(h, matrix(bundle, `${p}attn.wk`), vector(bundle, `${p}attn.bk`));
    const V = matmul(h, matrix(bundle, `${p}attn.wv`), vector(bundle, `${p}attn.bv`));
    const dh = N / heads;
    const O: Mat = h.map(() => new Array<number>(N).fill(0));
    for (let j = 0; j < heads; j++) {
      const sl = (row: number[]): number[] => row.slice(j * dh, (j + 1) * dh);
      for (let t = 0; t < h.length; t++) {
        const logits = Array.from(
          { length: t + 1 },
          (_, u) => sl(Q[t]).reduce((s, v, d) => s + v * sl(Kmat[u])[d], 0) / Math.sqrt(dh),
        );
        const mx = Math.max(...logits);
        const ex = logits.map((l) => Math.exp(l - mx));
        const z = ex.reduce((a, c) => a + c, 0);
        for (let d = 0; d < dh; d++)
          O[t][j * dh + d] = ex.reduce((s, a, u) => s + (a / z) * V[u][j * dh + d], 0);
      }
    }
    h = add(q, matmul(O, matrix(bundle, `${p}attn.wo`), vector(bundle, `${p}attn.bo`)));
    const g = ln(h, vector(bundle, `${p}ffn_ln.gamma`), vector(bundle, `${p}ffn_ln.beta`), eps);
    const hidden = matmul(g, matrix(bundle, `${p}ffn.w1`), vector(bundle, `${p}ffn.b1`)).map((r) =>
      r.map((v) => Math.max(0, v)),
    );
    h = add(g, matmul(hidden, matrix(bundle, `${p}ffn.w2`), vector(bundle, `${p}ffn.b2`)));
  }
  return ln(h, vector(bundle, 'final_ln.gamma'), vector(bundle, 'final_ln.beta'), eps);
}

/** θ of the prefix x_0 … x_{n-1} by the soft-attention readout (EODRec Eq. 3). */
export function naiveReadout(bundle: ModelBundle, x: Mat, n: number): number[] {
  const xs = x.slice(0, n);
  const N = xs[0].length;
  const xbar = [xs[0].map((_, d) => xs.reduce((s, row) => s + row[d], 0) / n)];
  const a = matmul(xbar, matrix(bundle, 'readout.w1'), vector(bundle, 'readout.c'))[0];
  const b = matmul(xs, matrix(bundle, 'readout.w2'));
  const f = vector(bundle, 'readout.f');
  const theta = new Array<number>(N).fill(0);
  xs.forEach((row, t) => {
    const alpha = f.reduce((s, fd, d) => s + fd / (1 + Math.exp(-(a[d] + b[t][d]))), 0);
    row.forEach((v, d) => (theta[d] += alpha * v));
  });
  return theta;
}
