// The bundle writer: tensors → one tensors.bin (8-byte aligned), vocabulary → vocab.txt, manifest with
// hashes. The result is read back through the reader before it is returned: a writer never emits a
// bundle that the runtime would reject.
import { packBits, packRows } from './bit-pack.ts';
import { BYTES_PER_ELEMENT, STORED_ARRAY, bytesOf, elementCount } from './dtype.ts';
import { BundleShapeError, BundleValueError } from './errors.ts';
import { encodeFloat16 } from './float16.ts';
import { encodeInt8 } from './int8.ts';
import { sha256Hex } from './hash.ts';
import { TENSOR_ALIGNMENT, parseManifest } from './manifest.ts';
import { decodeBundleFromFiles } from './decode.ts';
import {
  BUNDLE_FORMAT,
  MANIFEST_FILE,
  POPULARITY_PRIOR_TENSOR,
  type FileEntry,
  type Manifest,
  type ModelHyper,
  type ModelKind,
  type TensorEntry,
  type TensorInput,
} from './types.ts';
import { VOCAB_FILE, encodeVocabList } from './vocabulary.ts';

export const TENSORS_FILE = 'tensors.bin';

export type { TensorInput };

export interface EncodeBundleInput {
  kind: ModelKind;
  hyper: ModelHyper;
  /** Default: the dataset convention, external id of index i = String(i + 1). */
  vocabulary?: string[] | { type: 'range'; first: number; count: number };
  tensors: TensorInput[];
  metrics?: Record<string, number>;
  info?: Record<string, unknown>;
  /** ISO timestamp; defaults to now. Give one to make the output byte-identical across runs. */
  createdAt?: string;
}

// Tensors are written as the host's typed arrays; the format is little-endian.
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A tensor's bytes as stored; `narrowRows` for a row-packed one. */
function storedBytes(t: TensorInput): { bytes: Uint8Array; narrowRows?: number } {
  const where = { tensor: t.name };
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new BundleShapeError(
      `tensor '${t.name}': shape ${JSON.stringify(t.shape)} is not a list of sizes`,
      where,
    );
  }
  const count = elementCount(t.shape);
  if (t.data.length !== count) {
    throw new BundleShapeError(
      `tensor '${t.name}': ${t.data.length} values for shape [${t.shape.join(', ')}] (${count} elements)`,
      where,
    );
  }
  if (t.dtype === 'float16' && t.data instanceof Float32Array)
    return { bytes: bytesOf(encodeFloat16(t.data)) };
  if (t.dtype === 'int8') {
    if (!(t.data instanceof Float32Array) || t.bits !== undefined)
      throw new BundleShapeError(`tensor '${t.name}': int8 storage takes a Float32Array, unpacked`, where);
    return { bytes: encodeInt8(t.data, t.shape, t.name) };
  }
  const Stored = STORED_ARRAY[t.dtype];
  if (!(t.data instanceof Stored)) {
    throw new BundleShapeError(
      `tensor '${t.name}': dtype ${t.dtype} needs a ${Stored.name}, got ${t.data.constructor.name}`,
      where,
    );
  }
  if (t.bits === undefined) {
    if (t.narrowBits !== undefined)
      throw new BundleShapeError(`tensor '${t.name}': narrowBits without bits`, where);
    return { bytes: bytesOf(t.data) };
  }
  try {
    if (t.narrowBits === undefined) return { bytes: packBits(t.data, t.bits) };
    if (t.shape.length !== 2)
      throw new RangeError(`row packing needs a matrix, not shape [${t.shape.join(', ')}]`);
    return packRows(t.data, t.shape[1]!, t.bits, t.narrowBits);
  } catch (cause) {
    throw new BundleValueError(`tensor '${t.name}': ${(cause as Error).message}`, { tensor: t.name, cause });
  }
}

