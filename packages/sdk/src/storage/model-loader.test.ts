import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  BundleError,
  BundleIntegrityError,
  BundleLoadError,
  BundleTruncatedError,
} from '../bundle/errors.ts';
import { MANIFEST_FILE, type ModelKind } from '../bundle/types.ts';
import type { RecommenderWarning } from '../events.ts';
import { bundleServer, TEST_MODEL_URL } from '../testing/bundle-server.ts';
import { randomBundleFiles } from '../testing/random-bundle.ts';
import { loadModel, loadModelShared, type LoadModelOptions, type LoadProgress } from './model-loader.ts';
import { indexedDbModelStore, memoryModelStore, type ModelStore } from './model-store.ts';
import { resolveModelUrl } from './model-url.ts';
import {
  deleteStoredModel,
  getStorageUsage,
  getStoredModel,
  isModelStored,
  listStoredModels,
  modelKey,
  type StoredModelRecord,
} from './stored-models.ts';

let dbCounter = 0;
/** A fresh IndexedDB database per test; `reopen` gives a new connection to the same one (a page reload). */
function freshDb() {
  const name = `loader-test-${++dbCounter}`;
  return { store: indexedDbModelStore(name), reopen: () => indexedDbModelStore(name) };
}

const version1 = (kind: ModelKind = 'compositional', seed = 1) =>
  randomBundleFiles(kind, { numItems: 300, dim: 8, seed, vocabulary: 'list' });

function options(store: ModelStore, fetch: typeof globalThis.fetch, extra: Partial<LoadModelOptions> = {}) {
  const warnings: RecommenderWarning[] = [];
  const opts: LoadModelOptions = {
    url: resolveModelUrl(TEST_MODEL_URL),
    store,
    fetch,
    warn: (w) => warnings.push(w),
    ...extra,
  };
  return { opts, warnings };
}

function corrupt(files: Map<string, Uint8Array>, path: string, mutate: (b: Uint8Array) => Uint8Array) {
  const copy = new Map(files);
  copy.set(path, mutate(files.get(path)!.slice()));
  return copy;
}

describe('loadModel: first load and reload', () => {
  it('downloads, verifies, stores; a reload reads IndexedDB and downloads only the manifest', async () => {
    const files = await version1();
    const server = bundleServer(files);
    const db = freshDb();
    const progress: LoadProgress[] = [];
    const first = await loadModel(
      options(db.store, server.fetch, { onProgress: (p) => progress.push(p) }).opts,
    );
    expect(first.source).toBe('network');
    expect(first.storedIn).toBe('indexeddb');
    expect(server.count('tensors.bin')).toBe(1);
    const total = [...files].filter(([p]) => p !== MANIFEST_FILE).reduce((s, [, b]) => s + b.byteLength, 0);
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.at(-1)).toMatchObject({ loaded: total, total });
    expect(downloads.every((p, i) => i === 0 || p.loaded >= downloads[i - 1].loaded)).toBe(true);
    expect(progress.at(-1)?.phase).toBe('ready');

    server.requests.length = 0;
    const second = await loadModel(options(db.reopen(), server.fetch).opts);
    expect(second.source).toBe('storage');
    expect(server.requests).toEqual([MANIFEST_FILE]);
    expect(second.bundle.manifest.version).toBe(first.bundle.manifest.version);
    expect(second.bundle.itemIds(7)).toBe(first.bundle.itemIds(7));
  });

  it('every file is in IndexedDB, byte-equal, when the load resolves (un-awaited write regression)', async () => {
    const files = await version1('full');
    const server = bundleServer(files);
    const db = freshDb();
    // A slow store: a write that is not awaited would still be pending when loadModel resolves.
    let committed = false;
    const slow: ModelStore = {
      ...db.store,
      setMany: async (entries) => {
        await new Promise((r) => setTimeout(r, 50));
        await db.store.setMany(entries);
        committed = true;
      },
    };
    const loaded = await loadModel(options(slow, server.fetch).opts);
    expect(committed).toBe(true);
    const record = await db
      .reopen()
      .get<StoredModelRecord>(modelKey(TEST_MODEL_URL, loaded.bundle.manifest.version));
    expect(Object.keys(record!.files).sort()).toEqual([...files.keys()].sort());
    for (const [path, bytes] of files) expect(record!.files[path]).toEqual(bytes);
  });

  it('works offline once stored (network error on the manifest)', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    await loadModel(options(db.store, server.fetch).opts);
    server.offline = true;
    const { opts, warnings } = options(db.reopen(), server.fetch);
    const loaded = await loadModel(opts);
    expect(loaded.source).toBe('storage');
    expect(warnings.map((w) => w.code)).toEqual(['offline']);
  });

  it('offline with nothing stored rejects with a BundleLoadError', async () => {
    const server = bundleServer(await version1());
    server.offline = true;
    await expect(loadModel(options(freshDb().store, server.fetch).opts)).rejects.toBeInstanceOf(
      BundleLoadError,
    );
  });

  it('an HTTP error on the manifest falls back to the stored copy', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    await loadModel(options(db.store, server.fetch).opts);
    server.statusFor.set(MANIFEST_FILE, 503);
    const { opts, warnings } = options(db.reopen(), server.fetch);
    expect((await loadModel(opts)).source).toBe('storage');
    expect(warnings[0].code).toBe('offline');
    expect(String(warnings[0].message)).toMatch(/503/);
  });
});

