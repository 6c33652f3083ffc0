// The encoder of docs/model.md on the GPU: session → θ as a fixed sequence of dispatches recorded into the
// engine's one compute pass. Weights, scratch buffers, pipelines and bind groups are created once per
// model; per call only the session (buffer), its length (params.n) and the first row to compute (params.first)
// change, so the dispatches are the same for every query: about 20 workgroups for one block.
// Incremental (README "Incremental encoding"): the encoder is causal, so row t depends only on rows ≤ t. Every
// kernel before the readout computes rows first … n − 1 only, and what later rows need from earlier ones is
// kept in buffers no later step overwrites below `first`: each block's K and V (one pair per block), and the
// final LN output x and x·W2 + c (`q`, `Q`: the blocks only touch rows ≥ first of them). The readout then
// reads all n rows. With first = 0 it is the full encoder; row t's arithmetic is the same either way.
//
//   embed(session → h)                                  item table WGSL + positions
//   per block:  LN(h → q); Q = q·Wq; K = h·Wk; V = h·Wv; attention(Q, K, V → O)
//               h = q + O·Wo + bo; LN(h → q) (= g); hid = relu(q·W1 + b1); h = q + hid·W2 + b2
//   LN_final(h → q) (= x); Q = x·readout.W2 + c; readout(x, Q → θ)
import type { ModelBundle } from '../../bundle/types.ts';
import { requireEncoderHyper, requireTensor, tensorShape } from '../tensors.ts';
import { storageBuffer, uploadStorage } from './gpu-util.ts';
import { dispatch, getKernel } from './kernel.ts';
import type { GpuItemTable } from './item-tables/types.ts';
import { attentionKernel } from './kernels/attention.ts';
import { embedSessionKernel } from './kernels/embed-session.ts';
import { layerNormKernel } from './kernels/layer-norm.ts';
import { LINEAR_WORKGROUP, linearKernel } from './kernels/linear.ts';
import { readoutKernel } from './kernels/readout.ts';

export interface GpuEncoder {
  readonly dim: number;
  readonly maxLen: number;
  /** θ after a recorded pass: f32[N]. */
  readonly theta: GPUBuffer;
  /** Session indices, written by the engine before each submit: u32[maxLen]. */
  readonly session: GPUBuffer;
  /**
   * Records the encoder into `pass`; the session length is params.n (1 ≤ n ≤ maxLen) and rows params.first … n − 1
   * are computed (written by the engine); rows before `first` must be those of the previous recorded pass.
   */
  record(pass: GPUComputePassEncoder): void;
  readonly bytes: number;
  destroy(): void;
}

type Step = (pass: GPUComputePassEncoder) => void;

