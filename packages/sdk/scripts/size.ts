// `pnpm size`: the SDK's own code as a shop would ship it — the entry bundled with esbuild (minified, ESM,
// code splitting so lazy import()s stay separate chunks, tfjs external), gzip level 9. Fails above the
// SPEC §5 budget, or when tfjs is reachable without a lazy import.
import { build, type Metafile } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 50 * 1024;
const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const entry = join(sdkDir, 'src/index.ts');
const outdir = mkdtempSync(join(tmpdir(), 'sdk-size-'));

try {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2022',
    outdir,
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
  const eagerMin = [...eager].reduce((s, p) => s + outputs[p].bytes, 0);
  const eagerGzip = [...eager].reduce((s, p) => s + gz(p), 0);
  const lazy = Object.keys(outputs).filter((p) => !eager.has(p) && p.endsWith('.js'));
  const tfjsEager = [...eager]
    .flatMap((p) => outputs[p].imports)
    .filter((i) => i.path.startsWith('@tensorflow/'));

  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `SDK entry (packages/sdk/src/index.ts + static chunks, tfjs excluded): ${kb(eagerMin)} minified, ${kb(eagerGzip)} min+gzip (${eagerGzip} bytes; budget ${kb(BUDGET_BYTES)})`,
  );
  for (const p of lazy) {
    console.log(
      `  lazy chunk ${relative(outdir, p)}: ${kb(outputs[p].bytes)} minified, ${kb(gz(p))} min+gzip — ${describeInputs(outputs[p])}`,
    );
  }
  const failures: string[] = [];
  if (eagerGzip > BUDGET_BYTES)
    failures.push(`entry is ${eagerGzip} bytes min+gzip, over the ${BUDGET_BYTES}-byte budget`);
  if (tfjsEager.length > 0)
    failures.push(`tfjs is imported statically: ${tfjsEager.map((i) => i.path).join(', ')}`);
  for (const f of failures) console.error(`size: FAIL: ${f}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

/** The largest source folders in a chunk, so that a regression says where it comes from. */
function describeInputs(output: Metafile['outputs'][string]): string {
  const byDir = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const dir = path
      .replace(/^.*packages\/sdk\/src\//, '')
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
