// `tt` kind (TT-Rec, Yin et al. 2021; docs/model.md "Tensor train"): the item table is never stored; each
// row is rebuilt on the device from d small cores. Item i in mixed radix (first core most significant)
// picks slice S_k = core_k[:, i_k, :, :]; the row is the chain product S_0 · S_1 · … · S_{d−1}.
//
// The chain is evaluated left to right as partial products P_k of shape [q_0⋯q_{k−1}, R_k]
// (P_0 = [[1]]): P_{k+1}[(a, j), r'] = Σ_r P_k[a, r] · core_k[r, i_k, j, r'] — one dot product over r per
// entry (cores are kept slice-major for that), and P_d is the row. Scoring the whole catalogue walks the items in
// index order, so P_1 … P_{d−1} only change when their digit does: the expensive middle products are
// computed once per prefix (i_0, …, i_{d−2}) and reused by its p_{d−1} items.
import type { ModelBundle } from '../../../bundle/types.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import { hyperList, ttCoreShape, ttGeometry, type TtGeometry } from '../../tensor-train-geometry.ts';
import { matVecPacked } from '../linalg.ts';
import type { ItemTable } from './types.ts';

// The geometry lives in engine/tensor-train-geometry.ts (shared with the WebGPU engine and the contract);
// re-exported here, where `@session-rec/sdk/engine/cpu/tt` has always offered it.
export {
  hyperList,
  ttCoreShape,
  ttGeometry,
  ttParamCount,
  ttReconstructionMacs,
  ttStageMacs,
  type TtGeometry,
} from '../../tensor-train-geometry.ts';

/** Cores as flat row-major float32 arrays, one per core, in core order. */
export type TtCores = readonly Float32Array[];

/**
 * Row reconstruction with preallocated partial products. `stage(k, digit)` computes P_{k+1} from P_k;
 * callers decide which stages to recompute (all of them for one row; the changed ones for a scan).
 * Each core is copied once into slice-major order [p_k, q_k·R_{k+1}, R_k] so that every output entry
 * is a contiguous dot product over r (the stored [R_k, p_k, q_k, R_{k+1}] order would make the inner
 * loop a short axpy — only q_{d−1} = 8 wide in the last stage — which measured ~2× slower in V8).
 */
class TtChain {
  /** partial[k] holds P_k (partial[0] = [1]); partial[d] is the row. */
  private readonly partial: Float32Array[];
  private readonly sliceMajor: Float32Array[];

  constructor(
    private readonly g: TtGeometry,
    cores: TtCores,
  ) {
    this.partial = [new Float32Array([1])];
    let rows = 1;
    for (let k = 0; k < g.p.length; k++) {
      rows *= g.q[k];
      this.partial.push(new Float32Array(rows * g.ranks[k + 1]));
    }
    this.sliceMajor = cores.map((core, k) => {
      const [rIn, pk, qk, rOut] = ttCoreShape(g, k);
      const width = qk * rOut;
      const t = new Float32Array(core.length);
      for (let r = 0; r < rIn; r++) {
        for (let i = 0; i < pk; i++) {
          for (let x = 0; x < width; x++) t[(i * width + x) * rIn + r] = core[(r * pk + i) * width + x];
        }
      }
      return t;
    });
  }

  get row(): Float32Array {
    return this.partial[this.g.p.length];
  }

