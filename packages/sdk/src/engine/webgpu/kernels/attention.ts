// Kernel: causal multi-head scaled dot-product attention, O_j[t] = Σ_{u≤t} softmax_u(Q_j[t]·K_j[u]/√dh) V_j[u].
// Layout: params.n, params.first; Q, K, V, O f32[n, N] row-major; head j owns columns j·dh … (j+1)·dh − 1
//   (dh = N / heads). Query rows first … n − 1 are computed, over keys/values 0 … t (rows before `first`
//   are the ones kept from earlier calls: the incremental path computes one query over the cached K, V).
// Dispatch: `heads` workgroups of 64; invocation t of workgroup j computes query row first + t of head j.
// Why: at most maxLen (≤ 50) keys per query, so one invocation keeps a query's logits in a private array
// and runs the whole softmax (max-subtracted, like the CPU reference) without any barrier; a workgroup
// per (query, head) with shared logits cost n·heads workgroups and 2 barriers each.
import { f32 } from '../gpu-util.ts';
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 64;

export function attentionKernel(o: { dim: number; heads: number; maxLen: number }): KernelSpec {
  const N = o.dim;
  const dh = N / o.heads;
  return {
    name: 'attention',
    shape: o,
    bindings: [
      read('q', 'f32'),
      read('k', 'f32'),
      read('v', 'f32'),
      readWrite('o', 'f32'),
      uniform('params', 'Params'),
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c0 = wid.x * ${dh}u;
  for (var t = params.first + lid.x; t < params.n; t += ${WG}u) {
    let qb = t * ${N}u + c0;
    var logits: array<f32, ${o.maxLen}>;
    var m = -3.40282346638528859812e38f;
    for (var u = 0u; u <= t; u++) {
      let kb = u * ${N}u + c0;
      var s = 0.0;
      for (var d = 0u; d < ${dh}u; d++) { s += q[qb + d] * k[kb + d]; }
      s *= ${f32(1 / Math.sqrt(dh))};
      logits[u] = s;
      m = max(m, s);
    }
    var sum = 0.0;
    for (var u = 0u; u <= t; u++) { let e = exp(logits[u] - m); logits[u] = e; sum += e; }
    for (var d = 0u; d < ${dh}u; d++) {
      var acc = 0.0;
      for (var u = 0u; u <= t; u++) { acc += logits[u] * v[u * ${N}u + c0 + d]; }
      o[qb + d] = acc / sum;
    }
  }
}
`,
  };
}
