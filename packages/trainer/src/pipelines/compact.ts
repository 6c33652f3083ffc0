// The compact pipeline (`pnpm train compact`): the same trained bundle stored smaller
// (compact/compact-bundle.ts). With --dataset the written bundle is scored on the dataset's test set (pnpm
// eval's protocol) and carries those metrics; without it a lossy compaction (float16, MGQE) keeps no metrics
// rather than claim the source's. Returns the JSON report the command prints.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST_FILE, encodeBundle, type Manifest } from '@session-rec/sdk/bundle';
import { readBundleDir, writeBundleDir } from '@session-rec/sdk/bundle/node';
import {
  compactBundleInput,
  type CompactOptions,
  type Float16Choice,
  type Int8Choice,
} from '../compact/compact-bundle.ts';
import { datasetItemId, popularityCounts, readDataset } from '../data/index.ts';
import { evaluateBundle, roundMetrics } from '../eval/index.ts';
import { num, optional } from '../flags.ts';
import { progressPrinter } from '../progress.ts';
import { round2 } from './report.ts';

export interface CompactFlags {
  bundle: string;
  out: string;
  float16: Float16Choice;
  int8: Int8Choice;
  packCodes: boolean;
  mgqe?: string;
  headFraction: string;
  dataset?: string;
}

const totalBytes = (files: Map<string, Uint8Array>) =>
  [...files.values()].reduce((s, f) => s + f.byteLength, 0);
/** Bytes of one tensor as written (packed, row-packed or plain). */
const storedBytes = (files: Map<string, Uint8Array>, name: string): number =>
  (JSON.parse(new TextDecoder().decode(files.get(MANIFEST_FILE))) as Manifest).tensors.find(
    (t) => t.name === name,
  )!.byteLength;

export type CompactConfig = ReturnType<typeof compactConfig>;

/** Every flag parsed and checked; nothing read yet. */
export function compactConfig(flags: CompactFlags, command: string) {
  const tailK = optional(flags.mgqe, (v) => num(v, 'mgqe', { integer: true, min: 1 }));
  if (tailK !== undefined && flags.dataset === undefined)
    throw new Error('--mgqe needs --dataset: the head/tail split is by clicks in its train.txt');
  return {
    bundleDir: resolve(flags.bundle),
    outDir: resolve(flags.out),
    out: flags.out,
    float16: flags.float16,
    int8: flags.int8,
    packCodes: flags.packCodes,
    mgqe:
      tailK === undefined
        ? undefined
        : { tailK, headFraction: num(flags.headFraction, 'head-fraction', { min: 0 }) },
    datasetDir: flags.dataset === undefined ? undefined : resolve(flags.dataset),
    command,
  };
}

export async function compactBundlePipeline(config: CompactConfig): Promise<Record<string, unknown>> {
  const { command } = config;
  const bundle = await readBundleDir(config.bundleDir);
  const { manifest } = bundle;
  const bytesBefore = [MANIFEST_FILE, ...manifest.files.map((f) => f.path)].reduce(
    (s, path) => s + statSync(join(config.bundleDir, path)).size,
    0,
  );
  const data = config.datasetDir === undefined ? undefined : readDataset(config.datasetDir);
  let mgqe: CompactOptions['mgqe'];
  if (config.mgqe !== undefined && data) {
    // Dataset item index i is external id datasetItemId(data)(i); counted in the bundle's index space.
    const itemCounts = new Float64Array(manifest.hyper.numItems);
    const itemId = datasetItemId(data);
    popularityCounts(data.trainSessions, data.numItems).forEach((n, i) => {
      const b = bundle.itemIndex(itemId(i));
      if (b >= 0) itemCounts[b] = n;
    });
    mgqe = { ...config.mgqe, itemCounts };
  }
  const opts: CompactOptions = {
    float16: config.float16,
    int8: config.int8,
    packCodes: config.packCodes,
    ...(mgqe ? { mgqe } : {}),
  };
  const { input, mgqe: mgqeReport } = compactBundleInput(bundle, opts);
  const lossless = config.float16 === 'none' && config.int8 === 'none' && mgqe === undefined;
  const compact: Record<string, unknown> = {
    command,
    from: manifest.version,
    float16: config.float16,
    int8: config.int8,
    packedCodes: config.packCodes,
    ...(mgqeReport ? { mgqe: mgqeReport } : {}),
  };
  let metrics = lossless ? manifest.metrics : undefined;
  const encode = (info: Record<string, unknown>) =>
    encodeBundle({ ...input, ...(metrics ? { metrics } : {}), info: { ...input.info, ...info } });
  if (data) {
    // Scored as written, through pnpm eval's own path.
    await writeBundleDir(config.outDir, await encode({ compact }));
    const result = await evaluateBundle({
      bundleDir: config.outDir,
      datasetDir: config.datasetDir!,
      onProgress: progressPrinter('compact: test'),
    });
    const { cases, ...percent } = result.metrics;
    metrics = roundMetrics(percent);
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
  await writeBundleDir(config.outDir, files);
  const bytesAfter = totalBytes(files);
  return {
    out: config.out,
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
