// The bundle reader: manifest → files (length + SHA-256 verified) → typed-array views → value checks.
import { unpackBits, unpackRows } from './bit-pack.ts';
import { STORED_ARRAY, elementCount, viewStored } from './dtype.ts';
import {
  BundleError,
  BundleIntegrityError,
  BundleLoadError,
  BundleTruncatedError,
  BundleValueError,
} from './errors.ts';
import { decodeFloat16 } from './float16.ts';
import { decodeInt8 } from './int8.ts';
import { sha256Hex } from './hash.ts';
import { looksLikeHtml, parseManifestBytes } from './manifest.ts';
import { MANIFEST_FILE, type FileEntry, type Manifest, type ModelBundle } from './types.ts';
import { checkTensorValues } from './values.ts';
import { itemMapping, parseVocabList } from './vocabulary.ts';

export interface DecodeProgress {
  /** The file that just finished loading and verification. */
  file: string;
  loadedBytes: number;
  totalBytes: number;
}

export interface DecodeOptions {
  /** Called after each file is loaded and verified. */
  onProgress?: (progress: DecodeProgress) => void;
}

/** Loads a bundle through `load` (path relative to the bundle root → bytes) and validates everything. */
export async function decodeBundle(
  load: (path: string) => Promise<Uint8Array>,
  opts: DecodeOptions = {},
): Promise<ModelBundle> {
  const manifest = parseManifestBytes(await loadFile(load, MANIFEST_FILE));
  const totalBytes = manifest.files.reduce((sum, f) => sum + f.byteLength, 0);
  let loadedBytes = 0;
  const files = new Map<string, Uint8Array>();
  await Promise.all(
    manifest.files.map(async (entry) => {
      const bytes = await loadFile(load, entry.path);
      await verifyFile(entry, bytes);
      files.set(entry.path, bytes);
      loadedBytes += entry.byteLength;
      opts.onProgress?.({ file: entry.path, loadedBytes, totalBytes });
    }),
  );
  return assembleBundle(manifest, files);
}

/** Decodes a bundle held in memory (e.g. read back from IndexedDB): the same checks as decodeBundle. */
export async function decodeBundleFromFiles(files: ReadonlyMap<string, Uint8Array>): Promise<ModelBundle> {
  return decodeBundle(async (path) => {
    const bytes = files.get(path);
    if (!bytes) throw new BundleLoadError(`bundle file '${path}' is missing`, { file: path });
    return bytes;
  });
}

/** Throws unless `bytes` is exactly the file the manifest describes. */
export async function verifyFile(entry: FileEntry, bytes: Uint8Array): Promise<void> {
  const file = entry.path;
  const actual = bytes.byteLength === entry.byteLength ? await sha256Hex(bytes) : undefined;
  if (actual === entry.sha256) return;
  // Only a file that fails the check is called HTML: a vocab.txt may well start with "<html".
  if (looksLikeHtml(bytes)) {
    throw new BundleIntegrityError(
      `bundle file '${file}' is an HTML page, not the file the manifest describes (a server's fallback page?)`,
      { file },
    );
  }
  if (bytes.byteLength < entry.byteLength) {
    throw new BundleTruncatedError(
      `bundle file '${file}' is truncated: ${bytes.byteLength} of ${entry.byteLength} bytes`,
      { file },
    );
  }
  if (bytes.byteLength > entry.byteLength) {
    throw new BundleIntegrityError(
      `bundle file '${file}' has ${bytes.byteLength} bytes, the manifest says ${entry.byteLength}`,
      { file },
    );
  }
  throw new BundleIntegrityError(
    `bundle file '${file}' is corrupt: SHA-256 ${actual!.slice(0, 12)}…, the manifest says ${entry.sha256.slice(0, 12)}…`,
    { file },
  );
}

async function loadFile(load: (path: string) => Promise<Uint8Array>, path: string): Promise<Uint8Array> {
  let bytes: unknown;
  try {
    bytes = await load(path);
  } catch (cause) {
    if (cause instanceof BundleError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new BundleLoadError(`could not load bundle file '${path}': ${reason}`, { file: path, cause });
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new BundleLoadError(`loading bundle file '${path}' gave no Uint8Array`, { file: path });
  }
  return bytes;
}

/** Builds the tensors and the vocabulary from verified files. */
function assembleBundle(manifest: Manifest, files: ReadonlyMap<string, Uint8Array>): ModelBundle {
  const tensors: ModelBundle['tensors'] = new Map();
  for (const t of manifest.tensors) {
    const bytes = files.get(t.file)!.subarray(t.byteOffset, t.byteOffset + t.byteLength);
    if (t.bits !== undefined) {
      const Unpacked = STORED_ARRAY[t.dtype] as Uint8ArrayConstructor | Uint16ArrayConstructor;
      const data = new Unpacked(elementCount(t.shape));
      if (t.narrowBits === undefined) unpackBits(bytes, t.bits, data);
      else {
        const packing = { cols: t.shape[1]!, bits: t.bits, narrowBits: t.narrowBits };
        const narrowRows = unpackRows(bytes, packing, data);
        // The byte length matched the manifest's count; flags that disagree mean a writer's bug.
        if (narrowRows !== t.narrowRows) {
          throw new BundleValueError(
            `tensor '${t.name}': ${narrowRows} rows flagged narrow, the manifest says ${t.narrowRows}`,
            { file: t.file, tensor: t.name },
          );
        }
      }
      tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
      continue;
    }
    if (t.dtype === 'int8') {
      // Dequantised here: every engine sees a float32 tensor.
      const data = decodeInt8(bytes, t.shape, { file: t.file, tensor: t.name });
      tensors.set(t.name, { dtype: 'float32', shape: t.shape, data });
      continue;
    }
    const stored = viewStored(t.dtype, bytes);
    const data = t.dtype === 'float16' ? decodeFloat16(stored as Uint16Array) : stored;
    tensors.set(t.name, { dtype: t.dtype, shape: t.shape, data });
  }
  checkTensorValues(manifest, tensors);
  const { vocabulary } = manifest;
  const list =
    vocabulary.type === 'list'
      ? parseVocabList(files.get(vocabulary.file)!, vocabulary.file, vocabulary.count)
      : undefined;
  return { manifest, tensors, ...itemMapping(vocabulary, list) };
}
