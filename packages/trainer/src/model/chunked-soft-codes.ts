// The training-time composite embeddings of every item, e = O · codebooks with O = Gumbel-softmax codes
// (Eq. 13–15), computed chunk by chunk of items with a hand-written backward that recomputes each chunk.
// Autodiff keeps ~8 [V, M·K] activations of the whole catalogue for back-propagation (RetailRocket,
// M·K = 768: ~113 MB each) on top of their gradients — what ran tfjs-wasm's 4 GB heap out of memory in
// RetailRocket's KD stage with the per-item code logits trained. Here only the inputs and the [V, N]
// output live across the step; a chunk's activations exist while it is (re)computed.
// tfjs cannot nest tf.grads inside a custom gradient, so the chain rule is written out (checked against
// autodiff in chunked-soft-codes.test.ts):
//   h = tanh(X·W1 + b1), s = softplus(h·W2 + b2), ℓ = s + offsets, log α = ℓ − logsumexp_K(ℓ),
//   O = softmax_K((log α + G) / ε), e = O · C.
import * as tf from '@tensorflow/tfjs-core';

export interface SoftCodeWeights {
  w1: tf.Tensor2D;
  b1: tf.Tensor1D;
  w2: tf.Tensor2D;
  b2: tf.Tensor1D;
  codebooks: tf.Tensor2D;
}

export interface ChunkedSoftCodesOptions {
  M: number;
  K: number;
  temperature: number;
  /** Rows per chunk (memory ∝ chunkRows · M·K). */
  chunkRows: number;
  /** Gumbel noise [rows, M·K] for the rows start … start + rows − 1 (same values when called again); null = none. */
  noise: ((start: number, rows: number) => tf.Tensor2D) | null;
}

/** Per-group softmax over the last K of [rows, M·K]. */
function groupSoftmax(x: tf.Tensor2D, M: number, K: number): tf.Tensor2D {
  return tf.reshape(tf.softmax(tf.reshape(x, [-1, M, K])), [-1, M * K]) as tf.Tensor2D;
}

/** Whether this backend's tensors can be read synchronously (the CPU backends). */
const readsSync = () => tf.getBackend() !== 'webgpu';

/**
 * Row blocks of a [V, C] tensor as tensors of their own, through one read of its data: tfjs-wasm's Slice
 * copies at ~180 MB/s (71 ms for 4,096 rows of [36,968 × 768]), a typed-array copy at memory speed.
 * One chunk: the tensor itself (not disposed by `dispose`). On a GPU backend (no synchronous reads in
 * Node) the blocks are tf.slice / tf.concat.
 */
function splitRows(
  t: tf.Tensor2D,
  chunks: readonly [number, number][],
): { parts: tf.Tensor2D[]; dispose: () => void } {
  if (chunks.length === 1) return { parts: [t], dispose: () => {} };
  if (!readsSync()) {
    const parts = chunks.map(([start, rows]) => tf.slice(t, [start, 0], [rows, -1]) as tf.Tensor2D);
    return { parts, dispose: () => tf.dispose(parts) };
  }
  const cols = t.shape[1];
  const data = t.dataSync() as Float32Array;
  const parts = chunks.map(([start, rows]) =>
    tf.tensor2d(data.subarray(start * cols, (start + rows) * cols), [rows, cols]),
  );
  return { parts, dispose: () => tf.dispose(parts) };
}

/** The row blocks stacked back ([Σ rows, C]) through typed arrays (disposes the blocks when there are several). */
function concatRows(parts: tf.Tensor2D[]): tf.Tensor2D {
  if (parts.length === 1) return parts[0]!;
  if (!readsSync()) {
    const joined = tf.concat(parts, 0) as tf.Tensor2D;
    tf.dispose(parts);
    return joined;
  }
  const cols = parts[0]!.shape[1];
  const out = new Float32Array(parts.reduce((n, p) => n + p.shape[0], 0) * cols);
  let at = 0;
  for (const p of parts) {
    out.set(p.dataSync() as Float32Array, at);
    at += p.size;
  }
  tf.dispose(parts);
  return tf.tensor2d(out, [out.length / cols, cols]);
}

