// The `tfjs-webgpu` engine: the same forward pass written with @tensorflow/tfjs generic ops on its webgpu
// backend — "what a developer would write first", the benchmark's comparison point for the SDK's
// hand-written kernels. It lives with the benchmark, not in the SDK, so that the SDK never depends on tfjs.
// WEBGPU_CPU_FORWARD is switched off so that every op runs on the GPU (tfjs otherwise runs small ops on the
// CPU, which skews timings). Choices a developer would make: `full` scores with one matMul against the
// transposed table; `compositional` with a lookup table built by matMul and read by gather + sum; `tt`/`sttd`
// tables are materialised once at load (through the CPU reference's item table) and then scored like
// `full`, so this engine does NOT pay the per-query reconstruction the WebGPU engine pays.
// Loaded only through a dynamic import (engines.ts): tfjs never enters a page that does not use it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import type { ModelBundle } from '@session-rec/sdk/bundle';
import {
  createItemTable,
  requireEncoderHyper,
  requireHyperInt,
  requireTensor,
  tensorShape,
  topK,
  validateK,
} from '@session-rec/sdk/engine/cpu';
import type { Engine, ScoredItem, TopKOptions } from '@session-rec/sdk/engine/types';
import {
  modelFreeScores,
  WebGpuEngineDisposedError,
  WebGpuUnavailableError,
} from '@session-rec/sdk/engine/webgpu';
import { readRepeatHead, repeatBoosts } from '@session-rec/sdk/engine/repeat-head';
import { readPriorTerms } from '@session-rec/sdk/engine/popularity-prior';

export interface TfjsWebGpuEngine extends Engine {
  readonly name: 'tfjs-webgpu';
}

