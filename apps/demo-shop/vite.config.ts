import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { modelsPlugin } from './src/server/models-plugin.ts';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  server: { fs: { allow: [here('../..')] } },
  plugins: [
    modelsPlugin({
      modelsDir: here('./public/models'),
      benchModelsDir: here('../../bench/.cache/models'),
      // The workspace's datasets live beside the checkout (../shared/datasets); never inside it.
      datasetsDir: process.env.BENCH_DATASETS_DIR ?? here('../../../shared/datasets'),
    }),
  ],
  // Pre-bundle the SDK's lazily imported dependencies at start-up: discovered later (first WebGPU/tfjs use),
  // Vite would re-optimise and reload the page under a running test or benchmark.
  optimizeDeps: {
    entries: ['index.html', 'bench.html', 'test-pages/**/*.html'],
    include: [
      '@session-rec/sdk > idb-keyval',
      '@session-rec/sdk > valibot',
      '@session-rec/sdk > @tensorflow/tfjs-core',
      '@session-rec/sdk > @tensorflow/tfjs-backend-webgpu',
      '@observablehq/plot',
    ],
  },
  build: {
    target: 'es2022',
    // The shop and the benchmark page; test harness pages are served by the dev server only.
    rollupOptions: { input: { shop: here('./index.html'), bench: here('./bench.html') } },
  },
});