interface ChunkGrads {
  dCodebooks: tf.Tensor;
  dW2: tf.Tensor;
  dB2: tf.Tensor;
  dW1: tf.Tensor;
  dB1: tf.Tensor;
  dOff?: tf.Tensor2D;
}

interface ChunkForward {
  h: tf.Tensor2D;
  pre2: tf.Tensor2D;
  logits: tf.Tensor2D;
  codes: tf.Tensor2D;
  composite: tf.Tensor2D;
}

function forwardChunk(
  x: tf.Tensor2D,
  w: SoftCodeWeights,
  offsets: tf.Tensor2D | null,
  noise: tf.Tensor2D | null,
  o: ChunkedSoftCodesOptions,
): ChunkForward {
  const h = tf.tanh(tf.add(tf.matMul(x, w.w1), w.b1)) as tf.Tensor2D;
  const pre2 = tf.add(tf.matMul(h, w.w2), w.b2) as tf.Tensor2D;
  const s = tf.softplus(pre2);
  const logits = (offsets ? tf.add(s, offsets) : s) as tf.Tensor2D;
  const logAlpha = tf.reshape(tf.logSoftmax(tf.reshape(logits, [-1, o.M, o.K])), [
    -1,
    o.M * o.K,
  ]) as tf.Tensor2D;
  const z = tf.div(noise ? tf.add(logAlpha, noise) : logAlpha, o.temperature) as tf.Tensor2D;
  const codes = groupSoftmax(z, o.M, o.K);
  return { h, pre2, logits, codes, composite: tf.matMul(codes, w.codebooks) };
}

/**
 * e = softCodes(X) · codebooks for all rows of X ([V, N], no gradient), differentiable w.r.t. the MLP
 * weights, the codebooks and `offsets` ([V, M·K] or null). Same values as the autodiff path
 * (CompositionalCodes.softCodes + compose) for the same noise.
 */
