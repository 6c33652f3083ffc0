// SessionModel → model bundle folder through the SDK's one writer (encodeBundle + writeBundleDir).
import { bitsFor, encodeBundle, type ModelHyper, type TensorInput } from '@session-rec/sdk/bundle';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import type { SessionModel } from '../model/session-model.ts';
import { prefetchToCpu } from './backend.ts';

export interface ExportOptions {
  /** Item indices, most frequent first (the empty-session answer). */
  popularity: Uint32Array;
  /** dtype of the item table's float tensors; the small backbone always stays float32. */
  tableDtype: 'float32' | 'float16';
  /**
   * Store the code matrix bit-packed at ⌈log2 K⌉ bits per code (lossless; bundle format version 2, which
   * SDKs before it cannot read). Only a compositional table has codes; K = 256 gains nothing.
   */
  packCodes?: boolean;
  /** The dataset's item ids (its vocab.txt), so that `rec.track('SKU-123')` works, or a range; absent: ids 1..V. */
  vocabulary?: string[] | { type: 'range'; first: number; count: number };
  metrics?: Record<string, number>;
  info?: Record<string, unknown>;
}

export function modelHyper(model: SessionModel): ModelHyper {
  const h = model.hyper;
  return {
    numItems: model.table.numItems,
    maxLen: h.maxLen,
    dim: h.dim,
    heads: h.heads,
    blocks: h.blocks,
    embScale: h.embScale,
    layerNormEps: h.layerNormEps,
  };
}

/** Bits per code when packing saves bytes over the code matrix's integer type, else undefined. */
export function codeBits(K: number, bytesPerCode: number): number | undefined {
  const bits = bitsFor(K);
  return bits < 8 * bytesPerCode ? bits : undefined;
}

export async function encodeModelBundle(
  model: SessionModel,
  opts: ExportOptions,
): Promise<Map<string, Uint8Array>> {
  await prefetchToCpu(model.variables());
  const table = model.table.exportTensors();
  const tensors: TensorInput[] = [];
  for (const [name, t] of Object.entries(table.tensors)) {
    const dtype = t.dtype === 'float32' ? opts.tableDtype : t.dtype;
    const bits =
      name === 'codes' && opts.packCodes
        ? codeBits(Number(table.hyper.K), t.data.BYTES_PER_ELEMENT)
        : undefined;
    tensors.push({ name, dtype, shape: t.shape, data: t.data, ...(bits ? { bits } : {}) });
  }
  for (const [name, t] of Object.entries(model.backbone.exportTensors())) tensors.push({ name, ...t });
  tensors.push({
    name: 'popularity',
    dtype: 'uint32',
    shape: [opts.popularity.length],
    data: opts.popularity,
  });
  return encodeBundle({
    kind: table.kind,
    hyper: { ...modelHyper(model), ...table.hyper },
    tensors,
    ...(opts.vocabulary ? { vocabulary: opts.vocabulary } : {}),
    metrics: opts.metrics,
    info: { ...opts.info, tableDtype: opts.tableDtype },
  });
}

export async function exportModelBundle(
  dir: string,
  model: SessionModel,
  opts: ExportOptions,
): Promise<number> {
  const files = await encodeModelBundle(model, opts);
  await writeBundleDir(dir, files);
  let bytes = 0;
  for (const f of files.values()) bytes += f.byteLength;
  return bytes;
}
