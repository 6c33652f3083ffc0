// Kernel: causal multi-head scaled dot-product attention, O_j[t] = Σ_{u≤t} softmax_u(Q_j[t]·K_j[u]/√dh) V_j[u].
// Layout: Q, K, V, O f32[n, N] row-major; head j owns columns j·dh … (j+1)·dh − 1 (dh = N / heads).
// Dispatch: (n, heads) workgroups of 64; workgroup (t, j) computes row t of head j.
// Why: at most maxLen (≤ 50 here) keys per query, so one workgroup holds all logits of a query in
// workgroup memory: lanes compute logits, one lane takes max and sum (≤ maxLen values, cheaper than a tree
// with barriers), lanes then produce the dh outputs. Softmax subtracts the max like the CPU reference.
import { f32 } from '../gpu-util.ts';

const WG = 64;

export function attentionWgsl(o: { dim: number; heads: number; maxLen: number }): string {
  const N = o.dim;
  const dh = N / o.heads;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> o: array<f32>;

var<workgroup> logits: array<f32, ${o.maxLen}>;
var<workgroup> stats: vec2f;

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = wid.x;
  let c0 = wid.y * ${dh}u;
  let qb = t * ${N}u + c0;
  for (var u = lid.x; u <= t; u += ${WG}u) {
    let kb = u * ${N}u + c0;
    var s = 0.0;
    for (var d = 0u; d < ${dh}u; d++) { s += q[qb + d] * k[kb + d]; }
    logits[u] = s * ${f32(1 / Math.sqrt(dh))};
  }
  workgroupBarrier();
  if (lid.x == 0u) {
    var m = logits[0];
    for (var u = 1u; u <= t; u++) { m = max(m, logits[u]); }
    var sum = 0.0;
    for (var u = 0u; u <= t; u++) { let e = exp(logits[u] - m); logits[u] = e; sum += e; }
    stats = vec2f(m, sum);
  }
  workgroupBarrier();
  for (var d = lid.x; d < ${dh}u; d += ${WG}u) {
    var acc = 0.0;
    for (var u = 0u; u <= t; u++) { acc += logits[u] * v[u * ${N}u + c0 + d]; }
    o[qb + d] = acc / stats.y;
  }
}
`;
}
