// The few dense kernels the encoder needs, on flat row-major Float32Arrays. Accumulation is in double
// (JS numbers); results are stored as float32, like the tfjs trainer's tensors.

/** Σ_d a[aOff + d] · b[bOff + d], four accumulators to shorten the dependency chain. */
export function dot(
  a: Float32Array | Float64Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  n: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 4 <= n; d += 4) {
    s0 += a[aOff + d] * b[bOff + d];
    s1 += a[aOff + d + 1] * b[bOff + d + 1];
    s2 += a[aOff + d + 2] * b[bOff + d + 2];
    s3 += a[aOff + d + 3] * b[bOff + d + 3];
  }
  for (; d < n; d++) s0 += a[aOff + d] * b[bOff + d];
  return s0 + s1 + s2 + s3;
}

/** The transpose of a row-major [rows, cols] matrix, so that x·W becomes dot products of contiguous rows. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}

/**
 * out[outOff + i] = rows[i, :] · x[xOff … xOff + dim) for a row-major [count, dim] matrix.
 * Four rows per pass: four independent accumulators share each x load, which measured faster in V8
 * than one row at a time with an unrolled dot (V = 40,728, N = 128: 4.1 ms vs 6.1 ms).
 */
export function matVec(
  rows: Float32Array,
  count: number,
  dim: number,
  x: Float32Array,
  xOff: number,
  out: Float32Array | Float64Array,
  outOff: number,
): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const r0 = i * dim;
    const r1 = r0 + dim;
    const r2 = r1 + dim;
    const r3 = r2 + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < dim; d++) {
      const t = x[xOff + d];
      s0 += t * rows[r0 + d];
      s1 += t * rows[r1 + d];
      s2 += t * rows[r2 + d];
      s3 += t * rows[r3 + d];
    }
    out[outOff + i] = s0;
    out[outOff + i + 1] = s1;
    out[outOff + i + 2] = s2;
    out[outOff + i + 3] = s3;
  }
  for (; i < count; i++) out[outOff + i] = dot(x, xOff, rows, i * dim, dim);
}

/**
 * A [count, dim] row-major matrix re-laid for matVecPacked: rows in groups of four, interleaved
 * (group g holds row 4g+j's element d at g·4·dim + 4d + j), the last count % 4 rows left row-major at the
 * end. One pass then reads the four rows' d-th elements from one contiguous run instead of four streams
 * dim apart, which measured 1.2–1.7× faster than matVec for N = 128 / 256 (bench/README.md).
 */
export function packRows4(rows: Float32Array, count: number, dim: number): Float32Array {
  const packed = new Float32Array(count * dim);
  const grouped = count - (count % 4);
  for (let i = 0; i < grouped; i++) {
    const base = (i - (i % 4)) * dim + (i % 4);
    for (let d = 0; d < dim; d++) packed[base + 4 * d] = rows[i * dim + d];
  }
  packed.set(rows.subarray(grouped * dim, count * dim), grouped * dim);
  return packed;
}

/**
 * matVec on a packRows4 matrix, bit-identical to matVec on the original rows: each output is the same
 * double sum in the same order (d = 0 … dim−1 for the grouped rows, dot() for the last count % 4).
 */
export function matVecPacked(
  packed: Float32Array,
  count: number,
  dim: number,
  x: Float32Array | Float64Array,
  xOff: number,
  out: Float32Array | Float64Array,
  outOff: number,
): void {
  const grouped = count - (count % 4);
  const g = 4 * dim;
  let i = 0;
  // Two groups (eight rows, eight accumulators) per pass: each x load serves eight products, and eight
  // independent sums hide the add latency (1.1–1.2× over one group per pass at N = 128 / 256).
  for (; i + 8 <= grouped; i += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let d = 0, o = i * dim; d < dim; d++, o += 4) {
      const t = x[xOff + d];
      s0 += t * packed[o];
      s1 += t * packed[o + 1];
      s2 += t * packed[o + 2];
      s3 += t * packed[o + 3];
      s4 += t * packed[o + g];
      s5 += t * packed[o + g + 1];
      s6 += t * packed[o + g + 2];
      s7 += t * packed[o + g + 3];
    }
    out[outOff + i] = s0;
    out[outOff + i + 1] = s1;
    out[outOff + i + 2] = s2;
    out[outOff + i + 3] = s3;
    out[outOff + i + 4] = s4;
    out[outOff + i + 5] = s5;
    out[outOff + i + 6] = s6;
    out[outOff + i + 7] = s7;
  }
  for (; i < grouped; i += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0, o = i * dim; d < dim; d++, o += 4) {
      const t = x[xOff + d];
      s0 += t * packed[o];
      s1 += t * packed[o + 1];
      s2 += t * packed[o + 2];
      s3 += t * packed[o + 3];
    }
    out[outOff + i] = s0;
    out[outOff + i + 1] = s1;
    out[outOff + i + 2] = s2;
    out[outOff + i + 3] = s3;
  }
  for (i = grouped; i < count; i++) out[outOff + i] = dot(x, xOff, packed, i * dim, dim);
}

