// Kernel: dense layer on the session rows, y[t] = act(x[t] · W + b) (+ residual[t]).
// Layout: params.n, params.first; x f32[n, IN], W f32[IN, OUT] row-major as stored in the bundle, b f32[OUT],
//   y/residual f32[n, OUT]; rows first … n − 1 computed.
// Dispatch: ⌈OUT/64⌉ workgroups of 64; one invocation per output column, looping over the n rows.
// Why: with n ≤ 50 rows the layer is tiny (≤ 50·256·256 MACs); neighbouring lanes read neighbouring
// columns of W (coalesced) and the same x value (broadcast). A workgroup per (column block, row) was
// measured slower under SwiftShader, where every workgroup has a fixed cost. ReLU and the residual add
// are fused so that the FFN and the attention output need no extra pass.
import { PARAMS_WGSL } from './params.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

const WG = 64;
export const LINEAR_WORKGROUP = WG;

export function linearKernel(o: {
  inDim: number;
  outDim: number;
  relu: boolean;
  residual: boolean;
}): KernelSpec {
  return {
    name: 'linear',
    shape: o,
    bindings: [
      read('x', 'f32'),
      read('w', 'f32'),
      read('b', 'f32'),
      readWrite('y', 'f32'),
      uniform('params', 'Params'),
      ...(o.residual ? [read('residual', 'f32')] : []),
    ],
    body: /* wgsl */ `
${PARAMS_WGSL}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  if (col >= ${o.outDim}u) { return; }
  for (var t = params.first; t < params.n; t++) {
    let xb = t * ${o.inDim}u;
    var acc = b[col];
    for (var d = 0u; d < ${o.inDim}u; d++) { acc += x[xb + d] * w[d * ${o.outDim}u + col]; }
    ${o.relu ? 'acc = max(acc, 0.0);' : ''}
    ${o.residual ? `acc += residual[t * ${o.outDim}u + col];` : ''}
    y[t * ${o.outDim}u + col] = acc;
  }
}
`,
  };
}
