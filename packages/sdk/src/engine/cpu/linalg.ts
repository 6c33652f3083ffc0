// The few dense kernels the encoder needs, on flat row-major Float32Arrays. Accumulation is in double
// (JS numbers); results are stored as float32, like the tfjs trainer's tensors.

/** Σ_d a[aOff + d] · b[bOff + d], four accumulators to shorten the dependency chain. */
export function dot(a: Float32Array, aOff: number, b: Float32Array, bOff: number, n: number): number {
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
 * y[r, :] = x[r, :] · W + b for r < rows, with W given transposed (wT: [outDim, inDim]).
 * `bias` may be undefined (no bias).
 */
export function linear(
  x: Float32Array,
  rows: number,
  inDim: number,
  wT: Float32Array,
  outDim: number,
  bias: Float32Array | undefined,
  y: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    const yo = r * outDim;
    for (let j = 0; j < outDim; j++)
      y[yo + j] = dot(x, xo, wT, j * inDim, inDim) + (bias === undefined ? 0 : bias[j]);
  }
}

/** y[r] = γ ⊙ (x[r] − mean) / sqrt(var + eps) + β per row, biased variance (docs/model.md LN). */
export function layerNorm(
  x: Float32Array,
  rows: number,
  dim: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  y: Float32Array,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let mean = 0;
    for (let d = 0; d < dim; d++) mean += x[o + d];
    mean /= dim;
    let variance = 0;
    for (let d = 0; d < dim; d++) {
      const c = x[o + d] - mean;
      variance += c * c;
    }
    variance /= dim;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let d = 0; d < dim; d++) y[o + d] = gamma[d] * (x[o + d] - mean) * inv + beta[d];
  }
}
