// Loading a model: the stored copy when it is current, else download → verify → store → drop old versions.
// Order matters for the failure cases of SPEC §5: nothing is stored before every file's length and SHA-256
// were verified, the new version and the "current" pointer are written in ONE transaction (an interrupted
// write leaves the old version current), and old versions are deleted only after that write committed.
import { BundleError } from '../bundle/errors.ts';
import { decodeBundleFromFiles, parseManifestBytes } from '../bundle/index.ts';
import { MANIFEST_FILE, type Manifest, type ModelBundle } from '../bundle/types.ts';
import { messageOf } from '../errors.ts';
import type { RecommenderWarning } from '../events.ts';
import { downloadFile } from './download.ts';
import { isQuotaError, type ModelStore } from './model-store.ts';
import type { ModelUrl } from './model-url.ts';
import {
  FAILED_VERSION_TTL_MS,
  forgetFailures,
  recentFailure,
  rememberedFailureError,
  rememberFailure,
} from './failed-versions.ts';
import {
  currentKey,
  modelKey,
  readCurrentRecord,
  storedVersionKeys,
  type StoredModelRecord,
} from './stored-models.ts';

export interface LoadProgress {
  /** `manifest`: checking the server's version; `download`: files arriving; `verify`: hashing;
   *  `store`: writing to IndexedDB; `ready`: done. */
  phase: 'manifest' | 'download' | 'verify' | 'store' | 'ready';
  /** Bytes of the bundle's files available so far, and in total (manifest.json excluded). */
  loaded: number;
  total: number;
  /** Where the model comes from: the network (first load, new version) or the stored copy. */
  source: 'network' | 'storage';
}

export interface LoadedModel {
  bundle: ModelBundle;
  source: 'network' | 'storage';
  /** Where the model is kept after this load: IndexedDB, or only this page's memory. */
  storedIn: 'indexeddb' | 'memory';
}

export interface LoadModelOptions {
  url: ModelUrl;
  store: ModelStore;
  fetch: typeof globalThis.fetch;
  onProgress?: (progress: LoadProgress) => void;
  warn: (warning: RecommenderWarning) => void;
  signal?: AbortSignal;
  /** When the server's newer version is corrupt or unreachable while a good version is stored:
   *  'use-stored' (default) keeps serving the stored version with a warning; 'throw' rejects. */
  onUpdateError?: 'use-stored' | 'throw';
  /** Download a version even though it failed verification recently (a shop's "Retry" button). */
  force?: boolean;
  /** How long a version that failed verification is not downloaded again. Default 1 hour. */
  failedVersionTtlMs?: number;
  /** Clock in ms for that memory (tests). Default Date.now. */
  now?: () => number;
}

const stored = (record: StoredModelRecord) => new Map(Object.entries(record.files));

