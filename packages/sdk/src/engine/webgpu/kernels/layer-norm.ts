// Kernel: layer norm of each row, y = γ ⊙ (x − mean) / sqrt(var + eps) + β, biased variance (docs/model.md).
// Layout: params.n, params.first; x, y f32[n, N] row-major (rows first … n − 1 read and written); gamma, beta f32[N].
// Dispatch: 1 workgroup of 64, one invocation per row (rows first + t, first + t + 64, …).
// Why: n ≤ 50 rows of N ≤ 256 is ~40k flops; a row per invocation needs no barrier at all, where a
// workgroup-per-row tree reduction paid 12 barriers and a workgroup each (slow under SwiftShader).
// Two passes (mean, then variance) like the CPU reference, not the one-pass E[x²] − mean².
import { f32 } from '../gpu-util.ts';
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 64;

export function layerNormKernel(o: { dim: number; eps: number }): KernelSpec {
  const N = o.dim;
  return {
    name: 'layer-norm',
    shape: o,
    bindings: [
      read('x', 'f32'),
      read('gamma', 'f32'),
      read('beta', 'f32'),
      readWrite('y', 'f32'),
      uniform('params', 'Params'),
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  for (var t = params.first + lid.x; t < params.n; t += ${WG}u) {
    let base = t * ${N}u;
    var s = 0.0;
    for (var d = 0u; d < ${N}u; d++) { s += x[base + d]; }
    let mean = s / ${f32(N)};
    var v = 0.0;
    for (var d = 0u; d < ${N}u; d++) { let c = x[base + d] - mean; v += c * c; }
    let inv = 1.0 / sqrt(v / ${f32(N)} + ${f32(o.eps)});
    for (var d = 0u; d < ${N}u; d++) { y[base + d] = gamma[d] * ((x[base + d] - mean) * inv) + beta[d]; }
  }
}
`,
  };
}
