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
  build: {
    target: 'es2022',
    // The shop and the benchmark page; test harness pages are served by the dev server only.
    rollupOptions: { input: { shop: here('./index.html'), bench: here('./bench.html') } },
  },
});
