// The installed trainer (`session-rec` bin, dist/cli/bin.js): plain Node ESM, no tsx at run time.
// Unbundled (one file per source module) so that files found by URL at run time keep their place next to
// the module that names them; every dependency stays external, so tfjs-backend-wasm finds its .wasm files
// and @duckdb/node-api its native binding inside their own installed packages.
import { defineConfig, type UserConfig } from 'tsdown';

const config: UserConfig = defineConfig({
  entry: {
    'cli/bin': 'src/cli/bin.ts',
    // Started with `new Worker(url)` by eval/evaluate-bundle.ts (--workers > 1), never imported.
    'eval/worker': 'src/eval/worker.ts',
  },
  unbundle: true,
  root: 'src',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  fixedExtension: false,
  dts: false,
  sourcemap: true,
  outDir: 'dist',
  clean: true,
  exports: false,
  publint: false,
  attw: false,
  deps: { onlyBundle: [] },
  plugins: [
    {
      // In the workspace the worker boots through tsx (worker-boot.mjs); built, it is plain JS beside its
      // parent module, so the Worker starts it directly.
      name: 'eval-worker-url',
      renderChunk(code) {
        const out = code.replace(/(new URL\()(['"])\.\/worker-boot\.mjs\2/g, '$1$2./worker.js$2');
        return out === code ? null : { code: out, map: null };
      },
    },
  ],
});

export default config;