  stage(k: number, digit: number): void {
    const { q, ranks } = this.g;
    const core = this.sliceMajor[k];
    const rIn = ranks[k];
    const width = q[k] * ranks[k + 1];
    const prev = this.partial[k];
    const next = this.partial[k + 1];
    const rowsIn = prev.length / rIn;
    const sliceBase = digit * width * rIn;
    for (let a = 0; a < rowsIn; a++) {
      const pa = a * rIn;
      const out = a * width;
      let x = 0;
      // Four outputs per pass share each prev[a, r] load (each still sums r in order).
      for (; x + 4 <= width; x += 4) {
        const c0 = sliceBase + x * rIn;
        const c1 = c0 + rIn;
        const c2 = c1 + rIn;
        const c3 = c2 + rIn;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = 0; r < rIn; r++) {
          const p = prev[pa + r];
          s0 += p * core[c0 + r];
          s1 += p * core[c1 + r];
          s2 += p * core[c2 + r];
          s3 += p * core[c3 + r];
        }
        next[out + x] = s0;
        next[out + x + 1] = s1;
        next[out + x + 2] = s2;
        next[out + x + 3] = s3;
      }
      for (; x < width; x++) {
        const c = sliceBase + x * rIn;
        let s = 0;
        for (let r = 0; r < rIn; r++) s += prev[pa + r] * core[c + r];
        next[out + x] = s;
      }
    }
  }
}

/**
 * How scoreAll gets its rows.
 * - `cached` (the default, what a device runs): the first scoreAll rebuilds the catalogue from the cores
 *   while it scores, and keeps the rows; later calls read them (V·N floats of memory — what a `full` model
 *   holds — for full-model speed; onnxruntime-web does the same by constant-folding the graph at load).
 * - `per-query`: every call rebuilds the catalogue, with only the cores in memory — the reconstruction
 *   cost EODRec measures; for devices that cannot spare the memory.
 * - `materialized`: rows rebuilt at creation (offline evaluation).
 * Scores are bit-identical in all three (same rows, same dot order).
 */
export interface TensorTrainTableOptions {
  rows?: 'cached' | 'per-query' | 'materialized';
}

/** θ · rows[offset … offset + dim), one accumulator in index order (every row mode uses exactly this). */
export function dotRow(
  theta: Float32Array | Float64Array,
  rows: Float32Array,
  offset: number,
  dim: number,
): number {
  let s = 0;
  for (let n = 0; n < dim; n++) s += theta[n] * rows[offset + n];
  return s;
}

/**
 * out[i] = θ · row i for rows start … end − 1 of a packRows4 matrix [count, dim] (start a multiple of 4):
 * matVecPacked over the grouped rows; the last count mod 4 rows by dotRow when `orderedTail` (tt/sttd,
 * bit-identical to per-query scoring), else by matVecPacked's own dot() (full, as its scoreAll does).
 */
export function scorePackedRows(
  packed: Float32Array,
  count: number,
  dim: number,
  orderedTail: boolean,
  theta: Float32Array | Float64Array,
  out: Float32Array,
  start: number,
  end: number,
): void {
  const packedEnd = orderedTail ? Math.min(end, count - (count % 4)) : end;
  if (packedEnd > start)
    matVecPacked(packed.subarray(start * dim, packedEnd * dim), packedEnd - start, dim, theta, 0, out, start);
  for (let i = Math.max(start, packedEnd); i < end; i++) out[i] = dotRow(theta, packed, i * dim, dim);
}

/** Visits every row 0 … V−1 in order (the row buffer is reused between calls). */
export type RowVisitor = (visit: (index: number, row: Float32Array) => void) => void;

/**
 * An ItemTable over rows rebuilt once: at creation, or (`perQuery` given: 'cached') during the first
 * scoreAll, or when a scoring pool asks for them (shareScoring). Rows are kept in packRows4 layout so
 * that scoring runs matVecPacked — each grouped row summed with one accumulator in index order, exactly
 * dotRow — and the last V mod 4 rows by dotRow itself: bit-identical to per-query scoring.
 */