export async function loadModel(options: LoadModelOptions): Promise<LoadedModel> {
  const { url, store, warn, signal } = options;
  const progress = (p: LoadProgress) => options.onProgress?.(p);
  const fallbackAllowed = options.onUpdateError !== 'throw';
  const now = options.now ?? Date.now;
  const ttlMs = options.failedVersionTtlMs ?? FAILED_VERSION_TTL_MS;

  // A broken store (read errors) must not block loading from the network.
  const record = await readCurrentRecord(store, url.baseUrl).catch(() => undefined);
  const fromStored = async (current: StoredModelRecord): Promise<LoadedModel> => {
    progress({ phase: 'verify', loaded: 0, total: current.bytes, source: 'storage' });
    const bundle = await decodeBundleFromFiles(stored(current));
    progress({ phase: 'ready', loaded: current.bytes, total: current.bytes, source: 'storage' });
    return { bundle, source: 'storage', storedIn: store.kind };
  };
  /** The server's side failed: serve the stored copy if there is one (and policy allows), else rethrow. */
  const useStoredOr = async (
    error: unknown,
    code: 'offline' | 'model-update-failed',
  ): Promise<LoadedModel> => {
    if (signal?.aborted || !record || !(fallbackAllowed || code === 'offline')) throw error;
    try {
      const loaded = await fromStored(record);
      const what =
        code === 'offline'
          ? "the server's manifest could not be fetched"
          : 'the new model version is invalid';
      warn({
        code,
        message: `${what}; using the stored version ${record.version}: ${messageOf(error)}`,
        cause: error,
      });
      return loaded;
    } catch {
      throw error; // The stored copy is unusable too: the server's error is the one to report.
    }
  };

  // 1. The server's manifest, revalidated (an unchanged manifest costs a 304 with ETag/Last-Modified).
  progress({ phase: 'manifest', loaded: 0, total: 0, source: 'network' });
  let manifestBytes: Uint8Array;
  let manifest: Manifest;
  try {
    manifestBytes = await downloadFile(url.manifestUrl, {
      fetch: options.fetch,
      file: MANIFEST_FILE,
      signal,
      cache: 'no-cache',
    });
  } catch (error) {
    return useStoredOr(error, 'offline');
  }
  try {
    manifest = parseManifestBytes(manifestBytes);
  } catch (error) {
    return useStoredOr(error, 'model-update-failed');
  }

  // 2. Same version stored: no download.
  if (record && record.version === manifest.version) {
    try {
      const loaded = await fromStored(record);
      // Finishes a cleanup that an earlier page closed before completing.
      await deleteOtherVersions(store, url.baseUrl, record.version);
      return loaded;
    } catch (error) {
      warn({
        code: 'stored-copy-invalid',
        message: `the stored copy of version ${record.version} failed verification and is downloaded again: ${messageOf(error)}`,
        cause: error,
      });
    }
  }

  // 3. A version that failed verification a moment ago would fail again: not downloaded unless forced.
  if (!options.force) {
    const failure = await recentFailure(store, url.baseUrl, manifest.version, now(), ttlMs);
    if (failure) return useStoredOr(rememberedFailureError(failure, ttlMs), 'model-update-failed');
  }

  // 4. Download every file (the manifest's byte lengths bound each), then verify all of them.
  const total = manifest.files.reduce((sum, f) => sum + f.byteLength, 0);
  const files = new Map<string, Uint8Array>([[MANIFEST_FILE, manifestBytes]]);
  let bundle: ModelBundle;
  try {
    const received = new Map<string, number>();
    const report = () => {
      let loaded = 0;
      for (const n of received.values()) loaded += n;
      progress({ phase: 'download', loaded, total, source: 'network' });
    };
    report();
    await Promise.all(
      manifest.files.map(async (entry) => {
        const bytes = await downloadFile(new URL(entry.path, url.baseUrl).href, {
          fetch: options.fetch,
          file: entry.path,
          signal,
          // The version is in the manifest: a file of the same name from another version must not come from cache.
          cache: 'no-cache',
          maxBytes: entry.byteLength,
          onBytes: (n) => {
            received.set(entry.path, n);
            report();
          },
        });
        files.set(entry.path, bytes);
      }),
    );
    progress({ phase: 'verify', loaded: total, total, source: 'network' });
    bundle = await decodeBundleFromFiles(files);
  } catch (error) {
    const serverSide = isServerSide(error);
    // Only wrong bytes are remembered: a network failure (or an abort) says nothing about the version.
    if (error instanceof BundleError && !serverSide && !signal?.aborted)
      await rememberFailure(store, url.baseUrl, manifest.version, error, now());
    return useStoredOr(error, serverSide ? 'offline' : 'model-update-failed');
  }

  // 5. Store (awaited, one transaction), then delete older versions.
  progress({ phase: 'store', loaded: total, total, source: 'network' });
  let storedIn: LoadedModel['storedIn'] = store.kind;
  const version = manifest.version;
  const newRecord: StoredModelRecord = {
    url: url.baseUrl,
    version,
    files: Object.fromEntries(files),
    bytes: total + manifestBytes.byteLength,
    storedAt: Date.now(),
  };
  const write = () =>
    store.setMany([
      [modelKey(url.baseUrl, version), newRecord],
      [currentKey(url.baseUrl), version],
    ]);
  try {
    try {
      await write();
    } catch (error) {
      const old = await otherVersionKeys(store, url.baseUrl, version);
      if (!isQuotaError(error) || old.length === 0) throw error;
      // The stored version is superseded by a complete, verified one: free its space and try once more.
      await store.delMany(old);
      await write();
    }
  } catch (error) {
    storedIn = 'memory';
    const why = isQuotaError(error) ? 'the storage quota is exhausted' : 'IndexedDB failed to store it';
    warn({
      code: 'storage-fallback',
      message: `the model (${total} bytes) is kept in memory for this page only: ${why} (${messageOf(error)})`,
      cause: error,
    });
  }
  if (storedIn === store.kind) await deleteOtherVersions(store, url.baseUrl, version);
  await forgetFailures(store, url.baseUrl);
  progress({ phase: 'ready', loaded: total, total, source: 'network' });
  return { bundle, source: 'network', storedIn };
}

