// `pnpm size`: the SDK's own code as a shop would ship it — the published build (dist/, built here with
// tsdown first) bundled with esbuild as a shop's bundler would (minified, ESM, code splitting so lazy
// import()s stay separate chunks, tfjs external), gzip level 9: the main entry, each lazy chunk, and the
// worker file (its own bundle, as Vite emits it). Fails above the SPEC §5 budget, or when tfjs is
// reachable without a lazy import.
import { build, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 50 * 1024;
const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'sdk-size-'));
execFileSync(join(sdkDir, 'node_modules/.bin/tsdown'), ['--log-level', 'error'], {
  cwd: sdkDir,
  stdio: 'inherit',
});

try {
  const failures: string[] = [];
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const main = await measure('dist/index.js', 'main');
  console.log(
    `SDK main entry (dist/index.js + static chunks, tfjs excluded): ${kb(main.eagerMin)} minified, ${kb(main.eagerGzip)} min+gzip (${main.eagerGzip} bytes; budget ${kb(BUDGET_BYTES)})`,
  );
  for (const c of main.lazy)
    console.log(`  lazy chunk ${c.name}: ${kb(c.min)} minified, ${kb(c.gzip)} min+gzip — ${c.inputs}`);
  const worker = await measure('dist/engine/webgpu-worker.js', 'worker');
  console.log(
    `Worker (dist/engine/webgpu-worker.js + static chunks, loaded by createWebGpuWorkerEngine): ${kb(worker.eagerMin)} minified, ${kb(worker.eagerGzip)} min+gzip`,
  );
  for (const c of worker.lazy)
    console.log(`  lazy chunk ${c.name}: ${kb(c.min)} minified, ${kb(c.gzip)} min+gzip — ${c.inputs}`);
  if (main.eagerGzip > BUDGET_BYTES)
    failures.push(`entry is ${main.eagerGzip} bytes min+gzip, over the ${BUDGET_BYTES}-byte budget`);
  for (const [name, m] of [
    ['entry', main],
    ['worker', worker],
  ] as const)
    if (m.tfjsEager.length > 0)
      failures.push(`tfjs is imported statically by the ${name}: ${m.tfjsEager.join(', ')}`);
  for (const f of failures) console.error(`size: FAIL: ${f}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

/** One built entry bundled as a shop's bundler would: what loads with it (eager) and its lazy chunks. */
async function measure(entryFile: string, label: string) {
  const result = await build({
    entryPoints: [join(sdkDir, entryFile)],
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    outdir: join(outdir, label),
    metafile: true,
    external: ['@tensorflow/*'],
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  const entryOut = Object.keys(outputs).find((path) => outputs[path].entryPoint !== undefined)!;
  // What loads with the entry: the entry chunk and the chunks it imports statically, transitively.
  const eager = new Set<string>();
  const visit = (path: string) => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const imp of outputs[path].imports)
      if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(entryOut);
  const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).byteLength;
  return {
    eagerMin: [...eager].reduce((s, p) => s + outputs[p].bytes, 0),
    eagerGzip: [...eager].reduce((s, p) => s + gz(p), 0),
    lazy: Object.keys(outputs)
      .filter((p) => !eager.has(p) && p.endsWith('.js'))
      .map((p) => ({
        name: relative(join(outdir, label), p),
        min: outputs[p].bytes,
        gzip: gz(p),
        inputs: describeInputs(outputs[p]),
      })),
    tfjsEager: [...eager]
      .flatMap((p) => outputs[p].imports)
      .filter((i) => i.path.startsWith('@tensorflow/'))
      .map((i) => i.path),
  };
}

/** The largest source folders in a chunk, so that a regression says where it comes from. */
function describeInputs(output: Metafile['outputs'][string]): string {
  const byDir = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const dir = path
      .replace(/^.*packages\/sdk\/(src|dist)\//, '')
      .split('/')
      .slice(0, 2)
      .join('/');
    byDir.set(dir, (byDir.get(dir) ?? 0) + bytesInOutput);
  }
  return [...byDir]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([d, n]) => `${d} ${(n / 1024).toFixed(1)} KB`)
    .join(', ');
}
