// A model bundle as one ONNX graph (docs/model.md "ONNX export"): the forward pass of the SDK's CPU engine
// (packages/sdk/src/engine/cpu/encoder.ts, item-tables/*, popularity-prior.ts, repeat-head.ts) written with
// opset-17 operators, so that ONNX Runtime (Web, Mobile) gives the scores scoreAll(session) gives.
//   input  items  int64 [L]   the session's last L ≤ maxLen internal item indices, oldest first, L ≥ 1
//   output scores float32 [V] θ·e(i) + popularity prior + repeat head
//   output theta  float32 [N] (not for `popularity` bundles, which have no encoder)
// The bundle reader has already unpacked bit-packed codes and widened float16; float16 weights are written
// back as float16 with a Cast (exact, and ONNX Runtime folds the Cast at load), so the file stays as small.
// tt / sttd rows are rebuilt from the cores inside the graph, never stored: for the session's items per
// call, and for the catalogue by a subgraph of constants only — ONNX Runtime's constant folding computes
// that table once, when the session is created (the file stays the size of the cores).
import type { ModelBundle } from '@session-rec/sdk/bundle';
import { encodeFloat16 } from '@session-rec/sdk/bundle';
import { createCpuEngine } from '@session-rec/sdk/engine/cpu';
import { readRepeatHead } from '@session-rec/sdk/engine/repeat-head';
import { readPriorTerms } from '@session-rec/sdk/engine/popularity-prior';
import { GraphBuilder } from './graph.ts';

export interface ExportOnnxOptions {
  /** Stored in the model's doc string (default: the bundle kind and content version). */
  docString?: string;
}

/** Thrown for a bundle kind the export does not cover. */
export class OnnxExportError extends Error {
  override name = 'OnnxExportError';
}

type Tensor = { dtype: string; shape: number[]; data: ArrayLike<number> };

/** The serialized ONNX model (opset 17) of a decoded bundle; throws the engine's errors for a malformed one. */
export function exportOnnx(bundle: ModelBundle, options: ExportOnnxOptions = {}): Uint8Array {
  const { manifest } = bundle;
  // The CPU engine's checks (every tensor's dtype and shape, hyper-parameters): one set of rules.
  createCpuEngine(bundle).dispose();
  const V = manifest.hyper.numItems;
  const g = new GraphBuilder();
  const items = g.input('items', 'int64', ['L']);
  const doc = options.docString ?? `session-rec ${manifest.kind} bundle ${manifest.version}`;
  if (manifest.kind === 'popularity') {
    g.output('scores', weight(g, bundle, 'counts'), 'float32', [V]);
    return g.encode('session-rec-popularity', doc);
  }
  const table = itemTable(g, bundle);
  if (table === undefined)
    throw new OnnxExportError(`bundle kind ${String(manifest.kind)} has no ONNX export`);
  const ctx = sessionShape(g, items);
  const theta = encoder(g, bundle, table.embed(items), ctx);
  let scores = table.scoreAll(theta);
  scores = popularityPrior(g, bundle, scores);
  scores = repeatHead(g, bundle, items, scores, ctx);
  g.output('scores', scores, 'float32', [V]);
  g.output('theta', theta, 'float32', [manifest.hyper.dim!]);
  return g.encode(`session-rec-${manifest.kind}`, doc);
}

/** Values of the session length used by several parts: L (scalar int64 and [1]), 0 … L−1, u > t. */
interface SessionShape {
  length1: string;
  length: string;
  /** [L, L] bool: future[t, u] = u > t (what causal attention masks, and "clicked after"). */
  future: string;
}

function sessionShape(g: GraphBuilder, items: string): SessionShape {
  const length1 = g.node('Shape', [items], {}, 'L1');
  const length = g.node('Squeeze', [length1, g.ints('axis0', [0])], {}, 'L');
  const positions = g.node(
    'Range',
    [g.ints('zero', [0], true), length, g.ints('one', [1], true)],
    {},
    'positions',
  );
  const t = g.node('Unsqueeze', [positions, g.ints('axis1', [1])]);
  const u = g.node('Unsqueeze', [positions, 'axis0']);
  return { length1, length, future: g.node('Greater', [u, t], {}, 'future') };
}

/**
 * A float tensor of the bundle as a constant, optionally re-laid out (`data`, `dims`): float32, or float16
 * plus a Cast when the bundle stores it as float16 (widening is exact, so the values are the engine's).
 */
