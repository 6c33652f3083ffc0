// The WebGPU engine equals the CPU reference (SPEC §5): for every bundle kind, random bundles of several
// sizes (item counts that are not multiples of any workgroup size, K = 256, M = 1 and 5, two heads, two
// blocks) and random sessions of length 1–50, the WebGPU top-k equals the CPU top-k (swaps only inside
// 1e-5 relative score ties) and every score is within 1e-4 relative of the CPU's. Runs in real Chromium
// (SwiftShader without a GPU); sizes are kept small because SwiftShader is slow on 2 shared cores.
import { equivalenceTests, type EquivalenceCase } from './equivalence.ts';

const cases: { name: string; c: EquivalenceCase }[] = [
  {
    name: 'full, V=1001, N=32, 2 heads',
    c: {
      kind: 'full',
      bundle: { numItems: 1001, dim: 32, heads: 2, seed: 1 },
      sessions: 6,
      ks: [1, 10, 100],
    },
  },
  {
    name: 'full, V=3001, N=64, 2 blocks',
    c: {
      kind: 'full',
      bundle: { numItems: 3001, dim: 64, blocks: 2, seed: 2 },
      sessions: 5,
      ks: [20, 600, 1500],
    },
  },
  {
    name: 'compositional, V=5003, M=1, K=256',
    c: {
      kind: 'compositional',
      bundle: { numItems: 5003, dim: 32, M: 1, K: 256, seed: 3 },
      sessions: 6,
      ks: [1, 100],
    },
  },
  {
    name: 'compositional, V=2049, M=5, K=256, N=64',
    c: {
      kind: 'compositional',
      bundle: { numItems: 2049, dim: 64, M: 5, K: 256, heads: 2, seed: 4 },
      sessions: 6,
      ks: [10, 100],
    },
  },
  {
    name: 'compositional, V=1500, M=3, K=300 (16-bit codes)',
    c: {
      kind: 'compositional',
      bundle: { numItems: 1500, dim: 16, M: 3, K: 300, seed: 5 },
      sessions: 4,
      ks: [50],
    },
  },
  {
    name: 'tt, V=1500, N=32, ranks 4',
    c: { kind: 'tt', bundle: { numItems: 1500, dim: 32, seed: 6 }, sessions: 6, ks: [1, 100] },
  },
  {
    name: 'tt, V=4099, N=64, ranks 8',
    c: {
      kind: 'tt',
      bundle: { numItems: 4099, dim: 64, ttRanks: [8, 8], heads: 2, seed: 7 },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    name: 'tt, 2 cores, V=700',
    c: {
      kind: 'tt',
      bundle: { numItems: 700, dim: 16, ttP: [27, 27], ttQ: [4, 4], ttRanks: [6], seed: 8 },
      sessions: 4,
      ks: [10],
    },
  },
  {
    name: 'tt, 1 core, V=300',
    c: {
      kind: 'tt',
      bundle: { numItems: 300, dim: 16, ttP: [300], ttQ: [16], ttRanks: [], seed: 13 },
      sessions: 3,
      ks: [10],
    },
  },
  {
    name: 'tt, 4 cores, V=2500, ranks 3/5/4',
    c: {
      kind: 'tt',
      bundle: {
        numItems: 2500,
        dim: 32,
        ttP: [3, 5, 13, 13],
        ttQ: [2, 2, 2, 4],
        ttRanks: [3, 5, 4],
        seed: 14,
      },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    name: 'sttd, V=2000, N=32',
    c: { kind: 'sttd', bundle: { numItems: 2000, dim: 32, seed: 9 }, sessions: 6, ks: [1, 100] },
  },
  {
    name: 'sttd, V=3333, N=64, 2 heads',
    c: { kind: 'sttd', bundle: { numItems: 3333, dim: 64, heads: 2, seed: 10 }, sessions: 4, ks: [10, 100] },
  },
  {
    name: 'popularity, V=777',
    c: { kind: 'popularity', bundle: { numItems: 777, seed: 11 }, sessions: 3, ks: [5, 100] },
  },
  {
    // Sessions go back to earlier clicks (the harness draws repeats when the bundle has a head).
    name: 'compositional with a repeat head, V=2049',
    c: {
      kind: 'compositional',
      bundle: { numItems: 2049, dim: 32, M: 4, K: 32, seed: 13, repeatHead: 6 },
      sessions: 6,
      ks: [1, 10, 100],
    },
  },
  {
    name: 'sttd with a repeat head of one recency bias, V=2000',
    c: {
      kind: 'sttd',
      bundle: { numItems: 2000, dim: 32, seed: 14, repeatHead: 1 },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    // The prior's scatter (depth not a multiple of the workgroup) runs before the repeat head reads the scores.
    name: 'compositional with a popularity prior (depth 1000) and a repeat head, V=2049',
    c: {
      kind: 'compositional',
      bundle: { numItems: 2049, dim: 32, M: 4, K: 32, seed: 15, repeatHead: 4, popularityPrior: 1000 },
      sessions: 6,
      ks: [1, 10, 100],
    },
  },
  {
    name: 'full with a popularity prior over the whole catalogue, V=1001',
    c: {
      kind: 'full',
      bundle: { numItems: 1001, dim: 32, heads: 2, seed: 16, popularityPrior: 1001 },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    name: 'k larger than the catalogue, V=60',
    c: {
      kind: 'compositional',
      bundle: { numItems: 60, dim: 16, M: 2, K: 8, seed: 12 },
      sessions: 4,
      ks: [100],
    },
  },
];

// The same engine in a Web Worker (webgpu-worker.ts) answers the same.
const workerCases: { name: string; c: EquivalenceCase }[] = [
  {
    name: 'webgpu in a worker: compositional, V=2049, M=5',
    c: {
      kind: 'compositional',
      engine: 'webgpu-worker',
      bundle: { numItems: 2049, dim: 32, M: 5, K: 256, seed: 4 },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    name: 'webgpu in a worker: tt, V=1500',
    c: {
      kind: 'tt',
      engine: 'webgpu-worker',
      bundle: { numItems: 1500, dim: 32, seed: 6 },
      sessions: 3,
      ks: [10],
    },
  },
];

equivalenceTests('WebGPU engine ≡ CPU engine', '/webgpu/index.html', [...cases, ...workerCases]);
