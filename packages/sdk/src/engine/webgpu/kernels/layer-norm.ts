// Kernel: layer norm of each row, y = γ ⊙ (x − mean) / sqrt(var + eps) + β, biased variance (docs/model.md).
// Layout: x, y f32[n, N] row-major; gamma, beta f32[N].
// Dispatch: one workgroup of 64 per row. Why 64: N is 64–256 here, so each lane sums 1–4 values and a
// 6-step tree reduction in workgroup memory finishes the row; two passes (mean, then variance) match the
// CPU reference's arithmetic better than the one-pass E[x²] − mean² formula.
import { f32 } from '../gpu-util.ts';

const WG = 64;

export function layerNormWgsl(o: { dim: number; eps: number }): string {
  const N = o.dim;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

var<workgroup> red: array<f32, ${WG}>;

fn reduce_sum(lane: u32, v: f32) -> f32 {
  red[lane] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (lane < s) { red[lane] += red[lane + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let base = wid.x * ${N}u;
  var s = 0.0;
  for (var d = lid.x; d < ${N}u; d += ${WG}u) { s += x[base + d]; }
  let mean = reduce_sum(lid.x, s) / ${f32(N)};
  var v = 0.0;
  for (var d = lid.x; d < ${N}u; d += ${WG}u) { let c = x[base + d] - mean; v += c * c; }
  let inv = 1.0 / sqrt(reduce_sum(lid.x, v) / ${f32(N)} + ${f32(o.eps)});
  for (var d = lid.x; d < ${N}u; d += ${WG}u) {
    y[base + d] = gamma[d] * ((x[base + d] - mean) * inv) + beta[d];
  }
}
`;
}
