// The SDK's own browser-test server (started by playwright.config.ts): its harness pages, pages/sdk and
// pages/webgpu, with nothing of the demo app. The SDK is imported as a shop imports it (@session-rec/sdk).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./pages'),
  server: { fs: { allow: [here('../../..')] } },
  // Pre-bundle the SDK's dependencies at start-up: found later, Vite would reload the page under a test.
  optimizeDeps: {
    entries: ['**/*.html'],
    include: ['@session-rec/sdk > idb-keyval', '@session-rec/sdk > valibot'],
  },
});
