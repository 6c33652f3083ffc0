// The reference forward pass of docs/model.md ("Encoder: session → θ"), in plain TypeScript.
// The trainer (tfjs) and the WebGPU engine are tested against this file: change it only with the contract.
// Per model: weights checked once and stored transposed (x·W becomes contiguous dot products);
// per engine: scratch buffers for maxLen positions allocated once, so encode() allocates nothing.
import type { ModelBundle } from '../../bundle/types.ts';
import { ModelHyperError } from './errors.ts';
import type { ItemTable } from './item-tables/types.ts';
import { layerNorm, linear, transpose } from './linalg.ts';
import { hyperNumber, requireHyperInt, requireTensor, tensorShape } from './tensors.ts';

export interface SessionEncoder {
  readonly dim: number;
  readonly maxLen: number;
  /**
   * θ for a session of internal item indices, oldest first (only the last maxLen are read).
   * Writes into `theta` (length dim) when given; the returned array is otherwise reused by the next call.
   * Throws a RangeError naming the position of an index outside [0, V), and for an empty session.
   */
  encode(session: ArrayLike<number>, theta?: Float32Array): Float32Array;
  /**
   * θ of every prefix session[0 … n) for n = 1 … length, into thetas[(n − 1)·dim …] — one causal pass
   * for all of them (the evaluator's test cases are the prefixes of a session). length ≤ maxLen.
   */
  encodePrefixes(session: ArrayLike<number>, thetas: Float32Array): Float32Array;
}

interface Block {
  attnGamma: Float32Array;
  attnBeta: Float32Array;
  wqT: Float32Array;
  bq: Float32Array;
  wkT: Float32Array;
  bk: Float32Array;
  wvT: Float32Array;
  bv: Float32Array;
  woT: Float32Array;
  bo: Float32Array;
  ffnGamma: Float32Array;
  ffnBeta: Float32Array;
  w1T: Float32Array;
  b1: Float32Array;
  w2T: Float32Array;
  b2: Float32Array;
  hidden: number;
}