function weight(
  g: GraphBuilder,
  bundle: ModelBundle,
  name: string,
  dims?: number[],
  data?: Float32Array,
): string {
  const t = bundle.tensors.get(name) as Tensor;
  const values = data ?? Float32Array.from(t.data);
  const shape = dims ?? t.shape;
  // Named after the bundle tensor, apart from the graph's own names (the `full` table is `items` too).
  const constant = `bundle/${name}`;
  if (t.dtype !== 'float16') return g.constant(constant, shape, values);
  const half = g.constant(`${constant}.f16`, shape, encodeFloat16(values), true);
  return g.node('Cast', [half], { to: 1 }, constant);
}

// ---- item tables: e(i) of the session's items, and θ·e(i) for every item ----

interface OnnxItemTable {
  /** [n] int64 item indices → [n, N] rows. */
  embed(indices: string): string;
  /** θ [N] → [V] scores. */
  scoreAll(theta: string): string;
}

function itemTable(g: GraphBuilder, bundle: ModelBundle): OnnxItemTable | undefined {
  const hyper = bundle.manifest.hyper;
  const V = hyper.numItems;
  const N = hyper.dim!;
  switch (bundle.manifest.kind) {
    case 'full': {
      const rows = weight(g, bundle, 'items');
      return {
        embed: (indices) => g.node('Gather', [rows, indices], { axis: 0 }),
        scoreAll: (theta) => g.node('MatMul', [rows, theta], {}, 'scores_theta'),
      };
    }
    case 'compositional': {
      // LUT offsets m·K + codes[i, m] (int64 [V, M]) from the stored uint8/uint16 codes: folded at load.
      const M = hyper.M!;
      const K = hyper.K!;
      const codes = bundle.tensors.get('codes')!;
      const stored = g.constant('codes', [V, M], codes.data as Uint8Array | Uint16Array);
      const wide = g.node('Cast', [stored], { to: 7 });
      const offsets = g.node(
        'Add',
        [
          wide,
          g.ints(
            'codebook_offsets',
            Array.from({ length: M }, (_, m) => m * K),
          ),
        ],
        {},
        'lut_offsets',
      );
      const codebooks = weight(g, bundle, 'codebooks', [M * K, N]);
      const sumAxis = g.ints('axis1_', [1]);
      return {
        // e(i) = Σ_m codebooks[m, codes[i, m]] (Eq. 10)
        embed: (indices) =>
          g.node(
            'ReduceSum',
            [g.node('Gather', [codebooks, g.node('Gather', [offsets, indices])]), sumAxis],
            {
              keepdims: 0,
            },
          ),
        // LightRec: T[m·K + k] = θ·codebooks[m, k], score_i = Σ_m T[offsets[i, m]]
        scoreAll: (theta) => {
          const lut = g.node('MatMul', [codebooks, theta], {}, 'lut');
          return g.node(
            'ReduceSum',
            [g.node('Gather', [lut, offsets]), sumAxis],
            { keepdims: 0 },
            'scores_theta',
          );
        },
      };
    }
    case 'tt':
      return ttTable(g, bundle);
    case 'sttd':
      return sttdTable(g, bundle);
    default:
      return undefined;
  }
}

/**
 * A table whose rows are rebuilt from cores: `grid` is the whole index grid's rows ([∏ radix, N], built from
 * constants only, so ONNX Runtime folds it into a constant when the session is created), cut to V rows.
 */
function rebuiltTable(
  g: GraphBuilder,
  V: number,
  embed: (indices: string) => string,
  grid: string,
): OnnxItemTable {
  const catalogue = g.node(
    'Slice',
    [grid, g.ints('grid_start', [0]), g.ints('grid_end', [V]), 'axis0'],
    {},
    'catalogue',
  );
  return { embed, scoreAll: (theta) => g.node('MatMul', [catalogue, theta], {}, 'scores_theta') };
}

/**
 * Tensor train (docs/model.md). Cores are written slice-major, [p_k, R_k, q_k·R_{k+1}], so that a Gather
 * on axis 0 gives S_k = core_k[:, i_k]. Session items: digits i_k of the mixed-radix index pick the slices,
 * and the row is the chain product, left to right, as partial products [n, q_0⋯q_{k−1}, R_k].
 * Catalogue: the same chain over every digit at once, so each prefix (i_0 … i_k) is computed once (as the
 * CPU engine's scan does): P [p_0⋯p_{k−1} · q_0⋯q_{k−1}, R_k] · core_k as [R_k, p_k · q_k · R_{k+1}], one
 * matrix product per stage, then (items, q) axes regrouped to keep the item index first-digit-major.
 */
