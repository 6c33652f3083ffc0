// Kernel: the soft-attention readout (EODRec Eq. 3), θ = Σ_t α_t x_t with
//   α_t = f · sigmoid(x̄ · W1 + x_t · W2 + c),  x̄ = mean_t x_t.
// Layout: params.n (u32, session length; every row is read, also those kept from earlier calls);
// x f32[n, N] (after the final layer norm); xw2c f32[n, N] =
// x · W2 + c (computed before by the linear kernel, with c as its bias); w1 f32[N, N]; f f32[N]; theta f32[N].
// Dispatch: one workgroup of 256. Why one: every step needs all of the previous one (x̄ → x̄·W1 → α → θ),
// and the work (N² + 2nN MACs) is far too small to pay for more dispatches; workgroup memory carries x̄,
// x̄·W1 and α between the steps.
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 256;

export function readoutKernel(o: { dim: number; maxLen: number }): KernelSpec {
  const N = o.dim;
  return {
    name: 'readout',
    shape: o,
    bindings: [
      uniform('params', 'Params'),
      read('x', 'f32'),
      read('xw2c', 'f32'),
      read('w1', 'f32'),
      read('f', 'f32'),
      readWrite('theta', 'f32'),
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

var<workgroup> xbar: array<f32, ${N}>;
var<workgroup> xbar_w1: array<f32, ${N}>;
var<workgroup> alpha: array<f32, ${o.maxLen}>;

@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u) {
  let n = params.n;
  for (var d = lid.x; d < ${N}u; d += ${WG}u) {
    var s = 0.0;
    for (var t = 0u; t < n; t++) { s += x[t * ${N}u + d]; }
    xbar[d] = s / f32(n);
  }
  workgroupBarrier();
  for (var j = lid.x; j < ${N}u; j += ${WG}u) {
    var s = 0.0;
    for (var d = 0u; d < ${N}u; d++) { s += xbar[d] * w1[d * ${N}u + j]; }
    xbar_w1[j] = s;
  }
  workgroupBarrier();
  for (var t = lid.x; t < n; t += ${WG}u) {
    var a = 0.0;
    for (var j = 0u; j < ${N}u; j++) { a += f[j] / (1.0 + exp(-(xbar_w1[j] + xw2c[t * ${N}u + j]))); }
    alpha[t] = a;
  }
  workgroupBarrier();
  for (var d = lid.x; d < ${N}u; d += ${WG}u) {
    var s = 0.0;
    for (var t = 0u; t < n; t++) { s += alpha[t] * x[t * ${N}u + d]; }
    theta[d] = s;
  }
}
`,
  };
}
