// Typed errors of the bundle codec. Callers branch on `code` (stable strings) or `instanceof`;
// `file` / `tensor` name the culprit so that a message in a bug report is enough to find it.

export type BundleErrorCode =
  | 'BUNDLE_FORMAT'
  | 'BUNDLE_VERSION'
  | 'BUNDLE_SCHEMA'
  | 'BUNDLE_INTEGRITY'
  | 'BUNDLE_TRUNCATED'
  | 'BUNDLE_SHAPE'
  | 'BUNDLE_VALUE'
  | 'BUNDLE_LOAD';

export interface BundleErrorDetails {
  /** The bundle file at fault (e.g. `tensors.bin`, `manifest.json`). */
  file?: string;
  /** The tensor at fault. */
  tensor?: string;
  cause?: unknown;
}

export class BundleError extends Error {
  readonly code: BundleErrorCode;
  readonly file?: string;
  readonly tensor?: string;

  constructor(code: BundleErrorCode, message: string, details: BundleErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    if (details.file !== undefined) this.file = details.file;
    if (details.tensor !== undefined) this.tensor = details.tensor;
  }
}

/** The manifest is not JSON, or its `format` is not this codec's magic (e.g. an HTML page). */
export class BundleFormatError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_FORMAT', message, details);
  }
}

/** The manifest's `formatVersion` is one this reader does not know. */
export class BundleVersionError extends BundleError {
  readonly formatVersion: unknown;
  constructor(message: string, formatVersion: unknown, details?: BundleErrorDetails) {
    super('BUNDLE_VERSION', message, details);
    this.formatVersion = formatVersion;
  }
}

/** The manifest's structure is wrong: a missing or mistyped field, a missing required tensor, bad hyper-parameters. */
export class BundleSchemaError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_SCHEMA', message, details);
  }
}

/** A file's bytes do not match the manifest's SHA-256 or byte length (corrupt, replaced or longer than declared). */
export class BundleIntegrityError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_INTEGRITY', message, details);
  }
}

/** A file is shorter than the manifest declares (an interrupted download). */
export class BundleTruncatedError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_TRUNCATED', message, details);
  }
}

/** A tensor's shape, dtype and byte range disagree with each other, the model contract, or its file. */
export class BundleShapeError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_SHAPE', message, details);
  }
}

/** A tensor holds a value the contract forbids (code ≥ K, item index ≥ V, NaN weight, bad vocabulary line). */
export class BundleValueError extends BundleError {
  /** Flat element index of the first offending value, when there is one. */
  readonly position?: number;
  constructor(message: string, details: BundleErrorDetails & { position?: number } = {}) {
    super('BUNDLE_VALUE', message, details);
    if (details.position !== undefined) this.position = details.position;
  }
}

/** The loader failed to fetch or read a file (network error, HTTP status, missing file on disk). */
export class BundleLoadError extends BundleError {
  constructor(message: string, details?: BundleErrorDetails) {
    super('BUNDLE_LOAD', message, details);
  }
}