/**
 * y[yOff …] = x[xOff … xOff + inDim) · W + b for one row, W given as packRows4(Wᵀ) ([outDim, inDim]);
 * the same numbers as linear() on that row. `bias` may be undefined.
 */
export function linearRow(
  x: Float32Array,
  xOff: number,
  inDim: number,
  packedWT: Float32Array,
  outDim: number,
  bias: Float32Array | undefined,
  y: Float32Array,
  yOff: number,
): void {
  matVecPacked(packedWT, outDim, inDim, x, xOff, y, yOff);
  if (bias !== undefined) for (let j = 0; j < outDim; j++) y[yOff + j] += bias[j];
}

/** y[yOff …] = γ ⊙ (x − mean) / sqrt(var + eps) + β for one row x[xOff … xOff + dim), biased variance (docs/model.md LN). */
export function layerNormRow(
  x: Float32Array,
  xOff: number,
  dim: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  y: Float32Array,
  yOff: number,
): void {
  let mean = 0;
  for (let d = 0; d < dim; d++) mean += x[xOff + d];
  mean /= dim;
  let variance = 0;
  for (let d = 0; d < dim; d++) {
    const c = x[xOff + d] - mean;
    variance += c * c;
  }
  variance /= dim;
  const inv = 1 / Math.sqrt(variance + eps);
  for (let d = 0; d < dim; d++) y[yOff + d] = gamma[d] * (x[xOff + d] - mean) * inv + beta[d];
}

/**
 * out[b·count + i] = rows[i, :] · xs[b, :] for `xCount` vectors xs ([xCount, dim], row-major): several
 * queries against one pass over the rows. Two rows × four vectors per inner loop reuse every loaded value
 * 2–4 times; against a 20 MB table it measured 2.8× faster per query than matVec query by query
 * (V = 40,728, N = 128, 8 queries, on a loaded machine). The evaluator scores a session's prefixes this way.
 */
export function multiMatVec(
  rows: Float32Array,
  count: number,
  dim: number,
  xs: Float32Array,
  xCount: number,
  out: Float32Array,
): void {
  let b = 0;
  for (; b + 4 <= xCount; b += 4) {
    const x0 = b * dim;
    const x1 = x0 + dim;
    const x2 = x1 + dim;
    const x3 = x2 + dim;
    const o0 = b * count;
    const o1 = o0 + count;
    const o2 = o1 + count;
    const o3 = o2 + count;
    // Pairs up to the last multiple of 4, then dot(): the same arithmetic as matVec row for row,
    // so batch and single-query scores are bit-identical (the evaluator's ranks do not depend on it).
    const paired = count - (count % 4);
    let i = 0;
    for (; i < paired; i += 2) {
      const r0 = i * dim;
      const r1 = r0 + dim;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let c0 = 0;
      let c1 = 0;
      let c2 = 0;
      let c3 = 0;
      for (let d = 0; d < dim; d++) {
        const v0 = rows[r0 + d];
        const v1 = rows[r1 + d];
        const t0 = xs[x0 + d];
        const t1 = xs[x1 + d];
        const t2 = xs[x2 + d];
        const t3 = xs[x3 + d];
        a0 += t0 * v0;
        a1 += t1 * v0;
        a2 += t2 * v0;
        a3 += t3 * v0;
        c0 += t0 * v1;
        c1 += t1 * v1;
        c2 += t2 * v1;
        c3 += t3 * v1;
      }
      out[o0 + i] = a0;
      out[o1 + i] = a1;
      out[o2 + i] = a2;
      out[o3 + i] = a3;
      out[o0 + i + 1] = c0;
      out[o1 + i + 1] = c1;
      out[o2 + i + 1] = c2;
      out[o3 + i + 1] = c3;
    }
    for (; i < count; i++) {
      out[o0 + i] = dot(xs, x0, rows, i * dim, dim);
      out[o1 + i] = dot(xs, x1, rows, i * dim, dim);
      out[o2 + i] = dot(xs, x2, rows, i * dim, dim);
      out[o3 + i] = dot(xs, x3, rows, i * dim, dim);
    }
  }
  for (; b < xCount; b++) matVec(rows, count, dim, xs, b * dim, out, b * count);
}
