// Kernel: the final sort of the GPU top-k. One workgroup sorts the ≤ 1024 candidates that topk-gather
// collected (in arbitrary order) by bitonic sort in workgroup memory and writes the best k in ranking
// order: higher score first, equal scores → lower index (engine/topk.ts); padding (lowest f32, 0xffffffff)
// sorts last.
// Layout: params {count, k}; pairs vec2u[count] (x = bitcast score, y = index); result vec2u[k].
// Dispatch: 1 workgroup of 256, each lane owning 4 slots of the tile.
// Why: a sort costs log²(tile) barriers, affordable once per query on ≤ 1024 items, never on the catalogue
// (topk-histogram selects the candidates with 2 barriers per workgroup instead).
import { FLAT_WORKGROUP_ID } from '../gpu-util.ts';
import { type KernelSpec, read, readWrite, uniform } from '../kernel.ts';

export const TOPK_TILE = 1024;
const WG = 256;
/** Largest k the GPU top-k serves (one tile). */
export const TOPK_MAX_K = TOPK_TILE;

export function topkTileKernel(): KernelSpec {
  return {
    name: 'topk-tile',
    shape: {},
    bindings: [uniform('params', 'Params'), read('pairs', 'vec2u'), readWrite('result', 'vec2u')],
    body: /* wgsl */ `
// The lowest f32 stands for −∞: WGSL constant expressions may not produce infinities.
const LOWEST = -3.40282346638528859812e38f;
struct Params { count: u32, k: u32, pad0: u32, pad1: u32 }

var<workgroup> key: array<f32, ${TOPK_TILE}>;
var<workgroup> idx: array<u32, ${TOPK_TILE}>;

// True when slot a must come before slot b. NaN scores compare false everywhere, so they are loaded as −∞.
fn before(a: u32, b: u32) -> bool {
  return key[a] > key[b] || (key[a] == key[b] && idx[a] < idx[b]);
}

@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = ${FLAT_WORKGROUP_ID};
  let tiles = (params.count + ${TOPK_TILE - 1}u) / ${TOPK_TILE}u;
  if (tile >= tiles) { return; }
  let base = tile * ${TOPK_TILE}u;
  for (var r = 0u; r < ${TOPK_TILE / WG}u; r++) {
    let j = lid.x + r * ${WG}u;
    let g = base + j;
    if (g < params.count) {
      let p = pairs[g];
      key[j] = bitcast<f32>(p.x);
      idx[j] = p.y;
      if (!(key[j] == key[j])) { key[j] = LOWEST; }
    } else {
      key[j] = LOWEST;
      idx[j] = 0xffffffffu;
    }
  }
  workgroupBarrier();
  for (var size = 2u; size <= ${TOPK_TILE}u; size <<= 1u) {
    for (var stride = size >> 1u; stride > 0u; stride >>= 1u) {
      for (var r = 0u; r < ${TOPK_TILE / 2 / WG}u; r++) {
        let p = lid.x + r * ${WG}u;
        let a = 2u * stride * (p / stride) + (p % stride);
        let b = a + stride;
        // Blocks with (a & size) == 0 are put in ranking order, the others reversed (bitonic merge).
        let wrong = select(before(a, b), before(b, a), (a & size) == 0u);
        if (wrong) {
          let tk = key[a]; key[a] = key[b]; key[b] = tk;
          let ti = idx[a]; idx[a] = idx[b]; idx[b] = ti;
        }
      }
      workgroupBarrier();
    }
  }
  let k = params.k;
  for (var j = lid.x; j < k; j += ${WG}u) {
    result[tile * k + j] = vec2u(bitcast<u32>(key[j]), idx[j]);
  }
}
`,
  };
}