describe('loadModel: versions', () => {
  it('a new version replaces the old one after it is verified, and the old one is deleted', async () => {
    const v1 = await version1('compositional', 1);
    const v2 = await version1('compositional', 2);
    const server = bundleServer(v1);
    const db = freshDb();
    const a = await loadModel(options(db.store, server.fetch).opts);
    server.serve(v2);
    const b = await loadModel(options(db.reopen(), server.fetch).opts);
    expect(b.source).toBe('network');
    expect(b.bundle.manifest.version).not.toBe(a.bundle.manifest.version);
    const stored = await listStoredModels(db.reopen());
    expect(stored.map((m) => m.version)).toEqual([b.bundle.manifest.version]);
    expect(await isModelStored(TEST_MODEL_URL, a.bundle.manifest.version, db.reopen())).toBe(false);
    expect(await isModelStored(TEST_MODEL_URL, b.bundle.manifest.version, db.reopen())).toBe(true);
  });

  it('every request revalidates with the server, so an upgrade never reads a stale HTTP-cached file', async () => {
    const server = bundleServer(await version1('full', 1));
    const db = freshDb();
    await loadModel(options(db.store, server.fetch).opts);
    server.serve(await version1('full', 2));
    await loadModel(options(db.reopen(), server.fetch).opts);
    expect(server.requests).toEqual([
      'manifest.json',
      'tensors.bin',
      'vocab.txt',
      'manifest.json',
      'tensors.bin',
      'vocab.txt',
    ]);
    expect(server.cacheModes.every((mode) => mode === 'no-cache')).toBe(true);
  });

  it.each([
    ['one flipped byte', (b: Uint8Array) => ((b[b.length >> 1] ^= 0xff), b), BundleIntegrityError],
    ['truncated', (b: Uint8Array) => b.slice(0, b.length - 9), BundleTruncatedError],
  ])('a corrupt update (%s) keeps the old version stored and usable', async (_name, mutate, ErrorType) => {
    const v1 = await version1('full', 1);
    const server = bundleServer(v1);
    const db = freshDb();
    const good = await loadModel(options(db.store, server.fetch).opts);
    server.serve(corrupt(await version1('full', 2), 'tensors.bin', mutate));

    // Strict policy: the codec's typed error.
    const strict = options(db.reopen(), server.fetch, { onUpdateError: 'throw' }).opts;
    await expect(loadModel(strict)).rejects.toBeInstanceOf(ErrorType);
    // The stored good version is untouched and still what a default load serves.
    expect((await getStoredModel(TEST_MODEL_URL, db.reopen()))?.version).toBe(good.bundle.manifest.version);
    const { opts, warnings } = options(db.reopen(), server.fetch);
    const again = await loadModel(opts);
    expect(again.bundle.manifest.version).toBe(good.bundle.manifest.version);
    expect(warnings[0].code).toBe('model-update-failed');
    expect(warnings[0].cause).toBeInstanceOf(ErrorType);
  });

  it('a corrupt first load throws the typed error and stores nothing', async () => {
    const server = bundleServer(corrupt(await version1(), 'tensors.bin', (b) => ((b[3] ^= 1), b)));
    const db = freshDb();
    await expect(loadModel(options(db.store, server.fetch).opts)).rejects.toBeInstanceOf(
      BundleIntegrityError,
    );
    // No model record; only the failed-version memory (failed-versions.ts).
    expect((await db.reopen().keys()).every((key) => key.startsWith('failed:'))).toBe(true);
    expect(await listStoredModels(db.reopen())).toEqual([]);
  });

  it('a wrong-format-version manifest is a typed error; the stored version stays', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    await loadModel(options(db.store, server.fetch).opts);
    const next = await version1('compositional', 5);
    const manifest = JSON.parse(new TextDecoder().decode(next.get(MANIFEST_FILE)));
    manifest.formatVersion = 99;
    server.serve(new Map(next).set(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest))));
    const strict = options(db.reopen(), server.fetch, { onUpdateError: 'throw' }).opts;
    await expect(loadModel(strict)).rejects.toMatchObject({ code: 'BUNDLE_VERSION' });
    expect(await listStoredModels(db.reopen())).toHaveLength(1);
  });

  it('an HTML page answered with status 200 for a missing file is rejected and never stored', async () => {
    const files = await version1();
    const missing = new Map(files);
    missing.delete('tensors.bin');
    const server = bundleServer(missing);
    const db = freshDb();
    const error = await loadModel(options(db.store, server.fetch).opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect(String((error as Error).message)).toMatch(/tensors\.bin.*HTML page/);
    // No model record; only the failed-version memory (failed-versions.ts).
    expect((await db.reopen().keys()).every((key) => key.startsWith('failed:'))).toBe(true);
    expect(await listStoredModels(db.reopen())).toEqual([]);
  });

  it('an HTML page without a text/html content type is still rejected by the codec', async () => {
    const files = await version1();
    const server = bundleServer(files);
    const page = new TextEncoder().encode('<!doctype html><html><body>not found</body></html>');
    server.serve(new Map(files).set('tensors.bin', page));
    const error = await loadModel(options(freshDb().store, server.fetch).opts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).file).toBe('tensors.bin');
  });

  it('a stored copy that fails verification is replaced by a fresh download', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    const first = await loadModel(options(db.store, server.fetch).opts);
    const key = modelKey(TEST_MODEL_URL, first.bundle.manifest.version);
    const record = (await db.store.get<StoredModelRecord>(key))!;
    record.files['tensors.bin'] = record.files['tensors.bin'].slice(0, 16);
    await db.store.setMany([[key, record]]);
    const { opts, warnings } = options(db.reopen(), server.fetch);
    const loaded = await loadModel(opts);
    expect(loaded.source).toBe('network');
    expect(warnings.map((w) => w.code)).toEqual(['stored-copy-invalid']);
    const repaired = (await db.reopen().get<StoredModelRecord>(key))!;
    expect(repaired.files['tensors.bin'].byteLength).toBeGreaterThan(16);
  });
});