function ttTable(g: GraphBuilder, bundle: ModelBundle): OnnxItemTable {
  const hyper = bundle.manifest.hyper;
  const p = hyper.ttP!;
  const q = hyper.ttQ!;
  const R = [1, ...hyper.ttRanks!, 1];
  const d = p.length;
  const cores = p.map((pk, k) => {
    const core = bundle.tensors.get(`tt.core${k}`)!.data;
    const width = q[k] * R[k + 1];
    const sliceMajor = new Float32Array(core.length);
    for (let r = 0; r < R[k]; r++)
      for (let i = 0; i < pk; i++)
        for (let x = 0; x < width; x++)
          sliceMajor[(i * R[k] + r) * width + x] = core[(r * pk + i) * width + x];
    return weight(g, bundle, `tt.core${k}`, [pk, R[k], width], sliceMajor);
  });
  const embed = (indices: string) => {
    let stride = p.reduce((a, b) => a * b, 1);
    let partial = '';
    let rows = 1;
    for (let k = 0; k < d; k++) {
      stride /= p[k];
      let digit = g.node('Div', [indices, g.ints(`tt_stride${k}`, [stride], true)]);
      if (k > 0) digit = g.node('Mod', [digit, g.ints(`tt_p${k}`, [p[k]], true)]);
      const slice = g.node('Gather', [cores[k], digit], { axis: 0 }, `tt_slice${k}`);
      partial = k === 0 ? slice : g.node('MatMul', [partial, slice]);
      rows *= q[k];
      partial = g.node('Reshape', [partial, g.ints(`tt_shape${k}`, [-1, rows, R[k + 1]])]);
    }
    return g.node('Reshape', [partial, g.ints('tt_row', [-1, rows])], {}, 'tt_rows');
  };
  // grid: [A · Q, R_k] with A = p_0⋯p_{k−1} items and Q = q_0⋯q_{k−1} columns
  let grid = g.node('Reshape', [cores[0], g.ints('tt_grid0', [p[0] * q[0], R[1]])]);
  let [A, Q] = [p[0], q[0]];
  for (let k = 1; k < d; k++) {
    const rankMajor = g.node('Reshape', [
      g.node('Transpose', [cores[k]], { perm: [1, 0, 2] }),
      g.ints(`tt_rank_major${k}`, [R[k], p[k] * q[k] * R[k + 1]]),
    ]);
    const product = g.node('Reshape', [
      g.node('MatMul', [grid, rankMajor]),
      g.ints(`tt_grid_split${k}`, [A, Q, p[k], q[k], R[k + 1]]),
    ]);
    [A, Q] = [A * p[k], Q * q[k]];
    grid = g.node('Reshape', [
      g.node('Transpose', [product], { perm: [0, 2, 1, 3, 4] }),
      g.ints(`tt_grid${k}`, [A * Q, R[k + 1]]),
    ]);
  }
  grid = g.node('Reshape', [grid, g.ints('tt_grid', [A, Q])], {}, 'tt_grid');
  return rebuiltTable(g, hyper.numItems, embed, grid);
}

/**
 * Semi-tensor train (docs/model.md): e(i) = vec(G1[i1] · (G2[i2] ⊗ I_t)). With the cores re-laid out as
 * A[i1] [J1·t, R/t] (A[i1][j1·t + b, r] = g1[i1·J1 + j1, r·t + b]) and B[i2] [R/t, J2/t]
 * (B[i2][r, c] = g2[r, i2·(J2/t) + c]), A[i1] · B[i2] holds entry (j1, b, c) of the row, which is read
 * as n = j1·J2 + c·t + b: a transpose of the last two axes. Catalogue: the whole product
 * A [I1·J1·t, R/t] · B as [R/t, I2·J2/t] at once (X = G1 ⋉ G2), axes regrouped to (i1, i2, j1, c, b).
 */
