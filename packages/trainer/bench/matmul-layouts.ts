// Why the trainer's big products are laid out as they are: GFLOP/s of tfjs-wasm (Node) for the
// scoring product in every layout, and the [B, V]-sized ops around it.
// Run: cd packages/trainer && npx tsx bench/matmul-layouts.ts [threads]
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const threads = Number(process.argv[2] ?? 0);
if (threads) setThreadsCount(threads);
await tf.setBackend('wasm');
await tf.ready();
console.log(
  `backend ${tf.getBackend()}, threads ${getThreadsCount()}, simd ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, ` +
    `multithread ${String(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'))}`,
);
const B = 1024;
const N = 128;
const V = 40727;

function bench(name: string, f: () => tf.Tensor, flop: number): void {
  f().dispose();
  const reps = 3;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const r = f();
    r.dataSync();
    r.dispose();
  }
  const s = (performance.now() - t0) / 1000 / reps;
  console.log(
    `${name.padEnd(32)} ${(s * 1000).toFixed(0).padStart(6)} ms${flop ? `  ${(flop / s / 1e9).toFixed(1)} GFLOP/s` : ''}`,
  );
}

const H = tf.randomUniform([B, N]);
const X = tf.randomUniform([V, N]);
const Xt = tf.randomUniform([N, V]);
const G = tf.randomUniform([B, V]);
const Ht = tf.randomUniform([N, B]);
const flop = 2 * B * N * V;
bench('H·Xt      A·B  [B,N][N,V]', () => tf.matMul(H, Xt), flop);
bench('H·Xᵀ      transposeB', () => tf.matMul(H, X, false, true), flop);
bench('G·X       A·B  [B,V][V,N]', () => tf.matMul(G, X), flop);
bench('Ht·G      A·B  [N,B][B,V]', () => tf.matMul(Ht, G), flop);
bench('Gᵀ·H      transposeA', () => tf.matMul(G, H, true, false), flop);
bench('transpose X [V,N]', () => tf.transpose(X), 0);
bench('softmax [B,V]', () => tf.softmax(G), 0);
bench('logSoftmax [B,V]', () => tf.logSoftmax(G), 0);