describe('loadModel: storage failures', () => {
  it('a quota error on write keeps the model in memory with a storage-fallback warning', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    const full: ModelStore = {
      ...db.store,
      setMany: async () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    };
    const { opts, warnings } = options(full, server.fetch);
    const loaded = await loadModel(opts);
    expect(loaded.storedIn).toBe('memory');
    expect(loaded.bundle.manifest.hyper.numItems).toBe(300);
    expect(warnings.map((w) => w.code)).toEqual(['storage-fallback']);
    expect(warnings[0].message).toMatch(/quota/);
    expect(await db.reopen().keys()).toEqual([]);
  });

  it('a store whose reads fail still loads from the network', async () => {
    const server = bundleServer(await version1());
    const broken: ModelStore = {
      ...memoryModelStore(),
      get: async () => {
        throw new DOMException('gone', 'InvalidStateError');
      },
    };
    expect((await loadModel(options(broken, server.fetch).opts)).source).toBe('network');
  });
});

describe('loadModelShared', () => {
  it('concurrent loads of the same model download once and store one complete copy', async () => {
    const server = bundleServer(await version1());
    server.delayMs = 20;
    const db = freshDb();
    const progressA: LoadProgress[] = [];
    const progressB: LoadProgress[] = [];
    const [a, b] = await Promise.all([
      loadModelShared(options(db.store, server.fetch, { onProgress: (p) => progressA.push(p) }).opts),
      loadModelShared(options(db.store, server.fetch, { onProgress: (p) => progressB.push(p) }).opts),
    ]);
    expect(a.bundle).toBe(b.bundle);
    expect(server.count('tensors.bin')).toBe(1);
    expect(server.count(MANIFEST_FILE)).toBe(1);
    expect(progressA.at(-1)?.phase).toBe('ready');
    expect(progressB.at(-1)?.phase).toBe('ready');
    expect(await listStoredModels(db.reopen())).toHaveLength(1);
    // Once settled, a later load is a new (cheap) load again.
    await loadModelShared(options(db.store, server.fetch).opts);
    expect(server.count(MANIFEST_FILE)).toBe(2);
  });

  it('aborting one of two callers does not abort the shared download; aborting all does', async () => {
    const server = bundleServer(await version1());
    server.delayMs = 30;
    const db = freshDb();
    const abortA = new AbortController();
    const a = loadModelShared(options(db.store, server.fetch, { signal: abortA.signal }).opts);
    const b = loadModelShared(options(db.store, server.fetch).opts);
    abortA.abort(new Error('user left'));
    await expect(a).rejects.toThrow('user left');
    expect((await b).source).toBe('network');

    const other = freshDb();
    const abortC = new AbortController();
    const c = loadModelShared(options(other.store, server.fetch, { signal: abortC.signal }).opts);
    abortC.abort(new Error('gone'));
    await expect(c).rejects.toThrow('gone');
    await new Promise((r) => setTimeout(r, 100));
    expect(await other.reopen().keys()).toEqual([]);
  });
});