function sttdTable(g: GraphBuilder, bundle: ModelBundle): OnnxItemTable {
  const hyper = bundle.manifest.hyper;
  const [I1, I2] = hyper.sttdI!;
  const [J1, J2] = hyper.sttdJ!;
  const R = hyper.sttdRank!;
  const t = hyper.sttdT!;
  const rHalf = R / t;
  const cols = J2 / t;
  const g1 = bundle.tensors.get('sttd.g1')!.data;
  const g2 = bundle.tensors.get('sttd.g2')!.data;
  const a = new Float32Array(g1.length);
  for (let row = 0; row < I1 * J1; row++)
    for (let r = 0; r < rHalf; r++)
      for (let b = 0; b < t; b++) a[(row * t + b) * rHalf + r] = g1[row * R + r * t + b];
  const bT = new Float32Array(g2.length);
  for (let i2 = 0; i2 < I2; i2++)
    for (let r = 0; r < rHalf; r++)
      for (let c = 0; c < cols; c++) bT[(i2 * rHalf + r) * cols + c] = g2[r * I2 * cols + i2 * cols + c];
  const coreA = weight(g, bundle, 'sttd.g1', [I1, J1 * t, rHalf], a);
  const coreB = weight(g, bundle, 'sttd.g2', [I2, rHalf, cols], bT);
  const embed = (indices: string) => {
    const radix = g.ints('sttd_I2', [I2], true);
    const i1 = g.node('Div', [indices, radix]);
    const i2 = g.node('Mod', [indices, radix]);
    const block = g.node('MatMul', [g.node('Gather', [coreA, i1]), g.node('Gather', [coreB, i2])]);
    const split = g.node('Reshape', [block, g.ints('sttd_split', [-1, J1, t, cols])]);
    const swapped = g.node('Transpose', [split], { perm: [0, 1, 3, 2] });
    return g.node('Reshape', [swapped, g.ints('sttd_row', [-1, J1 * J2])], {}, 'sttd_rows');
  };
  const aFlat = g.node('Reshape', [coreA, g.ints('sttd_a_flat', [I1 * J1 * t, rHalf])]);
  const bFlat = g.node('Reshape', [
    g.node('Transpose', [coreB], { perm: [1, 0, 2] }),
    g.ints('sttd_b_flat', [rHalf, I2 * cols]),
  ]);
  const whole = g.node('Reshape', [
    g.node('MatMul', [aFlat, bFlat]),
    g.ints('sttd_whole_split', [I1, J1, t, I2, cols]),
  ]);
  const grid = g.node('Reshape', [
    g.node('Transpose', [whole], { perm: [0, 3, 1, 4, 2] }),
    g.ints('sttd_grid', [I1 * I2, J1 * J2]),
  ]);
  return rebuiltTable(g, hyper.numItems, embed, grid);
}

// ---- encoder: session → θ (docs/model.md "Encoder") ----

function encoder(g: GraphBuilder, bundle: ModelBundle, embedded: string, ctx: SessionShape): string {
  const hyper = bundle.manifest.hyper;
  const N = hyper.dim!;
  const heads = hyper.heads!;
  const headDim = N / heads;
  const eps = hyper.layerNormEps!;
  const w = (name: string) => weight(g, bundle, name);
  const ln = (x: string, prefix: string) =>
    g.node('LayerNormalization', [x, w(`${prefix}.gamma`), w(`${prefix}.beta`)], {
      axis: -1,
      epsilon: { float: eps },
    });
  const linear = (x: string, wName: string, bName?: string) => {
    const y = g.node('MatMul', [x, w(wName)]);
    return bName === undefined ? y : g.node('Add', [y, w(bName)]);
  };

  // h_t = embScale · e(s_t) + pos[t]
  const pos = g.node('Slice', [w('pos'), g.ints('slice_start', [0]), ctx.length1, 'axis0'], {}, 'pos_L');
  let h = g.node(
    'Add',
    [g.node('Mul', [embedded, g.floats('embScale', [hyper.embScale!], true)]), pos],
    {},
    'h0',
  );
  const headShape = g.ints('head_shape', [-1, heads, headDim]);
  const flatShape = g.ints('flat_shape', [-1, N]);
  const scale = g.floats('attn_scale', [1 / Math.sqrt(headDim)], true);
  const masked = g.floats('masked', [-Infinity], true);
  for (let b = 0; b < hyper.blocks!; b++) {
    const p = `block${b}.`;
    const q = ln(h, `${p}attn_ln`);
    // [L, N] → [heads, L, N/heads]: contiguous slices of N per head
    const split = (x: string, perm: number[]) =>
      g.node('Transpose', [g.node('Reshape', [x, headShape])], { perm });
    const Q = split(linear(q, `${p}attn.wq`, `${p}attn.bq`), [1, 0, 2]);
    const Kt = split(linear(h, `${p}attn.wk`, `${p}attn.bk`), [1, 2, 0]);
    const Vh = split(linear(h, `${p}attn.wv`, `${p}attn.bv`), [1, 0, 2]);
    const logits = g.node('Mul', [g.node('MatMul', [Q, Kt]), scale]);
    const attn = g.node('Softmax', [g.node('Where', [ctx.future, masked, logits])], { axis: -1 });
    const heads = g.node('Transpose', [g.node('MatMul', [attn, Vh])], { perm: [1, 0, 2] });
    const o = g.node('Reshape', [heads, flatShape]);
    h = g.node('Add', [q, linear(o, `${p}attn.wo`, `${p}attn.bo`)]);
    const gn = ln(h, `${p}ffn_ln`);
    const hidden = g.node('Relu', [linear(gn, `${p}ffn.w1`, `${p}ffn.b1`)]);
    h = g.node('Add', [gn, linear(hidden, `${p}ffn.w2`, `${p}ffn.b2`)]);
  }
  const x = ln(h, 'final_ln');
  // Soft-attention readout (Eq. 3): α_t = f · sigmoid(x̄·W1 + c + x_t·W2), θ = Σ_t α_t x_t
  const xbar = g.node('ReduceMean', [x], { axes: [0], keepdims: 1 }, 'xbar');
  const z = g.node('Add', [linear(xbar, 'readout.w1', 'readout.c'), linear(x, 'readout.w2')]);
  const f = weight(g, bundle, 'readout.f', [N, 1]);
  const alpha = g.node('MatMul', [g.node('Sigmoid', [z]), f], {}, 'alpha');
  return g.node('ReduceSum', [g.node('Mul', [x, alpha]), 'axis0'], { keepdims: 0 }, 'theta_');
}

