// Manifest validation: magic and version first (so that an HTML page or a newer format gets the right
// error), then the structure (valibot), then the byte layout, then the model contract of the bundle kind.
import * as v from 'valibot';
import { checkContract } from './contract.ts';
import { BYTES_PER_ELEMENT, DTYPES, elementCount } from './dtype.ts';
import { int8ByteLength } from './int8.ts';
import {
  BundleFormatError,
  BundleSchemaError,
  BundleShapeError,
  BundleValueError,
  BundleVersionError,
} from './errors.ts';
import { packedByteLength, rowPackedByteLength, type RowPacking } from './bit-pack.ts';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_FORMAT_VERSIONS,
  MANIFEST_FILE,
  type Manifest,
  type TensorEntry,
} from './types.ts';

const MODEL_KINDS = ['popularity', 'full', 'compositional', 'tt', 'sttd'] as const;

/** Tensors start at multiples of this inside their file, so that every typed-array view is aligned. */
export const TENSOR_ALIGNMENT = 8;

const nonNegativeInt = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const positiveInt = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

// Relative paths of plain names: a manifest must never make a loader read outside the bundle's folder.
const bundlePath = v.pipe(
  v.string(),
  v.regex(
    /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/,
    'a relative path of plain names',
  ),
  v.check((p) => !p.split('/').includes('..'), 'no ".." segments'),
  v.check((p) => p !== MANIFEST_FILE, `not ${MANIFEST_FILE} itself`),
);

const ManifestSchema = v.looseObject({
  format: v.literal(BUNDLE_FORMAT),
  formatVersion: v.picklist(BUNDLE_FORMAT_VERSIONS),
  kind: v.picklist(MODEL_KINDS),
  version: v.pipe(v.string(), v.minLength(1)),
  createdAt: v.string(),
  hyper: v.looseObject({ numItems: positiveInt, maxLen: positiveInt }),
  vocabulary: v.variant('type', [
    v.object({ type: v.literal('range'), first: v.pipe(v.number(), v.safeInteger()), count: nonNegativeInt }),
    v.object({ type: v.literal('list'), file: bundlePath, count: nonNegativeInt }),
  ]),
  tensors: v.array(
    v.object({
      name: v.pipe(v.string(), v.minLength(1)),
      dtype: v.picklist(DTYPES),
      shape: v.array(nonNegativeInt),
      file: bundlePath,
      byteOffset: nonNegativeInt,
      byteLength: nonNegativeInt,
      bits: v.optional(positiveInt),
      narrowBits: v.optional(positiveInt),
      narrowRows: v.optional(nonNegativeInt),
    }),
  ),
  files: v.array(
    v.object({
      path: bundlePath,
      byteLength: nonNegativeInt,
      sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256')),
    }),
  ),
  metrics: v.optional(v.record(v.string(), v.number())),
  info: v.optional(v.record(v.string(), v.unknown())),
});

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates a parsed manifest.json completely; throws a BundleError subclass naming the culprit. */
export function parseManifest(json: unknown): Manifest {
  const where = { file: MANIFEST_FILE };
  if (!isRecord(json)) throw new BundleFormatError(`${MANIFEST_FILE} is not a JSON object`, where);
  if (json.format !== BUNDLE_FORMAT) {
    throw new BundleFormatError(
      `${MANIFEST_FILE}: format is ${JSON.stringify(json.format)}, expected "${BUNDLE_FORMAT}" (not a model bundle)`,
      where,
    );
  }
  if (!BUNDLE_FORMAT_VERSIONS.includes(json.formatVersion as number)) {
    const newer = typeof json.formatVersion === 'number' && json.formatVersion > BUNDLE_FORMAT_VERSION;
    throw new BundleVersionError(
      `${MANIFEST_FILE}: formatVersion ${JSON.stringify(json.formatVersion)} is not supported (this reader knows ` +
        `${BUNDLE_FORMAT_VERSIONS.join(', ')})${newer ? ': the bundle was written by a newer version; update the SDK' : ''}`,
      json.formatVersion,
      where,
    );
  }
  const result = v.safeParse(ManifestSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = v.getDotPath(issue) ?? '(root)';
    throw new BundleSchemaError(`${MANIFEST_FILE}: ${path}: ${issue.message}`, where);
  }
  const manifest = result.output as Manifest;
  checkLayout(manifest);
  checkVocabulary(manifest);
  checkContract(manifest);
  return manifest;
}

/** Parses manifest.json's bytes; an HTML page (a server's fallback for a missing file) gets a clear error. */
export function parseManifestBytes(bytes: Uint8Array): Manifest {
  const text = new TextDecoder('utf-8').decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const hint = looksLikeHtml(bytes) ? ' (it is an HTML page: is the model URL right?)' : '';
    throw new BundleFormatError(`${MANIFEST_FILE} is not JSON${hint}`, { file: MANIFEST_FILE, cause });
  }
  return parseManifest(json);
}

/** True when the bytes start like an HTML document (what dev servers answer for a missing file, status 200). */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 256)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head');
}