describe('model management helpers', () => {
  it('tell whether a version is stored, its bytes, and delete it', async () => {
    const files = await version1();
    const server = bundleServer(files);
    const db = freshDb();
    const loaded = await loadModel(options(db.store, server.fetch).opts);
    const version = loaded.bundle.manifest.version;
    const bytes = [...files.values()].reduce((s, b) => s + b.byteLength, 0);
    expect(await isModelStored(TEST_MODEL_URL, undefined, db.store)).toBe(true);
    // The same model named by its manifest URL.
    expect(await isModelStored(`${TEST_MODEL_URL}manifest.json`, version, db.store)).toBe(true);
    expect(await getStoredModel(TEST_MODEL_URL, db.store)).toMatchObject({ version, bytes });
    expect((await getStorageUsage(db.store)).modelBytes).toBe(bytes);
    expect(await deleteStoredModel(TEST_MODEL_URL, undefined, db.store)).toBe(true);
    expect(await isModelStored(TEST_MODEL_URL, undefined, db.reopen())).toBe(false);
    expect(await db.reopen().keys()).toEqual([]);
    expect(await deleteStoredModel(TEST_MODEL_URL, undefined, db.store)).toBe(false);
  });
});

describe('model management helpers without IndexedDB', () => {
  it('answer "nothing stored" instead of throwing', async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error simulating a browser without IndexedDB
    delete globalThis.indexedDB;
    try {
      const store = indexedDbModelStore('helpers-no-idb');
      expect(await isModelStored(TEST_MODEL_URL, undefined, store)).toBe(false);
      expect(await isModelStored(TEST_MODEL_URL, 'v1', store)).toBe(false);
      expect(await getStoredModel(TEST_MODEL_URL, store)).toBeUndefined();
      expect(await listStoredModels(store)).toEqual([]);
      expect(await deleteStoredModel(TEST_MODEL_URL, undefined, store)).toBe(false);
      expect((await getStorageUsage(store)).modelBytes).toBe(0);
    } finally {
      globalThis.indexedDB = saved;
    }
  });
});

describe('loadModel: old versions', () => {
  it('a version left over by an interrupted cleanup is deleted on the next load', async () => {
    const server = bundleServer(await version1());
    const db = freshDb();
    const loaded = await loadModel(options(db.store, server.fetch).opts);
    const stale: StoredModelRecord = {
      url: TEST_MODEL_URL,
      version: 'stale-version',
      files: {},
      bytes: 1,
      storedAt: 0,
    };
    await db.store.setMany([[modelKey(TEST_MODEL_URL, 'stale-version'), stale]]);
    expect(await listStoredModels(db.reopen())).toHaveLength(2);
    const again = await loadModel(options(db.reopen(), server.fetch).opts);
    expect(again.source).toBe('storage');
    expect((await listStoredModels(db.reopen())).map((m) => m.version)).toEqual([
      loaded.bundle.manifest.version,
    ]);
  });

  it('a quota error on an update frees the superseded version and stores the new one', async () => {
    const server = bundleServer(await version1('full', 1));
    const db = freshDb();
    await loadModel(options(db.store, server.fetch).opts);
    server.serve(await version1('full', 2));
    // Room for one model only: a write while two versions would be stored fails with a quota error.
    const small: ModelStore = {
      ...db.store,
      setMany: async (entries) => {
        const models = (await db.store.keys()).filter((k) => k.startsWith('model:')).length;
        if (models >= 1) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        await db.store.setMany(entries);
      },
    };
    const { opts, warnings } = options(small, server.fetch);
    const loaded = await loadModel(opts);
    expect(warnings).toEqual([]);
    expect(loaded.storedIn).toBe('indexeddb');
    const stored = await listStoredModels(db.reopen());
    expect(stored.map((m) => m.version)).toEqual([loaded.bundle.manifest.version]);
  });
});
