// `tt` item table on the GPU (TT-Rec; docs/model.md "Tensor train"): rows are rebuilt from the cores inside
// the kernels, never stored. The chain S_0 · S_1 ⋯ S_{d−1} is unrolled into d nested loops over the output
// digits j_0 … j_{d−1}, carrying the partial row vector v_k (length R_k) in registers: the prefix products
// are shared by all outputs below them, so a row costs Σ_k q_0⋯q_k · R_k · R_{k+1} multiply-adds, the
// same as the CPU engine's left-to-right chain. That per-item chain embeds the session's items; scoring the
// catalogue shares the prefix products between the p_{d−1} items of each prefix (kernels/tt-*.ts), as the
// CPU engine's scan does (p50 under SwiftShader at V = 40,728, N = 128, ranks 16: 4.9 s → 0.48 s).
import type { ModelBundle } from '../../../bundle/types.ts';
import { ttCoreShape, ttGeometry, hyperList, type TtGeometry } from '../../tensor-train-geometry.ts';
import { requireHyperInt, requireTensor } from '../../tensors.ts';
import { grid, storageBuffer, uploadStorage } from '../gpu-util.ts';
import { dispatch, getKernel } from '../kernel.ts';
import { TT_LAST_CORE_WORKGROUP, ttLastCoreKernel } from '../kernels/tt-last-core.ts';
import { TT_PREFIX_WORKGROUP, ttPrefixKernel } from '../kernels/tt-prefix.ts';
import { TT_SCORE_WORKGROUP, ttScoreKernel } from '../kernels/tt-score.ts';
import { createReconstructingScorer } from './reconstruct-scorer.ts';
import { tableBindings, type GpuItemTable } from './types.ts';

/**
 * WGSL body computing e(i) value by value: `emit(n, value)` is pasted for every output; the outermost loop
 * (over j_0) runs from `lane` in steps of `lanes` so that a workgroup can share one row.
 */
function ttChainWgsl(
  g: TtGeometry,
  offsets: readonly number[],
  emit: (n: string, v: string) => string,
): string {
  const d = g.p.length;
  const R = g.ranks;
  const lines: string[] = [];
  // Digits of i, first core most significant.
  lines.push('var rest = i;');
  for (let k = d - 1; k >= 0; k--) {
    lines.push(`let i${k} = rest % ${g.p[k]}u;`);
    if (k > 0) lines.push(`rest = rest / ${g.p[k]}u;`);
  }
  // Index of core_k[r, i_k, j_k, r'] in the concatenated buffer.
  const at = (k: number, r: string, rr: string) =>
    `cores[${offsets[k]}u + ((${r} * ${g.p[k]}u + i${k}) * ${g.q[k]}u + j${k}) * ${R[k + 1]}u + ${rr}]`;
  let n = '';
  for (let k = 0; k < d; k++) {
    const loop =
      k === 0
        ? `for (var j0 = lane; j0 < ${g.q[0]}u; j0 += lanes) {`
        : `for (var j${k} = 0u; j${k} < ${g.q[k]}u; j${k}++) {`;
    lines.push(loop);
    n = k === 0 ? 'j0' : `(${n}) * ${g.q[k]}u + j${k}`;
    if (k === d - 1) {
      // Last core: R_d = 1, the chain ends in a scalar.
      if (k === 0) lines.push(`let val = ${at(0, '0u', '0u')};`);
      else {
        lines.push('var val = 0.0;');
        lines.push(`for (var r = 0u; r < ${R[k]}u; r++) { val += v${k}[r] * ${at(k, 'r', '0u')}; }`);
      }
      lines.push(emit(n, 'val'));
    } else if (k === 0) {
      lines.push(`var v1: array<f32, ${R[1]}>;`);
      lines.push(`for (var r = 0u; r < ${R[1]}u; r++) { v1[r] = ${at(0, '0u', 'r')}; }`);
    } else {
      lines.push(`var v${k + 1}: array<f32, ${R[k + 1]}>;`);
      lines.push(`for (var rr = 0u; rr < ${R[k + 1]}u; rr++) {`);
      lines.push(`  var s = 0.0;`);
      lines.push(`  for (var r = 0u; r < ${R[k]}u; r++) { s += v${k}[r] * ${at(k, 'r', 'rr')}; }`);
      lines.push(`  v${k + 1}[rr] = s;`);
      lines.push('}');
    }
  }
  for (let k = 0; k < d; k++) lines.push('}');
  return lines.join('\n  ');
}

