// Records of stored model versions, and the model-management helpers of the public API.
// One record per (model URL, version) holds every file of that version: the version is in the key, so an
// upgrade can never read a stale file of the previous version, and the record is written in one transaction
// together with the "current version" pointer.
import { indexedDbModelStore, probeStore, type ModelStore } from './model-store.ts';
import { resolveModelUrl } from './model-url.ts';

export interface StoredModelRecord {
  url: string;
  version: string;
  /** Every file of the bundle, manifest.json included, exactly as downloaded and verified. */
  files: Record<string, Uint8Array>;
  bytes: number;
  storedAt: number;
}

export interface StoredModelInfo {
  url: string;
  version: string;
  bytes: number;
  storedAt: Date;
}

const MODEL_PREFIX = 'model:';
const CURRENT_PREFIX = 'current:';

/** `model:<url>␟<version>`: ␟ (unit separator) cannot appear in a URL. */
export function modelKey(url: string, version: string): string {
  return `${MODEL_PREFIX}${url}\u001f${version}`;
}

export function currentKey(url: string): string {
  return `${CURRENT_PREFIX}${url}`;
}

function parseModelKey(key: string): { url: string; version: string } | null {
  if (!key.startsWith(MODEL_PREFIX)) return null;
  const sep = key.lastIndexOf('\u001f');
  return sep < 0 ? null : { url: key.slice(MODEL_PREFIX.length, sep), version: key.slice(sep + 1) };
}

/** Keys of every stored version of `url`. */
export async function storedVersionKeys(store: ModelStore, url: string): Promise<string[]> {
  return (await store.keys()).filter((key) => parseModelKey(key)?.url === url);
}

export async function readCurrentRecord(
  store: ModelStore,
  url: string,
): Promise<StoredModelRecord | undefined> {
  const version = await store.get<string>(currentKey(url));
  return version === undefined ? undefined : store.get<StoredModelRecord>(modelKey(url, version));
}

function info(record: StoredModelRecord): StoredModelInfo {
  return {
    url: record.url,
    version: record.version,
    bytes: record.bytes,
    storedAt: new Date(record.storedAt),
  };
}

/**
 * Runs a query; where IndexedDB is unavailable altogether (private windows, blocked storage) the answer is
 * `empty` — nothing can be stored there — instead of an error. Other failures propagate.
 */
async function orEmpty<T>(store: ModelStore, empty: T, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if ((await probeStore(store)) !== null) return empty;
    throw error;
  }
}

/** The stored versions of every model (normally one per model URL). */
export async function listStoredModels(
  store: ModelStore = indexedDbModelStore(),
): Promise<StoredModelInfo[]> {
  return orEmpty(store, [], async () => {
    const out: StoredModelInfo[] = [];
    for (const key of await store.keys()) {
      if (!parseModelKey(key)) continue;
      const record = await store.get<StoredModelRecord>(key);
      if (record) out.push(info(record));
    }
    return out;
  });
}

/** The stored version of a model (URL as given to createRecommender), or undefined when none is stored. */
export async function getStoredModel(
  model: string | URL,
  store: ModelStore = indexedDbModelStore(),
): Promise<StoredModelInfo | undefined> {
  const url = resolveModelUrl(model).baseUrl;
  const record = await orEmpty(store, undefined, () => readCurrentRecord(store, url));
  return record && info(record);
}

/** Whether a model is stored; with `version`, whether exactly that version is. */
export async function isModelStored(
  model: string | URL,
  version?: string,
  store: ModelStore = indexedDbModelStore(),
): Promise<boolean> {
  const url = resolveModelUrl(model).baseUrl;
  const key = version === undefined ? undefined : modelKey(url, version);
  const found = await orEmpty(store, undefined, () => (key ? store.get(key) : readCurrentRecord(store, url)));
  return found !== undefined;
}

/** Deletes the stored copies of a model (every version, or only `version`). Resolves true if one was deleted. */
export async function deleteStoredModel(
  model: string | URL,
  version?: string,
  store: ModelStore = indexedDbModelStore(),
): Promise<boolean> {
  const url = resolveModelUrl(model).baseUrl;
  return orEmpty(store, false, async () => {
    const victims = (await storedVersionKeys(store, url)).filter(
      (key) => version === undefined || parseModelKey(key)?.version === version,
    );
    const current = await store.get<string>(currentKey(url));
    if (current !== undefined && (version === undefined || version === current))
      victims.push(currentKey(url));
    if (victims.length > 0) await store.delMany(victims);
    return victims.length > 0;
  });
}

export interface StorageUsage {
  /** Bytes of the model files this SDK stored (every model, every version). */
  modelBytes: number;
  /** The origin's usage and quota from `navigator.storage.estimate()`, when the browser provides it. */
  usage?: number;
  quota?: number;
}

/** How many bytes the stored models hold, and the origin's storage estimate. */
export async function getStorageUsage(store: ModelStore = indexedDbModelStore()): Promise<StorageUsage> {
  const modelBytes = (await listStoredModels(store)).reduce((sum, m) => sum + m.bytes, 0);
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  return { modelBytes, usage: estimate?.usage, quota: estimate?.quota };
}
