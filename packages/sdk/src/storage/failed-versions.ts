// Memory of model versions that failed verification, per (model URL, version), kept in the model store
// next to the models (IndexedDB, or this page's memory). Without it, a corrupt version on the server is
// downloaded in full (megabytes) on every page load until the server is fixed; with it, a reload fetches
// only the manifest, sees the remembered version, and skips the download for a while (default 1 hour).
import {
  BundleError,
  BundleFormatError,
  BundleIntegrityError,
  BundleLoadError,
  BundleSchemaError,
  BundleShapeError,
  BundleTruncatedError,
  BundleValueError,
  type BundleErrorCode,
} from '../bundle/errors.ts';
import { messageOf } from '../errors.ts';
import type { ModelStore } from './model-store.ts';

/** How long a failed version is not downloaded again (a fixed server usually ships a new version anyway). */
export const FAILED_VERSION_TTL_MS = 60 * 60 * 1000;

export interface FailedVersionRecord {
  url: string;
  version: string;
  /** ms since the epoch. */
  failedAt: number;
  /** The verification error, as stored (errors are not structured-cloneable with their class). */
  error: { code?: BundleErrorCode; message: string; file?: string };
}

const FAILED_PREFIX = 'failed:';

/** `failed:<url>␟<version>`, beside `model:<url>␟<version>` (stored-models.ts ignores this prefix). */
export function failedVersionKey(url: string, version: string): string {
  return `${FAILED_PREFIX}${url}\u001f${version}`;
}

/** The remembered failure of (url, version) when it is younger than `ttlMs`; a read error counts as none. */
export async function recentFailure(
  store: ModelStore,
  url: string,
  version: string,
  now: number,
  ttlMs = FAILED_VERSION_TTL_MS,
): Promise<FailedVersionRecord | undefined> {
  const record = await store.get<FailedVersionRecord>(failedVersionKey(url, version)).catch(() => undefined);
  if (!record || !(now - record.failedAt >= 0 && now - record.failedAt < ttlMs)) return undefined;
  return record;
}

/** Remembers that (url, version) failed verification. Best effort: a storage error only costs a re-download. */
export async function rememberFailure(
  store: ModelStore,
  url: string,
  version: string,
  error: unknown,
  now: number,
): Promise<void> {
  const bundleError = error instanceof BundleError ? error : undefined;
  const record: FailedVersionRecord = {
    url,
    version,
    failedAt: now,
    error: { code: bundleError?.code, message: messageOf(error), file: bundleError?.file },
  };
  await store.setMany([[failedVersionKey(url, version), record]]).catch(() => undefined);
}

/** Forgets every remembered failure of `url` (a version loaded fine, or the caller forced a retry). */
export async function forgetFailures(store: ModelStore, url: string): Promise<void> {
  try {
    const prefix = `${FAILED_PREFIX}${url}\u001f`;
    const keys = (await store.keys()).filter((key) => key.startsWith(prefix));
    if (keys.length > 0) await store.delMany(keys);
  } catch {
    // A stale failure record expires on its own.
  }
}

const CLASS_OF: Partial<
  Record<BundleErrorCode, new (message: string, details?: { file?: string }) => BundleError>
> = {
  BUNDLE_FORMAT: BundleFormatError,
  BUNDLE_SCHEMA: BundleSchemaError,
  BUNDLE_INTEGRITY: BundleIntegrityError,
  BUNDLE_TRUNCATED: BundleTruncatedError,
  BUNDLE_SHAPE: BundleShapeError,
  BUNDLE_VALUE: BundleValueError,
  BUNDLE_LOAD: BundleLoadError,
};

/** What a load throws for a remembered failure: the original error's class and file, saying it was skipped. */
export function rememberedFailureError(record: FailedVersionRecord, ttlMs = FAILED_VERSION_TTL_MS): Error {
  const until = new Date(record.failedAt + ttlMs).toISOString();
  const message =
    `version ${record.version} of ${record.url} failed verification at ${new Date(record.failedAt).toISOString()} ` +
    `and is not downloaded again before ${until} (pass force: true to retry now): ${record.error.message}`;
  const Type = (record.error.code && CLASS_OF[record.error.code]) || BundleIntegrityError;
  return new Type(message, record.error.file === undefined ? undefined : { file: record.error.file });
}