export function createTtGpuTable(device: GPUDevice, bundle: ModelBundle): GpuItemTable {
  const hyper = bundle.manifest.hyper;
  const N = requireHyperInt(bundle, 'dim');
  const g = ttGeometry(
    hyper.numItems,
    N,
    hyperList(bundle, 'ttP'),
    hyperList(bundle, 'ttQ'),
    hyperList(bundle, 'ttRanks'),
  );
  // All cores in one buffer (fewer bindings; a core is a few KiB).
  const parts = g.p.map((_, k) => requireTensor(bundle, `tt.core${k}`, ['float32'], ttCoreShape(g, k)));
  const offsets: number[] = [];
  let total = 0;
  for (const part of parts) {
    offsets.push(total);
    total += part.length;
  }
  const all = new Float32Array(total);
  parts.forEach((part, k) => all.set(part, offsets[k]));
  const cores = uploadStorage(device, 'tt.cores', all);
  const bindings = tableBindings([{ name: 'cores', type: 'f32' }]);
  const rowWgsl = `
fn item_row(i: u32, dst: u32, lane: u32, lanes: u32) {
  ${ttChainWgsl(g, offsets, (n, v) => `emit_row(dst, ${n}, ${v});`)}
}`;
  const scoreWgsl = `
fn item_score(i: u32) -> f32 {
  let lane = 0u;
  let lanes = 1u;
  var acc = 0.0;
  ${ttChainWgsl(g, offsets, (n, v) => `acc += theta[${n}] * ${v};`)}
  return acc;
}`;
  const d = g.p.length;
  // Per-query scratch of the prefix-sharing scorer (d ≥ 2): prefix products and θ·last core.
  const prefixes = Math.ceil(hyper.numItems / g.p[d - 1]);
  const width = (N / g.q[d - 1]) * g.ranks[d - 1];
  const pfx = d > 1 ? storageBuffer(device, 'tt.prefix-products', prefixes * width * 4) : undefined;
  const lastW = d > 1 ? storageBuffer(device, 'tt.theta-last-core', g.p[d - 1] * width * 4) : undefined;
  const kg = { p: g.p, q: g.q, ranks: g.ranks, offsets };
  return {
    rowWgsl,
    rowBindings: bindings,
    rowBuffers: { cores },
    async createScorer(theta, scores) {
      if (pfx === undefined || lastW === undefined) {
        // One core: e(i) is a row of core 0; nothing to share.
        return createReconstructingScorer(
          device,
          { kind: 'tt', numItems: hyper.numItems, dim: N, scoreWgsl, bindings, buffers: { cores } },
          theta,
          scores,
        );
      }
      const [prefixKernel, lastKernel, scoreKernel] = await Promise.all([
        getKernel(device, ttPrefixKernel(kg, prefixes)),
        getKernel(device, ttLastCoreKernel(kg)),
        getKernel(device, ttScoreKernel({ numItems: hyper.numItems, lastP: g.p[d - 1], width })),
      ]);
      const prefixGroup = prefixKernel.bind({ cores, pfx });
      const lastGroup = lastKernel.bind({ theta, cores, w: lastW });
      const scoreGroup = scoreKernel.bind({ pfx, w: lastW, scores });
      const A = N / g.q[d - 1];
      const prefixGrid = grid(Math.ceil((prefixes * A) / TT_PREFIX_WORKGROUP));
      const lastGroups = Math.ceil((g.p[d - 1] * width) / TT_LAST_CORE_WORKGROUP);
      const scoreGrid = grid(Math.ceil(hyper.numItems / TT_SCORE_WORKGROUP));
      return (pass) => {
        dispatch(pass, prefixKernel, prefixGroup, ...prefixGrid);
        dispatch(pass, lastKernel, lastGroup, lastGroups);
        dispatch(pass, scoreKernel, scoreGroup, ...scoreGrid);
      };
    },
    bytes: cores.size + (pfx?.size ?? 0) + (lastW?.size ?? 0),
    destroy() {
      cores.destroy();
      pfx?.destroy();
      lastW?.destroy();
    },
  };
}