export function createEncoder(bundle: ModelBundle, table: ItemTable): SessionEncoder {
  const hyper = bundle.manifest.hyper;
  const numItems = hyper.numItems;
  const N = requireHyperInt(bundle, 'dim');
  const maxLen = requireHyperInt(bundle, 'maxLen');
  const heads = requireHyperInt(bundle, 'heads');
  const blockCount = requireHyperInt(bundle, 'blocks');
  const embScale = hyperNumber(bundle, 'embScale', NaN);
  const eps = hyperNumber(bundle, 'layerNormEps', NaN);
  if (Number.isNaN(embScale)) throw new ModelHyperError('embScale', 'missing');
  if (Number.isNaN(eps) || eps <= 0) throw new ModelHyperError('layerNormEps', 'missing or not positive');
  if (N % heads !== 0) throw new ModelHyperError('heads', `${heads} does not divide dim ${N}`);
  if (table.dim !== N) throw new ModelHyperError('dim', `${N}, but the item table has width ${table.dim}`);

  const vec = (name: string): Float32Array => requireTensor(bundle, name, ['float32'], [N]);
  const matT = (name: string, rows: number, cols: number): Float32Array =>
    transpose(requireTensor(bundle, name, ['float32'], [rows, cols]), rows, cols);

  const pos = requireTensor(bundle, 'pos', ['float32'], [maxLen, N]);
  const blocks: Block[] = [];
  for (let b = 0; b < blockCount; b++) {
    const p = `block${b}.`;
    requireTensor(bundle, `${p}ffn.w1`, ['float32'], [N, -1]);
    const hidden = tensorShape(bundle, `${p}ffn.w1`)[1];
    blocks.push({
      attnGamma: vec(`${p}attn_ln.gamma`),
      attnBeta: vec(`${p}attn_ln.beta`),
      wqT: matT(`${p}attn.wq`, N, N),
      bq: vec(`${p}attn.bq`),
      wkT: matT(`${p}attn.wk`, N, N),
      bk: vec(`${p}attn.bk`),
      wvT: matT(`${p}attn.wv`, N, N),
      bv: vec(`${p}attn.bv`),
      woT: matT(`${p}attn.wo`, N, N),
      bo: vec(`${p}attn.bo`),
      ffnGamma: vec(`${p}ffn_ln.gamma`),
      ffnBeta: vec(`${p}ffn_ln.beta`),
      w1T: matT(`${p}ffn.w1`, N, hidden),
      b1: requireTensor(bundle, `${p}ffn.b1`, ['float32'], [hidden]),
      w2T: matT(`${p}ffn.w2`, hidden, N),
      b2: vec(`${p}ffn.b2`),
      hidden,
    });
  }
  const finalGamma = vec('final_ln.gamma');
  const finalBeta = vec('final_ln.beta');
  const readW1T = matT('readout.w1', N, N);
  const readW2T = matT('readout.w2', N, N);
  const readC = vec('readout.c');
  const readF = vec('readout.f');

  // Scratch, sized for maxLen positions.
  const maxHidden = blocks.reduce((m, b) => Math.max(m, b.hidden), 0);
  const h = new Float32Array(maxLen * N);
  const q = new Float32Array(maxLen * N);
  const qm = new Float32Array(maxLen * N);
  const km = new Float32Array(maxLen * N);
  const vm = new Float32Array(maxLen * N);
  const attnOut = new Float32Array(maxLen * N);
  const tmp = new Float32Array(maxLen * N);
  const ffnHidden = new Float32Array(maxLen * maxHidden);
  const weights = new Float64Array(maxLen);
  const xbar = new Float32Array(N);
  const xbarW1 = new Float32Array(N);
  const thetaAcc = new Float64Array(N);
  const ownTheta = new Float32Array(N);
  const headDim = N / heads;
  const scale = 1 / Math.sqrt(headDim);

  function attention(n: number): void {
    for (let j = 0; j < heads; j++) {
      const c0 = j * headDim;
      for (let t = 0; t < n; t++) {
        const qo = t * N + c0;
        let max = -Infinity;
        for (let u = 0; u <= t; u++) {
          const ko = u * N + c0;
          let s = 0;
          for (let d = 0; d < headDim; d++) s += qm[qo + d] * km[ko + d];
          s *= scale;
          weights[u] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let u = 0; u <= t; u++) {
          const e = Math.exp(weights[u] - max);
          weights[u] = e;
          sum += e;
        }
        const oo = t * N + c0;
        for (let d = 0; d < headDim; d++) {
          let acc = 0;
          for (let u = 0; u <= t; u++) acc += weights[u] * vm[u * N + c0 + d];
          attnOut[oo + d] = acc / sum;
        }
      }
    }
  }

  function runBlock(blk: Block, n: number): void {
    layerNorm(h, n, N, blk.attnGamma, blk.attnBeta, eps, q);
    linear(q, n, N, blk.wqT, N, blk.bq, qm);
    linear(h, n, N, blk.wkT, N, blk.bk, km);
    linear(h, n, N, blk.wvT, N, blk.bv, vm);
    attention(n);
    linear(attnOut, n, N, blk.woT, N, blk.bo, tmp);
    for (let i = 0; i < n * N; i++) h[i] = q[i] + tmp[i];
    // g = LN(h) lives in q (q is no longer needed).
    layerNorm(h, n, N, blk.ffnGamma, blk.ffnBeta, eps, q);
    linear(q, n, N, blk.w1T, blk.hidden, blk.b1, ffnHidden);
    for (let i = 0; i < n * blk.hidden; i++) if (ffnHidden[i] < 0) ffnHidden[i] = 0;
    linear(ffnHidden, n, blk.hidden, blk.w2T, N, blk.b2, tmp);
    for (let i = 0; i < n * N; i++) h[i] = q[i] + tmp[i];
  }

  /** Positions 0 … n−1 ← session[start …]: embeddings + positions, the blocks, the final LN (x in q). */
  function hiddenStates(session: ArrayLike<number>, start: number, n: number): void {
    for (let t = 0; t < n; t++) {
      const item = session[start + t];
      if (!Number.isInteger(item) || item < 0 || item >= numItems) {
        throw new RangeError(`session[${start + t}] = ${item} is not an item index in [0, ${numItems})`);
      }
      table.embedInto(item, h, t * N);
      for (let d = 0; d < N; d++) h[t * N + d] = embScale * h[t * N + d] + pos[t * N + d];
    }
    for (const blk of blocks) runBlock(blk, n);
    layerNorm(h, n, N, finalGamma, finalBeta, eps, q);
    // x_t · readout.w2 for every position (the readout's per-position term), kept in tmp.
    linear(q, n, N, readW2T, N, undefined, tmp);
  }

  /** Soft-attention readout (EODRec Eq. 3) over positions 0 … n−1 of the last hiddenStates call. */
  function readout(n: number, theta: Float32Array, thetaOffset: number): void {
    for (let d = 0; d < N; d++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += q[t * N + d];
      xbar[d] = s / n;
    }
    linear(xbar, 1, N, readW1T, N, readC, xbarW1);
    thetaAcc.fill(0);
    for (let t = 0; t < n; t++) {
      let alpha = 0;
      for (let d = 0; d < N; d++) alpha += readF[d] / (1 + Math.exp(-(xbarW1[d] + tmp[t * N + d])));
      for (let d = 0; d < N; d++) thetaAcc[d] += alpha * q[t * N + d];
    }
    for (let d = 0; d < N; d++) theta[thetaOffset + d] = thetaAcc[d];
  }

  function encode(session: ArrayLike<number>, theta: Float32Array = ownTheta): Float32Array {
    const len = session.length;
    if (len === 0) throw new RangeError('session must contain at least one item to be encoded');
    const n = Math.min(len, maxLen);
    hiddenStates(session, len - n, n);
    readout(n, theta, 0);
    return theta;
  }

  function encodePrefixes(session: ArrayLike<number>, thetas: Float32Array): Float32Array {
    const len = session.length;
    if (len === 0 || len > maxLen)
      throw new RangeError(`session length ${len} is not in [1, maxLen = ${maxLen}]`);
    if (thetas.length < len * N)
      throw new RangeError(`thetas has length ${thetas.length}, needs ${len} × ${N}`);
    // Causality: x_t does not depend on later items, so one pass serves every prefix.
    hiddenStates(session, 0, len);
    for (let n = 1; n <= len; n++) readout(n, thetas, (n - 1) * N);
    return thetas;
  }

  return { dim: N, maxLen, encode, encodePrefixes };
}
