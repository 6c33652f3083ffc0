// The model bundle (SPEC §4): a folder a web server can serve as static files.
//   manifest.json      this Manifest, as JSON
//   <file>.bin         raw little-endian tensors, each at the byte range its TensorEntry states
//   vocab.txt          optional: one external item id per line (internal index = line number, 0-based)
// Every file other than the manifest is listed in `files` with its byte length and SHA-256.
// docs/model.md defines what the tensors of each kind mean; this file defines how they are stored.

/** `format` is the bundle's magic; `formatVersion` changes whenever a reader of an older version would misread. */
export const BUNDLE_FORMAT = 'session-rec-bundle';
/**
 * Version 2 adds bit-packed integer tensors (`TensorEntry.bits`), version 3 the session-repeat head
 * (tensors `repeat.*`, docs/model.md), version 4 the popularity prior (`prior.popularity`), version 5
 * row-packed matrices (`TensorEntry.narrowBits`), version 6 int8 float tensors (dtype `int8`, int8.ts);
 * writers use the lowest version that reads the bundle right.
 */
export const BUNDLE_FORMAT_VERSION = 6;
/** Every version this reader understands. */
export const BUNDLE_FORMAT_VERSIONS: readonly number[] = [1, 2, 3, 4, 5, 6];
/** The optional session-repeat head's tensors (docs/model.md "Repeat head"). */
export const REPEAT_RECENCY_TENSOR = 'repeat.recency';
export const REPEAT_WEIGHTS_TENSOR = 'repeat.weights';
/** The optional popularity prior (docs/model.md "Popularity prior"): [weight, depth]. */
export const POPULARITY_PRIOR_TENSOR = 'prior.popularity';
export const MANIFEST_FILE = 'manifest.json';

export type ModelKind = 'popularity' | 'full' | 'compositional' | 'tt' | 'sttd';
/**
 * `int8` (format version ≥ 6) is a float tensor stored as symmetric per-row int8 with a float32 scale per
 * row (int8.ts); readers dequantise it to float32 and report it as `float32`.
 */
export type DType = 'float32' | 'float16' | 'int8' | 'uint8' | 'uint16' | 'uint32' | 'int32';

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  file: string;
  /** Byte offset inside `file`; a multiple of 8 so that typed-array views need no copy. */
  byteOffset: number;
  byteLength: number;
  /**
   * uint8/uint16 only, format version ≥ 2: stored bit-packed, `bits` bits per value, least significant bit
   * first (bit-pack.ts); byteLength is ⌈count · bits / 8⌉. Readers unpack to the dtype's array.
   */
  bits?: number;
  /**
   * With `bits`, a 2-D tensor, format version ≥ 5: row-packed (bit-pack.ts). Each row is one flag bit,
   * then its values at `narrowBits` bits (flag 1) or `bits` bits (flag 0); `narrowRows` rows are narrow.
   * MGQE-style codes: tail items restricted to the first 2^narrowBits codewords of each codebook.
   */
  narrowBits?: number;
  narrowRows?: number;
}

export interface FileEntry {
  path: string;
  byteLength: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
}

/**
 * Item vocabulary: internal index i (0-based, what tensors are indexed by) ↔ external item id string.
 * `range`: external id of index i is String(first + i) — the compact form for datasets whose ids are 1..V.
 * `list`: external ids are the lines of `file` (a shop's SKUs).
 */
export type Vocabulary =
  { type: 'range'; first: number; count: number } | { type: 'list'; file: string; count: number };

/** Hyper-parameters the runtime needs. Encoder fields are absent for `popularity`. */
export interface ModelHyper {
  numItems: number;
  /** Session length the model reads: the most recent `maxLen` clicks. */
  maxLen: number;
  dim?: number;
  heads?: number;
  blocks?: number;
  /** Item embeddings are multiplied by this before positions are added (1 or sqrt(dim)). */
  embScale?: number;
  layerNormEps?: number;
  /** compositional */
  M?: number;
  K?: number;
  /** tt: vocabulary factors p, dimension factors q, ranks (R_0 = R_d = 1 implied; list the inner ones) */
  ttP?: number[];
  ttQ?: number[];
  ttRanks?: number[];
  /** sttd: I = (I1, I2), J = (J1, J2), rank R, semi-tensor factor t */
  sttdI?: number[];
  sttdJ?: number[];
  sttdRank?: number;
  sttdT?: number;
  [extra: string]: unknown;
}

export interface Manifest {
  format: typeof BUNDLE_FORMAT;
  formatVersion: number;
  kind: ModelKind;
  /** Content version: changes whenever any file changes (the writer derives it from the file hashes). */
  version: string;
  createdAt: string;
  hyper: ModelHyper;
  vocabulary: Vocabulary;
  tensors: TensorEntry[];
  files: FileEntry[];
  /** Headline metrics of the training report (percent), e.g. {"P@10": 27.1, "NDCG@10": 19.0}. */
  metrics?: Record<string, number>;
  /** Free-form provenance: dataset name, training command, compression ratios, … */
  info?: Record<string, unknown>;
}

export type TypedArray = Float32Array | Uint8Array | Uint16Array | Uint32Array | Int32Array;

/** A bundle after reading and validation: float16 tensors are widened to Float32Array. */
export interface ModelBundle {
  manifest: Manifest;
  tensors: Map<string, { dtype: DType; shape: number[]; data: TypedArray }>;
  /** External id of each internal index. */
  itemIds: (index: number) => string;
  /** Internal index of an external id, or -1 when the model does not know it. */
  itemIndex: (id: string) => number;
}

/** One tensor to write (encodeBundle's input), in its stored type. */
export interface TensorInput {
  name: string;
  dtype: DType;
  shape: number[];
  /**
   * The stored type of `dtype`; for float16 either a Float32Array (converted) or Uint16Array bit patterns;
   * for int8 a Float32Array (quantised by the writer).
   */
  data: TypedArray;
  /** uint8/uint16: store bit-packed at this many bits per value (every value must be < 2^bits). */
  bits?: number;
  /** With `bits`, a matrix: rows whose values are all < 2^narrowBits are stored at this width (row packing). */
  narrowBits?: number;
}
