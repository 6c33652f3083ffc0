// The benchmark's tfjs comparison engine (src/bench/tfjs-engine.ts) equals the SDK's CPU reference, through the
// SDK's equivalence harness (packages/sdk/e2e/equivalence.ts) on the benchmark's test page.
import { equivalenceTests, type EquivalenceCase } from '../../../packages/sdk/e2e/equivalence.ts';

// The generic-op comparison engine computes the same thing (tfjs's topk does not promise the tie rule, so
// only cases without exact score ties are used).
const tfjsCases: { name: string; c: EquivalenceCase }[] = [
  {
    name: 'tfjs-webgpu: full, V=1001, 2 heads',
    c: {
      kind: 'full',
      engine: 'tfjs-webgpu',
      bundle: { numItems: 1001, dim: 32, heads: 2, seed: 1 },
      sessions: 4,
      ks: [10, 100],
    },
  },
  {
    name: 'tfjs-webgpu: compositional, V=2049, M=5',
    c: {
      kind: 'compositional',
      engine: 'tfjs-webgpu',
      bundle: { numItems: 2049, dim: 32, M: 5, K: 256, seed: 4 },
      sessions: 4,
      ks: [10],
    },
  },
  {
    name: 'tfjs-webgpu: compositional with a repeat head, V=2049',
    c: {
      kind: 'compositional',
      engine: 'tfjs-webgpu',
      bundle: { numItems: 2049, dim: 32, M: 4, K: 32, seed: 13, repeatHead: 6 },
      sessions: 4,
      ks: [10],
    },
  },
  {
    name: 'tfjs-webgpu: compositional with a popularity prior and a repeat head, V=2049',
    c: {
      kind: 'compositional',
      engine: 'tfjs-webgpu',
      bundle: { numItems: 2049, dim: 32, M: 4, K: 32, seed: 15, repeatHead: 4, popularityPrior: 1000 },
      sessions: 4,
      ks: [10],
    },
  },
  {
    name: 'tfjs-webgpu: tt, V=1500',
    c: {
      kind: 'tt',
      engine: 'tfjs-webgpu',
      bundle: { numItems: 1500, dim: 32, seed: 6 },
      sessions: 3,
      ks: [10],
    },
  },
];

equivalenceTests('WebGPU engine ≡ CPU engine', '/test-pages/bench/index.html', tfjsCases);