function checkLayout(manifest: Manifest): void {
  const fileLength = new Map<string, number>();
  for (const f of manifest.files) {
    if (fileLength.has(f.path)) {
      throw new BundleSchemaError(`${MANIFEST_FILE}: file '${f.path}' is listed twice`, { file: f.path });
    }
    fileLength.set(f.path, f.byteLength);
  }
  const names = new Set<string>();
  for (const t of manifest.tensors) {
    const where = { file: t.file, tensor: t.name };
    if (names.has(t.name))
      throw new BundleSchemaError(`${MANIFEST_FILE}: tensor '${t.name}' is listed twice`, where);
    names.add(t.name);
    const length = fileLength.get(t.file);
    if (length === undefined) {
      throw new BundleSchemaError(
        `tensor '${t.name}': its file '${t.file}' is not in the manifest's files`,
        where,
      );
    }
    const expected = storedByteLength(manifest, t);
    if (t.byteLength !== expected) {
      const packed =
        t.dtype === 'int8'
          ? ` (a float32 scale per row, then the int8 values)`
          : t.bits === undefined
            ? ''
            : t.narrowBits === undefined
              ? ` packed at ${t.bits} bits`
              : ` row-packed at ${t.bits}/${t.narrowBits} bits (${t.narrowRows} narrow rows)`;
      throw new BundleShapeError(
        `tensor '${t.name}': byteLength ${t.byteLength} ≠ ${expected} for ${t.dtype}${packed} [${t.shape.join(', ')}]`,
        where,
      );
    }
    if (t.byteOffset % TENSOR_ALIGNMENT !== 0) {
      throw new BundleShapeError(
        `tensor '${t.name}': byteOffset ${t.byteOffset} is not a multiple of ${TENSOR_ALIGNMENT}`,
        where,
      );
    }
    if (t.byteOffset + t.byteLength > length) {
      throw new BundleShapeError(
        `tensor '${t.name}': bytes ${t.byteOffset}..${t.byteOffset + t.byteLength} lie beyond the end of ` +
          `'${t.file}' (${length} bytes)`,
        where,
      );
    }
  }
}

/** Bytes a tensor occupies as stored; checks that a packed one may be packed. */
function storedByteLength(manifest: Manifest, t: TensorEntry): number {
  const count = elementCount(t.shape);
  const where = { file: t.file, tensor: t.name };
  if (t.dtype === 'int8') {
    if (manifest.formatVersion < 6)
      throw new BundleSchemaError(
        `tensor '${t.name}': int8, but formatVersion ${manifest.formatVersion} < 6`,
        where,
      );
    if (t.bits !== undefined)
      throw new BundleSchemaError(`tensor '${t.name}': an int8 tensor cannot be bit-packed`, where);
    return int8ByteLength(t.shape);
  }
  if (t.bits === undefined) {
    if (t.narrowBits !== undefined || t.narrowRows !== undefined)
      throw new BundleSchemaError(`tensor '${t.name}': row-packed (narrowBits), but without bits`, where);
    return count * BYTES_PER_ELEMENT[t.dtype];
  }
  if (manifest.formatVersion < 2) {
    throw new BundleSchemaError(
      `tensor '${t.name}': bit-packed, but formatVersion ${manifest.formatVersion} < 2`,
      where,
    );
  }
  if (t.dtype !== 'uint8' && t.dtype !== 'uint16') {
    throw new BundleSchemaError(
      `tensor '${t.name}': only uint8/uint16 tensors can be bit-packed, not ${t.dtype}`,
      where,
    );
  }
  // Plain packing must save something; row packing may keep the full width for its wide rows (K = 256).
  const width = 8 * BYTES_PER_ELEMENT[t.dtype];
  if (t.narrowBits === undefined ? t.bits >= width : t.bits > width) {
    throw new BundleSchemaError(
      `tensor '${t.name}': ${t.bits} bits per value is not smaller than ${t.dtype}`,
      where,
    );
  }
  if (t.narrowBits === undefined && t.narrowRows === undefined) return packedByteLength(count, t.bits);
  return rowPackedByteLength(t.shape[0] ?? 0, rowPacking(manifest, { ...t, bits: t.bits }));
}

/** The row packing of a tensor with `narrowBits`, checked against its shape and the format version. */
function rowPacking(manifest: Manifest, t: TensorEntry & { bits: number }): RowPacking {
  const where = { file: t.file, tensor: t.name };
  const fail = (why: string) => new BundleSchemaError(`tensor '${t.name}': row-packed, but ${why}`, where);
  if (manifest.formatVersion < 5) throw fail(`formatVersion ${manifest.formatVersion} < 5`);
  if (t.narrowBits === undefined || t.narrowRows === undefined)
    throw fail('narrowBits and narrowRows must come together');
  if (t.shape.length !== 2) throw fail(`shape [${t.shape.join(', ')}] is not a matrix`);
  if (t.narrowBits >= t.bits) throw fail(`narrowBits ${t.narrowBits} is not below bits ${t.bits}`);
  if (t.narrowRows > t.shape[0]!) throw fail(`narrowRows ${t.narrowRows} > ${t.shape[0]} rows`);
  return { cols: t.shape[1]!, bits: t.bits, narrowBits: t.narrowBits, narrowRows: t.narrowRows };
}

function checkVocabulary(manifest: Manifest): void {
  const { vocabulary, hyper } = manifest;
  const where = { file: MANIFEST_FILE };
  if (vocabulary.count !== hyper.numItems) {
    throw new BundleValueError(
      `${MANIFEST_FILE}: vocabulary.count ${vocabulary.count} ≠ hyper.numItems ${hyper.numItems}`,
      where,
    );
  }
  if (vocabulary.type === 'list' && !manifest.files.some((f) => f.path === vocabulary.file)) {
    throw new BundleSchemaError(
      `${MANIFEST_FILE}: vocabulary file '${vocabulary.file}' is not in files`,
      where,
    );
  }
}