async function otherVersionKeys(store: ModelStore, url: string, keep: string): Promise<string[]> {
  return (await storedVersionKeys(store, url)).filter((key) => key !== modelKey(url, keep));
}

/** Deletes every stored version of `url` but `keep`. Best effort: leftovers are retried on the next load. */
async function deleteOtherVersions(store: ModelStore, url: string, keep: string): Promise<void> {
  try {
    const old = await otherVersionKeys(store, url, keep);
    if (old.length > 0) await store.delMany(old);
  } catch {
    // Keeping an old version costs space, not correctness: the current pointer names the version in use.
  }
}

interface SharedLoad {
  promise: Promise<LoadedModel>;
  progress: Set<(progress: LoadProgress) => void>;
  warn: Set<(warning: RecommenderWarning) => void>;
  waiting: number;
  controller: AbortController;
}

const inFlight = new WeakMap<ModelStore, Map<string, SharedLoad>>();

/**
 * loadModel, but concurrent loads of the same model into the same store share one download (two
 * recommenders created at once must not race two writes of the same version). Every caller gets the
 * progress and warnings; the download is aborted only when every caller's signal aborted.
 */
export function loadModelShared(options: LoadModelOptions): Promise<LoadedModel> {
  const { store, url, signal } = options;
  signal?.throwIfAborted();
  let byUrl = inFlight.get(store);
  if (!byUrl) inFlight.set(store, (byUrl = new Map()));
  let shared = byUrl.get(url.baseUrl);
  if (!shared) {
    const controller = new AbortController();
    const entry: SharedLoad = {
      progress: new Set(),
      warn: new Set(),
      waiting: 0,
      controller,
      promise: null!,
    };
    entry.promise = loadModel({
      ...options,
      signal: controller.signal,
      onProgress: (p) => entry.progress.forEach((fn) => fn(p)),
      warn: (w) => entry.warn.forEach((fn) => fn(w)),
    }).finally(() => byUrl.delete(url.baseUrl));
    byUrl.set(url.baseUrl, entry);
    shared = entry;
  }
  const entry = shared;
  const onProgress = (p: LoadProgress) => options.onProgress?.(p);
  entry.progress.add(onProgress);
  entry.warn.add(options.warn);
  entry.waiting++;
  return new Promise<LoadedModel>((resolve, reject) => {
    const leave = () => {
      entry.progress.delete(onProgress);
      entry.warn.delete(options.warn);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      leave();
      if (--entry.waiting === 0) entry.controller.abort(signal!.reason);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    entry.promise.then(
      (loaded) => {
        leave();
        resolve(loaded);
      },
      (error: unknown) => {
        leave();
        reject(error);
      },
    );
  });
}

/** Network and HTTP failures (the server's side) as opposed to bytes that arrived and are wrong. */
function isServerSide(error: unknown): boolean {
  return error instanceof BundleError && error.code === 'BUNDLE_LOAD' && !/HTML page/.test(error.message);
}