export function chunkedSoftComposite(
  X: tf.Tensor2D,
  weights: SoftCodeWeights,
  offsets: tf.Tensor2D | null,
  o: ChunkedSoftCodesOptions,
): tf.Tensor2D {
  const V = X.shape[0];
  const chunks: [number, number][] = [];
  for (let start = 0; start < V; start += o.chunkRows) chunks.push([start, Math.min(o.chunkRows, V - start)]);
  const split = (t: tf.Tensor2D) => splitRows(t, chunks);
  const inputs = [
    weights.w1,
    weights.b1,
    weights.w2,
    weights.b2,
    weights.codebooks,
    ...(offsets ? [offsets] : []),
  ];

  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const [w1, b1, w2, b2, codebooks, off] = args.slice(0, -1) as tf.Tensor[];
    const w = { w1, b1, w2, b2, codebooks } as SoftCodeWeights;
    const offT = (off ?? null) as tf.Tensor2D | null;
    const xs = split(X);
    const offs = offT ? split(offT) : null;
    const parts = chunks.map(([start, rows], c) =>
      tf.tidy(() => {
        const noise = o.noise ? o.noise(start, rows) : null;
        return forwardChunk(xs.parts[c]!, w, offs ? offs.parts[c]! : null, noise, o).composite;
      }),
    );
    xs.dispose();
    offs?.dispose();
    const value = concatRows(parts);
    save([X, ...(args.slice(0, -1) as tf.Tensor[])]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sX, sw1, sb1, sw2, sb2, sCodebooks, sOff] = saved as tf.Tensor2D[];
        const sw = {
          w1: sw1,
          b1: sb1,
          w2: sw2,
          b2: sb2,
          codebooks: sCodebooks,
        } as unknown as SoftCodeWeights;
        const grads = {
          w1: tf.zerosLike(sw1),
          b1: tf.zerosLike(sb1),
          w2: tf.zerosLike(sw2),
          b2: tf.zerosLike(sb2),
          codebooks: tf.zerosLike(sCodebooks),
        };
        const dOffsets: tf.Tensor2D[] = [];
        const add = (key: keyof typeof grads, g: tf.Tensor) => {
          const next = tf.add(grads[key], g);
          grads[key].dispose();
          grads[key] = next as never;
        };
        const codebooksT = tf.transpose(sCodebooks) as tf.Tensor2D;
        const w2T = tf.transpose(sw2) as tf.Tensor2D;
        const xs = split(sX);
        const offs = sOff ? split(sOff) : null;
        const dys = split(dy as tf.Tensor2D);
        for (const [c, [start, rows]] of chunks.entries()) {
          const parts = tf.tidy((): tf.TensorContainer => {
            const x = xs.parts[c]!;
            const noise = o.noise ? o.noise(start, rows) : null;
            const fw = forwardChunk(x, sw, offs ? offs.parts[c]! : null, noise, o);
            const dE = dys.parts[c]!;
            const dCodebooks = tf.matMul(tf.transpose(fw.codes), dE); // [M·K, N]
            const dCodes = tf.matMul(dE, codebooksT); // [rows, M·K]
            // Per codebook ([rows, M, K], sums over K broadcast back: 10× faster on tfjs-wasm than tiling them).
            const as3 = (t: tf.Tensor) => tf.reshape(t, [rows, o.M, o.K]) as tf.Tensor3D;
            const codes3 = as3(fw.codes);
            const dCodes3 = as3(dCodes);
            // softmax: dz = O ⊙ (dO − Σ_K O ⊙ dO); z = (log α + G) / ε
            const dLogAlpha3 = tf.div(
              tf.mul(codes3, tf.sub(dCodes3, tf.sum(tf.mul(codes3, dCodes3), 2, true))),
              o.temperature,
            );
            // log-softmax: dℓ = d log α − softmax(ℓ) ⊙ Σ_K d log α
            const dLogits = tf.reshape(
              tf.sub(dLogAlpha3, tf.mul(tf.softmax(as3(fw.logits)), tf.sum(dLogAlpha3, 2, true))),
              [rows, o.M * o.K],
            ) as tf.Tensor2D;
            const dPre2 = tf.mul(dLogits, tf.sigmoid(fw.pre2)) as tf.Tensor2D; // softplus' = sigmoid
            const dW2 = tf.matMul(tf.transpose(fw.h), dPre2);
            const dPre1 = tf.mul(tf.matMul(dPre2, w2T), tf.sub(1, tf.square(fw.h))) as tf.Tensor2D; // tanh'
            const dW1 = tf.matMul(tf.transpose(x), dPre1);
            return {
              dCodebooks,
              dW2,
              dB2: tf.sum(dPre2, 0),
              dW1,
              dB1: tf.sum(dPre1, 0),
              ...(sOff ? { dOff: dLogits } : {}),
            };
          }) as unknown as ChunkGrads;
          add('codebooks', parts.dCodebooks);
          add('w2', parts.dW2);
          add('b2', parts.dB2);
          add('w1', parts.dW1);
          add('b1', parts.dB1);
          tf.dispose([parts.dCodebooks, parts.dW2, parts.dB2, parts.dW1, parts.dB1]);
          if (parts.dOff) dOffsets.push(parts.dOff);
        }
        tf.dispose([codebooksT, w2T]);
        xs.dispose();
        offs?.dispose();
        dys.dispose();
        const out: tf.Tensor[] = [grads.w1, grads.b1, grads.w2, grads.b2, grads.codebooks];
        if (sOff) out.push(concatRows(dOffsets));
        return out;
      },
    };
  });
  return f(...inputs) as tf.Tensor2D;
}