/** All files of a bundle, `manifest.json` included, ready to be written to a folder or served. */
export async function encodeBundle(input: EncodeBundleInput): Promise<Map<string, Uint8Array>> {
  if (!hostIsLittleEndian) throw new Error('encodeBundle: big-endian hosts are not supported');
  const names = new Set<string>();
  const parts: { entry: TensorEntry; bytes: Uint8Array }[] = [];
  let offset = 0;
  for (const t of input.tensors) {
    if (names.has(t.name))
      throw new BundleShapeError(`tensor '${t.name}' is given twice`, { tensor: t.name });
    names.add(t.name);
    const { bytes, narrowRows } = storedBytes(t);
    offset = Math.ceil(offset / TENSOR_ALIGNMENT) * TENSOR_ALIGNMENT;
    const entry: TensorEntry = {
      name: t.name,
      dtype: t.dtype,
      shape: [...t.shape],
      file: TENSORS_FILE,
      byteOffset: offset,
      byteLength:
        t.bits === undefined && t.dtype !== 'int8'
          ? elementCount(t.shape) * BYTES_PER_ELEMENT[t.dtype]
          : bytes.byteLength,
      ...(t.bits === undefined ? {} : { bits: t.bits }),
      ...(narrowRows === undefined ? {} : { narrowBits: t.narrowBits, narrowRows }),
    };
    parts.push({ entry, bytes });
    offset += bytes.byteLength;
  }
  const tensorsBin = new Uint8Array(offset); // zero-filled: the alignment padding is deterministic
  for (const { entry, bytes } of parts) tensorsBin.set(bytes, entry.byteOffset);

  const files = new Map<string, Uint8Array>([[TENSORS_FILE, tensorsBin]]);
  const numItems = input.hyper.numItems;
  let vocabulary: Manifest['vocabulary'];
  if (Array.isArray(input.vocabulary)) {
    if (input.vocabulary.length !== numItems) {
      throw new BundleValueError(`vocabulary: ${input.vocabulary.length} ids for numItems ${numItems}`, {
        file: VOCAB_FILE,
      });
    }
    files.set(VOCAB_FILE, encodeVocabList(input.vocabulary));
    vocabulary = { type: 'list', file: VOCAB_FILE, count: numItems };
  } else {
    vocabulary = input.vocabulary ?? { type: 'range', first: 1, count: numItems };
  }

  const fileEntries: FileEntry[] = [];
  for (const [path, bytes] of files) {
    fileEntries.push({ path, byteLength: bytes.byteLength, sha256: await sha256Hex(bytes) });
  }
  const tensors = parts.map((p) => p.entry);
  const content = { kind: input.kind, hyper: input.hyper, vocabulary, tensors, files: fileEntries };
  // The version names the content: equal bundles get equal versions, any changed byte a new one.
  const version = (await sha256Hex(new TextEncoder().encode(JSON.stringify(content)))).slice(0, 16);
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    formatVersion: lowestFormatVersion(tensors),
    kind: input.kind,
    version,
    createdAt: input.createdAt ?? new Date().toISOString(),
    hyper: input.hyper,
    vocabulary,
    tensors,
    files: fileEntries,
    ...(input.metrics ? { metrics: input.metrics } : {}),
    ...(input.info ? { info: input.info } : {}),
  };
  parseManifest(manifest);
  files.set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'));
  await decodeBundleFromFiles(files); // value checks (codes < K, indices < V, finite weights)
  return files;
}

/**
 * Older readers must reject what they would misread (bits: version 2, a repeat head: 3, a popularity
 * prior: 4, row packing: 5, int8 floats: 6), and only that.
 */
function lowestFormatVersion(tensors: readonly TensorEntry[]): number {
  if (tensors.some((t) => t.dtype === 'int8')) return 6;
  if (tensors.some((t) => t.narrowBits !== undefined)) return 5;
  if (tensors.some((t) => t.name === POPULARITY_PRIOR_TENSOR)) return 4;
  if (tensors.some((t) => t.name.startsWith('repeat.'))) return 3;
  if (tensors.some((t) => t.bits !== undefined)) return 2;
  return 1;
}