// ---- heads (docs/model.md "Popularity prior", "Repeat head") ----

/** scores[popularity[r]] += prior(r) for r < depth: the engine's float32 values, added in float32. */
function popularityPrior(g: GraphBuilder, bundle: ModelBundle, scores: string): string {
  const terms = readPriorTerms(bundle);
  if (terms === undefined) return scores;
  const depth = terms.items.length;
  const at = g.constant('prior_items', [depth], Int32Array.from(terms.items));
  const values = g.constant('prior_values', [depth], terms.values);
  return g.node('ScatterElements', [scores, at, values], { axis: 0, reduction: 'add' }, 'scores_prior');
}

/**
 * The repeat head over the window the input is (≤ maxLen clicks). Per position t: c = clicks of its item,
 * last = no later click of it; d = Σ last; r = distinct items clicked after t = later positions that are
 * last clicks. Only last positions add (scoreWeight · score + boost) to their item; the others add 0.
 */
function repeatHead(
  g: GraphBuilder,
  bundle: ModelBundle,
  items: string,
  scores: string,
  ctx: SessionShape,
): string {
  const head = readRepeatHead(bundle);
  if (head === undefined) return scores;
  const R = head.recency.length;
  const same = g.node('Equal', [
    g.node('Unsqueeze', [items, 'axis1']),
    g.node('Unsqueeze', [items, 'axis0']),
  ]);
  const toFloat = (x: string) => g.node('Cast', [x], { to: 1 });
  const rowSum = (x: string) => g.node('ReduceSum', [x, 'axis1'], { keepdims: 0 });
  const clicks = rowSum(toFloat(same));
  const later = rowSum(toFloat(g.node('And', [same, ctx.future])));
  const last = g.node('Equal', [later, g.floats('zero_f', [0], true)], {}, 'last_click');
  const lastF = toFloat(last);
  const distinct = g.node('ReduceSum', [lastF, 'axis0'], { keepdims: 0 });
  const rank = g.node('MatMul', [toFloat(ctx.future), lastF], {}, 'recency_rank');
  const rankIdx = g.node('Cast', [g.node('Min', [rank, g.floats('last_rank', [R - 1], true)])], { to: 7 });
  const recency = g.node('Gather', [g.constant('repeat.recency', [R], head.recency), rankIdx]);
  const countTerm = g.node('Mul', [
    g.node('Log', [clicks]),
    g.floats('countWeight', [head.countWeight], true),
  ]);
  const share = g.node('Sub', [g.floats('one_f', [1], true), g.node('Div', [distinct, toFloat(ctx.length)])]);
  const shareTerm = g.node('Mul', [share, g.floats('repeatShareWeight', [head.repeatShareWeight], true)]);
  const boost = g.node('Add', [g.node('Add', [recency, countTerm]), shareTerm], {}, 'boost');
  const own = g.node('Gather', [scores, items]);
  const delta = g.node('Add', [
    g.node('Mul', [own, g.floats('scoreWeight', [head.scoreWeight], true)]),
    boost,
  ]);
  const lastOnly = g.node('Where', [last, delta, 'zero_f']);
  return g.node('ScatterElements', [scores, items, lastOnly], { axis: 0, reduction: 'add' }, 'scores_repeat');
}