export async function createTfjsEngine(bundle: ModelBundle): Promise<TfjsWebGpuEngine> {
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu')))
    throw new WebGpuUnavailableError('no-adapter', 'tfjs could not initialise its webgpu backend');
  await tf.ready();

  const hyper = bundle.manifest.hyper;
  const V = hyper.numItems;
  const kind = bundle.manifest.kind;
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  let disposed = false;

  const fallbackScores = modelFreeScores(bundle);
  if (kind === 'popularity') {
    return {
      name: 'tfjs-webgpu',
      bundle,
      async recommend(_session, options) {
        if (disposed) throw new WebGpuEngineDisposedError();
        validateK(options.k);
        return topK(fallbackScores(), options.k, options.exclude);
      },
      dispose() {
        disposed = true;
      },
    };
  }

  // The same checked hyper-parameters as the SDK's engines: no defaults of its own (the contract requires them).
  const { dim: N, maxLen, heads, blocks, embScale, layerNormEps: eps } = requireEncoderHyper(bundle);
  const w = (name: string): tf.Tensor => {
    const shape = tensorShape(bundle, name);
    return keep(tf.tensor(requireTensor(bundle, name, ['float32'], shape), shape, 'float32'));
  };

  // Item table: gather(session) → [n, N], and scores(θ [1, N]) → [V].
  let embed: (idx: tf.Tensor1D) => tf.Tensor2D;
  let score: (theta: tf.Tensor2D) => tf.Tensor1D;
  if (kind === 'compositional') {
    const M = requireHyperInt(bundle, 'M');
    const K = requireHyperInt(bundle, 'K');
    const codes = requireTensor(bundle, 'codes', ['uint8', 'uint16'], [V, M]);
    const flat = new Int32Array(V * M);
    for (let i = 0; i < V * M; i++) flat[i] = (i % M) * K + codes[i];
    const flatCodes = keep(tf.tensor2d(flat, [V, M], 'int32'));
    const codebooks = keep(tf.reshape(w('codebooks'), [M * K, N]) as tf.Tensor2D);
    embed = (idx) => tf.sum(tf.gather(codebooks, tf.gather(flatCodes, idx)), 1) as tf.Tensor2D;
    score = (theta) =>
      tf.sum(
        tf.gather(tf.reshape(tf.matMul(theta, codebooks, false, true), [M * K]), flatCodes),
        1,
      ) as tf.Tensor1D;
  } else {
    let table: tf.Tensor2D;
    if (kind === 'full') table = w('items') as tf.Tensor2D;
    else {
      const cpuTable = createItemTable(bundle);
      const rows = new Float32Array(V * N);
      for (let i = 0; i < V; i++) cpuTable.embedInto(i, rows, i * N);
      table = keep(tf.tensor2d(rows, [V, N]));
    }
    embed = (idx) => tf.gather(table, idx) as tf.Tensor2D;
    score = (theta) => tf.reshape(tf.matMul(theta, table, false, true), [V]) as tf.Tensor1D;
  }

  const pos = w('pos');
  const mask = keep(
    tf.tensor2d(
      Float32Array.from({ length: maxLen * maxLen }, (_, i) =>
        i % maxLen > Math.floor(i / maxLen) ? -1e30 : 0,
      ),
      [maxLen, maxLen],
    ),
  );
  const layerNorm = (x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor2D => {
    const { mean, variance } = tf.moments(x, 1, true);
    return tf.add(
      tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma),
      beta,
    ) as tf.Tensor2D;
  };
  const blockWeights = Array.from({ length: blocks }, (_, b) => {
    const p = `block${b}.`;
    const get = (n: string) => w(p + n);
    return {
      ln1: [get('attn_ln.gamma'), get('attn_ln.beta')] as const,
      wq: get('attn.wq'),
      bq: get('attn.bq'),
      wk: get('attn.wk'),
      bk: get('attn.bk'),
      wv: get('attn.wv'),
      bv: get('attn.bv'),
      wo: get('attn.wo'),
      bo: get('attn.bo'),
      ln2: [get('ffn_ln.gamma'), get('ffn_ln.beta')] as const,
      w1: get('ffn.w1'),
      b1: get('ffn.b1'),
      w2: get('ffn.w2'),
      b2: get('ffn.b2'),
    };
  });
  const finalLn = [w('final_ln.gamma'), w('final_ln.beta')] as const;
  const [rw1, rw2, rc, rf] = [w('readout.w1'), w('readout.w2'), w('readout.c'), w('readout.f')];
  const dh = N / heads;

  const forward = (session: readonly number[]): tf.Tensor1D =>
    tf.tidy(() => {
      const n = session.length;
      const idx = tf.tensor1d(Int32Array.from(session), 'int32');
      let h = tf.add(tf.mul(embed(idx), embScale), tf.slice(pos, [0, 0], [n, N])) as tf.Tensor2D;
      const causal = tf.slice(mask, [0, 0], [n, n]);
      for (const b of blockWeights) {
        const q = layerNorm(h, b.ln1[0], b.ln1[1]);
        const Q = tf.add(tf.matMul(q, b.wq as tf.Tensor2D), b.bq) as tf.Tensor2D;
        const Kt = tf.add(tf.matMul(h, b.wk as tf.Tensor2D), b.bk) as tf.Tensor2D;
        const Vt = tf.add(tf.matMul(h, b.wv as tf.Tensor2D), b.bv) as tf.Tensor2D;
        const outs: tf.Tensor2D[] = [];
        for (let j = 0; j < heads; j++) {
          const s = (t: tf.Tensor2D) => tf.slice(t, [0, j * dh], [n, dh]);
          const logits = tf.add(tf.mul(tf.matMul(s(Q), s(Kt), false, true), 1 / Math.sqrt(dh)), causal);
          outs.push(tf.matMul(tf.softmax(logits), s(Vt)));
        }
        const O = heads === 1 ? outs[0] : (tf.concat(outs, 1) as tf.Tensor2D);
        h = tf.add(q, tf.add(tf.matMul(O, b.wo as tf.Tensor2D), b.bo)) as tf.Tensor2D;
        const g = layerNorm(h, b.ln2[0], b.ln2[1]);
        const hid = tf.relu(tf.add(tf.matMul(g, b.w1 as tf.Tensor2D), b.b1)) as tf.Tensor2D;
        h = tf.add(g, tf.add(tf.matMul(hid, b.w2 as tf.Tensor2D), b.b2)) as tf.Tensor2D;
      }
      const x = layerNorm(h, finalLn[0], finalLn[1]);
      const xbar = tf.mean(x, 0, true) as tf.Tensor2D;
      const pre = tf.add(tf.add(tf.matMul(xbar, rw1 as tf.Tensor2D), tf.matMul(x, rw2 as tf.Tensor2D)), rc);
      const alpha = tf.sum(tf.mul(tf.sigmoid(pre), rf), 1, true); // [n, 1]
      const theta = tf.sum(tf.mul(alpha, x), 0, true) as tf.Tensor2D; // [1, N]
      return score(theta);
    });

  // The popularity prior (engine/popularity-prior.ts) as a constant [V] tensor, 0 past its depth.
  const priorTerms = readPriorTerms(bundle);
  const prior =
    priorTerms === undefined
      ? undefined
      : keep(
          tf.tidy(() =>
            tf.scatterND(
              tf.tensor2d(Int32Array.from(priorTerms.items), [priorTerms.items.length, 1], 'int32'),
              tf.tensor1d(priorTerms.values),
              [V],
            ),
          ),
        );
  // The repeat head (engine/repeat-head.ts): its boosts scattered into a [V] tensor and added.
  const repeatHead = readRepeatHead(bundle);
  function withHead(thetaScores: tf.Tensor1D, window: readonly number[]): tf.Tensor1D {
    let scores = thetaScores;
    if (prior !== undefined) {
      scores = tf.add(thetaScores, prior);
      thetaScores.dispose();
    }
    if (repeatHead === undefined) return scores;
    const b = repeatBoosts(repeatHead, window);
    const head = repeatHead;
    // score + (scoreWeight · score + boost) at the session's items, 0 added elsewhere.
    const boosted = tf.tidy(() => {
      const at = tf.tensor2d(Int32Array.from(b.indices), [b.count, 1], 'int32');
      const own = tf.gatherND(scores, at) as tf.Tensor1D;
      const delta = tf.add(tf.mul(own, head.scoreWeight), tf.tensor1d(b.boosts));
      return tf.add(scores, tf.scatterND(at, delta, [V]));
    }) as tf.Tensor1D;
    scores.dispose();
    return boosted;
  }

  async function recommendNow(session: readonly number[], options: TopKOptions): Promise<ScoredItem[]> {
    if (disposed) throw new WebGpuEngineDisposedError();
    validateK(options.k);
    for (let t = 0; t < session.length; t++) {
      const item = session[t];
      if (!Number.isInteger(item) || item < 0 || item >= V)
        throw new RangeError(`session[${t}] = ${item} is not an item index in [0, ${V})`);
    }
    if (session.length === 0) return topK(fallbackScores(), options.k, options.exclude);
    const exclude = options.exclude ?? new Set<number>();
    const want = Math.min(V, options.k + exclude.size);
    const window = session.slice(-maxLen);
    const scores = withHead(forward(window), window);
    const { values, indices } = tf.topk(scores, want, true);
    scores.dispose();
    const [vals, idxs] = await Promise.all([values.data(), indices.data()]);
    values.dispose();
    indices.dispose();
    const out: ScoredItem[] = [];
    for (let r = 0; r < idxs.length && out.length < options.k; r++) {
      if (!exclude.has(idxs[r])) out.push({ index: idxs[r], score: vals[r] });
    }
    return out;
  }

  return {
    name: 'tfjs-webgpu',
    bundle,
    recommend: recommendNow,
    dispose() {
      if (disposed) return;
      disposed = true;
      owned.forEach((t) => t.dispose());
    },
  };
}
