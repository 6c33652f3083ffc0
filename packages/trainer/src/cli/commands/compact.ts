// `pnpm train compact --bundle <dir> --out <dir> [--float16 all|codebooks|none] [--no-pack-codes]
//    [--mgqe <K_tail> [--head-fraction 0.1]] [--dataset <dir>]`
// The same trained bundle stored smaller (compact/compact-bundle.ts). With --dataset the written bundle is
// scored on the dataset's test set (pnpm eval's protocol) and carries those metrics; without it a lossy
// compaction (float16, MGQE) keeps no metrics rather than claim the source's. Prints a JSON report.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MANIFEST_FILE, encodeBundle, type Manifest } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import {
  compactBundleInput,
  FLOAT16_CHOICES,
  type CompactOptions,
  type Float16Choice,
} from '../../compact/compact-bundle.ts';
import { datasetItemId, popularityCounts } from '../../data/index.ts';
import { evaluateBundle } from '../../eval/index.ts';
import { readDataset } from '../../data/index.ts';
import { num } from '../../flags.ts';
import { progressPrinter } from '../../progress.ts';

interface CompactFlags {
  bundle: string;
  out: string;
  float16: Float16Choice;
  packCodes: boolean;
  mgqe?: string;
  headFraction: string;
  dataset?: string;
}

const totalBytes = (files: Map<string, Uint8Array>) =>
  [...files.values()].reduce((s, f) => s + f.byteLength, 0);
const round2 = (x: number) => Math.round(x * 100) / 100;
/** Bytes of one tensor as written (packed, row-packed or plain). */
const storedBytes = (files: Map<string, Uint8Array>, name: string): number =>
  (JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE))) as Manifest).tensors.find(
    (t) => t.name === name,
  )!.byteLength;

export async function compactCommand(flags: CompactFlags, command: string): Promise<Record<string, unknown>> {
  const bundle = await readBundleDir(resolve(flags.bundle));
  const { manifest } = bundle;
  const bytesBefore = [MANIFEST_FILE, ...manifest.files.map((f) => f.path)].reduce(
    (s, path) => s + statSync(join(resolve(flags.bundle), path)).size,
    0,
  );
  const data = flags.dataset === undefined ? undefined : readDataset(resolve(flags.dataset));
  let mgqe: CompactOptions['mgqe'];
  if (flags.mgqe !== undefined) {
    if (!data) throw new Error('--mgqe needs --dataset: the head/tail split is by clicks in its train.txt');
    // Dataset item index i is external id datasetItemId(data)(i); counted in the bundle's index space.
    const itemCounts = new Float64Array(manifest.hyper.numItems);
    const itemId = datasetItemId(data);
    popularityCounts(data.trainSessions, data.numItems).forEach((n, i) => {
      const b = bundle.itemIndex(itemId(i));
      if (b >= 0) itemCounts[b] = n;
    });
    mgqe = {
      tailK: num(flags.mgqe, 'mgqe', { integer: true, min: 1 }),
      headFraction: num(flags.headFraction, 'head-fraction', { min: 0 }),
      itemCounts,
    };
  }
  const opts: CompactOptions = {
    float16: flags.float16,
    packCodes: flags.packCodes,
    ...(mgqe ? { mgqe } : {}),
  };
  const { input, mgqe: mgqeReport } = compactBundleInput(bundle, opts);
  const lossless = flags.float16 === 'none' && mgqe === undefined;
  const compact: Record<string, unknown> = {
    command,
    from: manifest.version,
    float16: flags.float16,
    packedCodes: flags.packCodes,
    ...(mgqeReport ? { mgqe: mgqeReport } : {}),
  };
  let metrics = lossless ? manifest.metrics : undefined;
  const encode = (info: Record<string, unknown>) =>
    encodeBundle({ ...input, ...(metrics ? { metrics } : {}), info: { ...input.info, ...info } });
  if (data) {
    // Scored as written, through pnpm eval's own path.
    await writeBundleDir(resolve(flags.out), await encode({ compact }));
    const result = await evaluateBundle({
      bundleDir: resolve(flags.out),
      datasetDir: resolve(flags.dataset!),
      onProgress: progressPrinter('compact: test'),
    });
    const { cases, ...percent } = result.metrics;
    metrics = Object.fromEntries(Object.entries(percent).map(([k, v]) => [k, Number(v.toFixed(4))]));
    Object.assign(compact, { measuredOn: { dataset: result.dataset, cases } });
  }
  // The student's byte ratio against its (float32) teacher, for the bytes as they are now.
  const teacherBytes = input.info?.teacherBundleBytes;
  const ratio = (bytes: number) =>
    typeof teacherBytes === 'number' ? { compressionRatioBytes: round2(teacherBytes / bytes) } : {};
  // The ratio is part of the manifest it measures: re-encode until its digits stop changing the size.
  let info: Record<string, unknown> = { compact };
  let files = await encode(info);
  for (let pass = 0; pass < 4; pass++) {
    const next = { ...ratio(totalBytes(files)), compact };
    if (next.compressionRatioBytes === info.compressionRatioBytes) break;
    info = next;
    files = await encode(info);
  }
  await writeBundleDir(resolve(flags.out), files);
  const bytesAfter = totalBytes(files);
  return {
    out: flags.out,
    kind: manifest.kind,
    bytesBefore,
    bytes: bytesAfter,
    smaller: round2(bytesBefore / bytesAfter),
    ...(manifest.kind === 'compositional' ? { codesBytes: storedBytes(files, 'codes') } : {}),
    ...(mgqeReport ? { mgqe: mgqeReport } : {}),
    metricsBefore: manifest.metrics ?? null,
    metrics: metrics ?? null,
  };
}

export function registerCompactCommand(program: Command): void {
  program
    .command('compact')
    .description(
      'store a trained bundle smaller: float16 weights, bit-packed codes, optionally MGQE tail codes',
    )
    .requiredOption('--bundle <dir>', 'trained bundle')
    .requiredOption('--out <dir>', 'bundle folder to write (replaced atomically; may be --bundle itself)')
    .addOption(
      new Option('--float16 <which>', 'float32 tensors to store as float16 (the head stays float32)')
        .choices(FLOAT16_CHOICES)
        .default('all'),
    )
    .option('--no-pack-codes', 'compositional: keep one byte per code (default: ⌈log2 K⌉ bits)')
    .option(
      '--mgqe <K_tail>',
      'compositional: tail items use only the first K_tail codewords of each codebook (lossy)',
    )
    .option('--head-fraction <x>', 'with --mgqe: share of items, the most clicked, that keep all K', '0.1')
    .option('--dataset <dir>', 'score the result on its test set and store those metrics (needed by --mgqe)')
    .action(async (flags: CompactFlags) => {
      const report = await compactCommand(flags, `pnpm train compact ${process.argv.slice(3).join(' ')}`);
      process.stdout.write(JSON.stringify(report) + '\n');
    });
}