export function materializedTable(
  numItems: number,
  dim: number,
  visitRows: RowVisitor,
  perQuery?: Pick<ItemTable, 'embedInto'>,
): ItemTable {
  const grouped = numItems - (numItems % 4);
  let packed: Float32Array | null = null;
  const build = (into: Float32Array, theta?: Float32Array, out?: Float32Array) => {
    visitRows((i, row) => {
      if (i < grouped) {
        const base = (i - (i % 4)) * dim + (i % 4);
        for (let d = 0; d < dim; d++) into[base + 4 * d] = row[d];
      } else into.set(row, i * dim);
      if (theta && out) out[i] = dotRow(theta, row, 0, dim);
    });
    packed = into;
  };
  if (!perQuery) build(new Float32Array(numItems * dim));
  return {
    numItems,
    dim,
    embedInto(index, out, offset) {
      if (!packed) return perQuery!.embedInto(index, out, offset);
      if (index >= grouped) return out.set(packed.subarray(index * dim, index * dim + dim), offset);
      const base = (index - (index % 4)) * dim + (index % 4);
      for (let d = 0; d < dim; d++) out[offset + d] = packed[base + 4 * d];
    },
    scoreAll(theta, out) {
      if (!packed) return build(new Float32Array(numItems * dim), theta, out);
      scorePackedRows(packed, numItems, dim, true, theta, out, 0, numItems);
    },
    shareScoring(share) {
      const shared = share.float32(numItems * dim);
      if (packed) shared.set(packed);
      else build(shared);
      packed = shared;
      return {
        scorer: { kind: 'packed-rows', packed: shared, count: numItems, dim, orderedTail: true },
        inputLength: dim,
        prepare(theta, input) {
          input.set(theta);
        },
      };
    },
  };
}

/** Builds the TT item table over explicit cores (the factory below reads them from a bundle). */
export function createTtTableFromCores(
  g: TtGeometry,
  cores: TtCores,
  options: TensorTrainTableOptions = {},
): ItemTable {
  const d = g.p.length;
  const chain = new TtChain(g, cores);
  const digits = new Int32Array(d);
  const toDigits = (index: number) => {
    for (let k = d - 1; k >= 0; k--) {
      digits[k] = index % g.p[k];
      index = Math.floor(index / g.p[k]);
    }
  };
  // Mixed-radix counter over 0 … V−1: after item i, only the stages from the lowest changed digit on are
  // recomputed, so P_1 … P_{d−1} are shared by all items of a prefix.
  const visitRows = (visit: (index: number, row: Float32Array) => void) => {
    digits.fill(0);
    let changedFrom = 0;
    for (let i = 0; i < g.numItems; i++) {
      for (let k = changedFrom; k < d; k++) chain.stage(k, digits[k]);
      visit(i, chain.row);
      let k = d - 1;
      while (k >= 0 && ++digits[k] === g.p[k]) digits[k--] = 0;
      changedFrom = Math.max(k, 0);
    }
  };
  const embedInto: ItemTable['embedInto'] = (index, out, offset) => {
    toDigits(index);
    for (let k = 0; k < d; k++) chain.stage(k, digits[k]);
    out.set(chain.row, offset);
  };
  const rows = options.rows ?? 'cached';
  if (rows === 'materialized') return materializedTable(g.numItems, g.dim, visitRows);
  if (rows === 'cached') return materializedTable(g.numItems, g.dim, visitRows, { embedInto });
  return {
    numItems: g.numItems,
    dim: g.dim,
    embedInto,
    scoreAll(theta, out) {
      visitRows((i, row) => {
        out[i] = dotRow(theta, row, 0, g.dim);
      });
    },
  };
}

/** A list-valued hyper-parameter (its entries are checked by the geometry functions). */
/** The `tt` entry of the CPU engine's item-table registry. */
export function createTtTable(bundle: ModelBundle, options: TensorTrainTableOptions = {}): ItemTable {
  const hyper = bundle.manifest.hyper;
  const dim = requireHyperInt(bundle, 'dim');
  const g = ttGeometry(
    hyper.numItems,
    dim,
    hyperList(bundle, 'ttP'),
    hyperList(bundle, 'ttQ'),
    hyperList(bundle, 'ttRanks'),
  );
  const cores = g.p.map((_, k) => requireTensor(bundle, `tt.core${k}`, ['float32'], ttCoreShape(g, k)));
  return createTtTableFromCores(g, cores, options);
}
