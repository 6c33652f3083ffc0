import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { VitePWA } from 'vite-plugin-pwa';
import {
  CATEGORIES_CACHE,
  CATEGORIES_PATTERN,
  MODELS_INDEX_CACHE,
  MODELS_INDEX_PATTERN,
} from './src/offline/caches.ts';
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
      qualityEvalsDir: here('../../results/quality/evals'),
    }),
    // Production build only (`npm start`): a service worker precaches the shop's shell and keeps the model
    // list, so that a second visit works offline. Model bundles (3–40 MB) are never cached here: the SDK
    // keeps the chosen one in IndexedDB and serves it with an `offline` warning when the network is gone.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script',
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,ico,woff2}'],
        // The benchmark page and its chunks are a developer tool, and the bundles are the SDK's to store.
        globIgnores: [
          'bench.html',
          'assets/bench-*',
          'assets/ort*',
          'models/**',
          'bench-models/**',
          'test-pages/**',
        ],
        navigateFallback: 'index.html',
        navigateFallbackAllowlist: [/^\/(index\.html)?(\?.*)?$/],
        clientsClaim: true,
        skipWaiting: true,
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: MODELS_INDEX_PATTERN,
            handler: 'NetworkFirst',
            options: { cacheName: MODELS_INDEX_CACHE, networkTimeoutSeconds: 5 },
          },
          {
            urlPattern: CATEGORIES_PATTERN,
            handler: 'StaleWhileRevalidate',
            options: { cacheName: CATEGORIES_CACHE },
          },
        ],
      },
    }),
  ],
  // Pre-bundle the SDK's lazily imported dependencies at start-up: discovered later (first WebGPU/tfjs use; tfjs is the benchmark's),
  // Vite would re-optimise and reload the page under a running test or benchmark.
  optimizeDeps: {
    entries: ['index.html', 'bench.html', 'test-pages/**/*.html'],
    include: [
      '@session-rec/sdk > idb-keyval',
      '@session-rec/sdk > valibot',
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-webgpu',
      '@observablehq/plot',
    ],
  },
  build: {
    target: 'es2022',
    // The shop and the benchmark page; test harness pages are served by the dev server only.
    rollupOptions: { input: { shop: here('./index.html'), bench: here('./bench.html') } },
  },
});
