// The reference forward pass of docs/model.md ("Encoder: session → θ"), in plain TypeScript.
// The trainer (tfjs) and the WebGPU engine are tested against this file: change it only with the contract.
// Per model: weights checked once and stored transposed and packed (x·W becomes contiguous dot products,
// linalg.packRows4); per engine: buffers for maxLen positions allocated once, so encode() allocates nothing.
// The encoder is causal, so the buffers double as a cache: a session that grows by one click costs one
// position through the blocks, not the whole window (docs/model.md "Incremental encoding").
import type { ModelBundle } from '../../bundle/types.ts';
import { ModelHyperError } from '../errors.ts';
import type { ItemTable } from './item-tables/types.ts';
import { layerNormRow, linearRow, packRows4, transpose } from './linalg.ts';
import { requireEncoderHyper, requireTensor, tensorShape } from '../tensors.ts';

export interface SessionEncoder {
  readonly dim: number;
  readonly maxLen: number;
  /**
   * θ for a session of internal item indices, oldest first (only the last maxLen are read).
   * Writes into `theta` (length dim) when given; the returned array is otherwise reused by the next call.
   * Throws a RangeError naming the position of an index outside [0, V), and for an empty session.
   *
   * Incremental: the encoder keeps the window of its last call (its items, and per position the blocks'
   * keys/values, x_t and x_t·readout.w2). Only the positions after the longest common start of the two
   * windows run through the blocks (x_t depends on clicks 0 … t alone): one for a session that grew by one
   * click, none for the same session again, all of them for a window that slid past maxLen (every position
   * moved) or a different session. θ is bit-identical to a fresh encoder's either way: each position gets
   * the same arithmetic, and the readout (which depends on the mean x̄) is always redone, O(n·dim + dim²).
   */
  encode(session: ArrayLike<number>, theta?: Float32Array): Float32Array;
  /**
   * θ of the cached window plus `item` (the explicit form of what encode() detects): one position when the
   * window has room, a full recompute of the last maxLen clicks once it is full (positions are absolute).
   */
  extend(item: number, theta?: Float32Array): Float32Array;
  /** Forgets the cached window (the next encode recomputes). */
  reset(): void;
  /** The cached window, oldest first (a copy). */
  window(): number[];
  /** Positions run through the blocks since creation: what the cache saves, for tests and benchmarks. */
  readonly positionsComputed: number;
  /**
   * θ of every prefix session[0 … n) for n = 1 … length, into thetas[(n − 1)·dim …] — one causal pass
   * for all of them (the evaluator's test cases are the prefixes of a session). length ≤ maxLen.
   * Leaves the session as the cached window.
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
  const checked = requireEncoderHyper(bundle);
  const { dim: N, maxLen, heads, blocks: blockCount, embScale, layerNormEps: eps } = checked;
  if (table.dim !== N) throw new ModelHyperError('dim', `${N}, but the item table has width ${table.dim}`);

  const vec = (name: string): Float32Array => requireTensor(bundle, name, ['float32'], [N]);
  // Wᵀ [cols, rows], packed for linearRow.
  const matT = (name: string, rows: number, cols: number): Float32Array =>
    packRows4(transpose(requireTensor(bundle, name, ['float32'], [rows, cols]), rows, cols), cols, rows);

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

  // Per position t of the window (the cache): h = the activations while the blocks run, x = final LN,
  // xw2 = x_t·readout.w2; per block, the keys and values that later positions attend to.
  const maxHidden = blocks.reduce((m, b) => Math.max(m, b.hidden), 0);
  const h = new Float32Array(maxLen * N);
  const x = new Float32Array(maxLen * N);
  const xw2 = new Float32Array(maxLen * N);
  const keys = blocks.map(() => new Float32Array(maxLen * N));
  const values = blocks.map(() => new Float32Array(maxLen * N));
  const cachedItems = new Int32Array(maxLen);
  let cachedN = 0;
  let positionsComputed = 0;
  // One-position scratch.
  const ln = new Float32Array(N);
  const query = new Float32Array(N);
  const attnOut = new Float32Array(N);
  const tmp = new Float32Array(N);
  const ffnHidden = new Float32Array(maxHidden);
  const weights = new Float64Array(maxLen);
  const xbar = new Float32Array(N);
  const xbarW1 = new Float32Array(N);
  const thetaAcc = new Float64Array(N);
  const ownTheta = new Float32Array(N);
  const headDim = N / heads;
  const scale = 1 / Math.sqrt(headDim);

  /** Causal attention of position t over positions 0 … t of one block's keys/values, into attnOut. */
  function attention(t: number, km: Float32Array, vm: Float32Array): void {
    for (let j = 0; j < heads; j++) {
      const c0 = j * headDim;
      let max = -Infinity;
      for (let u = 0; u <= t; u++) {
        const ko = u * N + c0;
        let s = 0;
        for (let d = 0; d < headDim; d++) s += query[c0 + d] * km[ko + d];
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
      for (let d = 0; d < headDim; d++) {
        let acc = 0;
        for (let u = 0; u <= t; u++) acc += weights[u] * vm[u * N + c0 + d];
        attnOut[c0 + d] = acc / sum;
      }
    }
  }

  /**
   * Block b at position t: h[t] ← block(h[t]), storing its key and value. Needs the keys/values of
   * positions < t of this block, so the full pass runs it block by block and the incremental one only at
   * the new position: the same arithmetic either way.
   */
  function blockAt(b: number, t: number): void {
    const blk = blocks[b];
    const o = t * N;
    const km = keys[b];
    const vm = values[b];
    layerNormRow(h, o, N, blk.attnGamma, blk.attnBeta, eps, ln, 0);
    linearRow(ln, 0, N, blk.wqT, N, blk.bq, query, 0);
    linearRow(h, o, N, blk.wkT, N, blk.bk, km, o);
    linearRow(h, o, N, blk.wvT, N, blk.bv, vm, o);
    attention(t, km, vm);
    linearRow(attnOut, 0, N, blk.woT, N, blk.bo, tmp, 0);
    for (let d = 0; d < N; d++) h[o + d] = ln[d] + tmp[d];
    // g = LN(h) in ln (the attention's LN output is no longer needed).
    layerNormRow(h, o, N, blk.ffnGamma, blk.ffnBeta, eps, ln, 0);
    linearRow(ln, 0, N, blk.w1T, blk.hidden, blk.b1, ffnHidden, 0);
    for (let i = 0; i < blk.hidden; i++) if (ffnHidden[i] < 0) ffnHidden[i] = 0;
    linearRow(ffnHidden, 0, blk.hidden, blk.w2T, N, blk.b2, tmp, 0);
    for (let d = 0; d < N; d++) h[o + d] = ln[d] + tmp[d];
  }

  /** h[t] ← e(item)·embScale + pos[t]. */
  function embedAt(item: number, t: number): void {
    table.embedInto(item, h, t * N);
    for (let d = 0; d < N; d++) h[t * N + d] = embScale * h[t * N + d] + pos[t * N + d];
  }

  /** x[t] = final LN of h[t], and its readout term x_t·readout.w2. */
  function finishAt(t: number): void {
    layerNormRow(h, t * N, N, finalGamma, finalBeta, eps, x, t * N);
    linearRow(x, t * N, N, readW2T, N, undefined, xw2, t * N);
  }

  function checkItem(session: ArrayLike<number>, at: number): number {
    const item = session[at];
    if (!Number.isInteger(item) || item < 0 || item >= numItems) {
      throw new RangeError(`session[${at}] = ${item} is not an item index in [0, ${numItems})`);
    }
    return item;
  }

  /** Positions from … n−1 ← session[start + from …], given the cache holds positions 0 … from−1. */
  function computePositions(session: ArrayLike<number>, start: number, from: number, n: number): void {
    // Check every new item before touching the cache: a bad one leaves the cache as it was.
    for (let t = from; t < n; t++) checkItem(session, start + t);
    cachedN = Math.min(cachedN, from);
    for (let t = from; t < n; t++) embedAt(session[start + t], t);
    for (let b = 0; b < blocks.length; b++) for (let t = from; t < n; t++) blockAt(b, t);
    for (let t = from; t < n; t++) {
      finishAt(t);
      cachedItems[t] = session[start + t];
    }
    cachedN = n;
    positionsComputed += n - from;
  }

  /**
   * Makes the cache hold the window session[start … start + n): keeps the positions it shares with the
   * cached window from the start (x_t depends only on clicks 0 … t), computes the rest.
   */
  function prepare(session: ArrayLike<number>, start: number, n: number): void {
    const limit = Math.min(cachedN, n);
    let from = 0;
    while (from < limit && cachedItems[from] === session[start + from]) from++;
    if (from < n) computePositions(session, start, from, n);
    cachedN = n;
  }

  /** Soft-attention readout (EODRec Eq. 3) over cached positions 0 … n−1. */
  function readout(n: number, theta: Float32Array, thetaOffset: number): void {
    for (let d = 0; d < N; d++) {
      let s = 0;
      for (let t = 0; t < n; t++) s += x[t * N + d];
      xbar[d] = s / n;
    }
    linearRow(xbar, 0, N, readW1T, N, readC, xbarW1, 0);
    thetaAcc.fill(0);
    for (let t = 0; t < n; t++) {
      const o = t * N;
      let alpha = 0;
      for (let d = 0; d < N; d++) alpha += readF[d] / (1 + Math.exp(-(xbarW1[d] + xw2[o + d])));
      for (let d = 0; d < N; d++) thetaAcc[d] += alpha * x[o + d];
    }
    for (let d = 0; d < N; d++) theta[thetaOffset + d] = thetaAcc[d];
  }

  function encode(session: ArrayLike<number>, theta: Float32Array = ownTheta): Float32Array {
    const len = session.length;
    if (len === 0) throw new RangeError('session must contain at least one item to be encoded');
    const n = Math.min(len, maxLen);
    prepare(session, len - n, n);
    readout(n, theta, 0);
    return theta;
  }

  function extend(item: number, theta: Float32Array = ownTheta): Float32Array {
    if (!Number.isInteger(item) || item < 0 || item >= numItems)
      throw new RangeError(`item ${item} is not an item index in [0, ${numItems})`);
    if (cachedN < maxLen) {
      cachedItems[cachedN] = item;
      computePositions(cachedItems, 0, cachedN, cachedN + 1);
    } else {
      // A full window slides by one: every position moves, so the whole window is recomputed.
      cachedItems.copyWithin(0, 1);
      cachedItems[maxLen - 1] = item;
      computePositions(cachedItems, 0, 0, maxLen);
    }
    readout(cachedN, theta, 0);
    return theta;
  }

  function encodePrefixes(session: ArrayLike<number>, thetas: Float32Array): Float32Array {
    const len = session.length;
    if (len === 0 || len > maxLen)
      throw new RangeError(`session length ${len} is not in [1, maxLen = ${maxLen}]`);
    if (thetas.length < len * N)
      throw new RangeError(`thetas has length ${thetas.length}, needs ${len} × ${N}`);
    // Causality: x_t does not depend on later items, so one pass serves every prefix.
    prepare(session, 0, len);
    for (let n = 1; n <= len; n++) readout(n, thetas, (n - 1) * N);
    return thetas;
  }

  return {
    dim: N,
    maxLen,
    encode,
    extend,
    encodePrefixes,
    reset() {
      cachedN = 0;
    },
    window: () => Array.from(cachedItems.subarray(0, cachedN)),
    get positionsComputed() {
      return positionsComputed;
    },
  };
}