export async function createGpuEncoder(
  device: GPUDevice,
  bundle: ModelBundle,
  table: GpuItemTable,
  params: GPUBuffer,
): Promise<GpuEncoder> {
  const checked = requireEncoderHyper(bundle);
  const { dim: N, maxLen, heads, blocks: blockCount, embScale, layerNormEps: eps } = checked;

  const owned: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (owned.push(b), b);
  const weight = (name: string, shape: number[]) =>
    keep(uploadStorage(device, name, requireTensor(bundle, name, ['float32'], shape)));
  const scratch = (label: string, floats: number) =>
    keep(storageBuffer(device, label, floats * 4, GPUBufferUsage.COPY_SRC));

  const hidden = Array.from({ length: blockCount }, (_, b) => {
    requireTensor(bundle, `block${b}.ffn.w1`, ['float32'], [N, -1]);
    return tensorShape(bundle, `block${b}.ffn.w1`)[1];
  });
  const session = keep(storageBuffer(device, 'session', maxLen * 4));
  const h = scratch('h', maxLen * N);
  const q = scratch('q', maxLen * N);
  const qm = scratch('Q', maxLen * N);
  // K and V per block: the incremental path attends over the keys/values of earlier calls' rows.
  const kv = Array.from({ length: blockCount }, (_, b) => ({
    k: scratch(`block${b}.K`, maxLen * N),
    v: scratch(`block${b}.V`, maxLen * N),
  }));
  const attnOut = scratch('O', maxLen * N);
  const hid = scratch('ffn-hidden', maxLen * Math.max(N, ...hidden));
  const theta = scratch('theta', N);

  // Pipelines, one per distinct shape (kernel.ts caches them by kernel and shape).
  const [embed, ln, attention, readout] = await Promise.all([
    getKernel(
      device,
      embedSessionKernel({ dim: N, embScale, itemRow: table.rowWgsl, table: table.rowBindings }),
    ),
    getKernel(device, layerNormKernel({ dim: N, eps })),
    getKernel(device, attentionKernel({ dim: N, heads, maxLen })),
    getKernel(device, readoutKernel({ dim: N, maxLen })),
  ]);

  const steps: Step[] = [];
  const embedGroup = embed.bind(
    { session, pos: weight('pos', [maxLen, N]), h, params, ...table.rowBuffers },
    `embed-session/${bundle.manifest.kind}`,
  );
  steps.push((pass) => dispatch(pass, embed, embedGroup, 1));

  const layerNorm = (prefix: string, x: GPUBuffer, y: GPUBuffer) => {
    const group = ln.bind(
      { x, gamma: weight(`${prefix}.gamma`, [N]), beta: weight(`${prefix}.beta`, [N]), y, params },
      prefix,
    );
    steps.push((pass) => dispatch(pass, ln, group, 1));
  };
  const linear = async (
    w: string,
    b: string,
    inDim: number,
    outDim: number,
    x: GPUBuffer,
    y: GPUBuffer,
    o: { relu?: boolean; residual?: GPUBuffer } = {},
  ) => {
    const residual = o.residual;
    const kernel = await getKernel(
      device,
      linearKernel({ inDim, outDim, relu: o.relu ?? false, residual: residual !== undefined }),
    );
    const group = kernel.bind(
      {
        x,
        w: weight(w, [inDim, outDim]),
        b: weight(b, [outDim]),
        y,
        params,
        ...(residual === undefined ? {} : { residual }),
      },
      w,
    );
    const columns = Math.ceil(outDim / LINEAR_WORKGROUP);
    steps.push((pass) => dispatch(pass, kernel, group, columns));
  };

  for (let blk = 0; blk < blockCount; blk++) {
    const p = `block${blk}.`;
    const F = hidden[blk];
    const { k: km, v: vm } = kv[blk];
    layerNorm(`${p}attn_ln`, h, q);
    await linear(`${p}attn.wq`, `${p}attn.bq`, N, N, q, qm);
    await linear(`${p}attn.wk`, `${p}attn.bk`, N, N, h, km);
    await linear(`${p}attn.wv`, `${p}attn.bv`, N, N, h, vm);
    const attnGroup = attention.bind({ q: qm, k: km, v: vm, o: attnOut, params }, `${p}attention`);
    steps.push((pass) => dispatch(pass, attention, attnGroup, heads));
    await linear(`${p}attn.wo`, `${p}attn.bo`, N, N, attnOut, h, { residual: q });
    layerNorm(`${p}ffn_ln`, h, q);
    await linear(`${p}ffn.w1`, `${p}ffn.b1`, N, F, q, hid, { relu: true });
    await linear(`${p}ffn.w2`, `${p}ffn.b2`, F, N, hid, h, { residual: q });
  }
  layerNorm('final_ln', h, q);
  await linear('readout.w2', 'readout.c', N, N, q, qm);
  const readoutGroup = readout.bind({
    params,
    x: q,
    xw2c: qm,
    w1: weight('readout.w1', [N, N]),
    f: weight('readout.f', [N]),
    theta,
  });
  steps.push((pass) => dispatch(pass, readout, readoutGroup, 1));

  return {
    dim: N,
    maxLen,
    theta,
    session,
    record(pass) {
      for (const step of steps) step(pass);
    },
    bytes: owned.reduce((s, b) => s + b.size, 0),
    destroy() {
      for (const b of owned) b.destroy();
    },
  };
}
