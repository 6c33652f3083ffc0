// The published build of @session-rec/sdk (`pnpm --filter @session-rec/sdk build` → dist/): ESM, .d.ts, source maps.
// Unbundled (one output file per source module): the shop's own bundler (Vite, webpack) does the bundling,
// tree-shaking and code splitting, so the lazy `import('../engine/webgpu/index.ts')` stays a lazy chunk for
// it, and the worker file sits next to its client, where `new URL('./webgpu-worker.js', import.meta.url)`
// finds it. Dependencies stay external (imports of idb-keyval, valibot, tfjs are left to the shop's bundler).
import { readFileSync } from 'node:fs';
import { defineConfig, type UserConfig } from 'tsdown';

/** dist/ name of a source module: src/engine/cpu/index.ts → engine/cpu/index (unbundled: same layout). */
export const distName = (srcPath: string): string => srcPath.replace(/^\.\/src\//, '').replace(/\.ts$/, '');

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string>;
};
/** Every public subpath's module (package.json `exports`, the workspace's) plus the workers, loaded by URL. */
const entry = Object.fromEntries(
  [
    ...Object.values(pkg.exports),
    './src/engine/webgpu-worker.ts',
    './src/engine/cpu/parallel/score-worker.ts',
  ].map((src) => [distName(src), src]),
);

const config: UserConfig = defineConfig({
  entry,
  unbundle: true,
  root: 'src',
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  dts: true,
  sourcemap: true,
  outDir: 'dist',
  clean: true,
  // package.json is written by hand (exports for the workspace point at src, publishConfig at dist).
  exports: false,
  // Fail the build if any dependency's code would be copied into dist: the shop installs them itself.
  deps: { neverBundle: [/^node:/], onlyBundle: [] },
  publint: false,
  attw: false,
  plugins: [
    {
      // Source files start workers by their .ts name (Vite and vitest serve TypeScript); the emitted file is
      // .js, in the same relative place (unbundled), so only the extension changes.
      name: 'worker-url-extension',
      renderChunk(code) {
        const out = code.replace(/(new URL\()(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
        return out === code ? null : { code: out, map: null };
      },
    },
  ],
});

export default config;
