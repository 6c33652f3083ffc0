import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BundleIntegrityError, BundleTruncatedError } from '../bundle/errors.ts';
import type { RecommenderWarning } from '../events.ts';
import { bundleServer, TEST_MODEL_URL } from '../testing/bundle-server.ts';
import { randomBundleFiles } from '../testing/random-bundle.ts';
import { createRecommender } from '../recommender/recommender.ts';
import { FAILED_VERSION_TTL_MS, failedVersionKey } from './failed-versions.ts';
import { loadModel, type LoadModelOptions } from './model-loader.ts';
import { indexedDbModelStore, type ModelStore } from './model-store.ts';
import { resolveModelUrl } from './model-url.ts';
import { listStoredModels } from './stored-models.ts';

let dbCounter = 0;
const freshDb = () => {
  const name = `failed-versions-test-${++dbCounter}`;
  return { store: indexedDbModelStore(name), reopen: () => indexedDbModelStore(name) };
};
const files = (seed = 1) => randomBundleFiles('full', { numItems: 200, dim: 8, seed, vocabulary: 'list' });
/** The same version with one byte of tensors.bin flipped (the manifest's SHA-256 no longer matches). */
const flipped = (good: Map<string, Uint8Array>) => {
  const bytes = good.get('tensors.bin')!.slice();
  bytes[bytes.length >> 1] ^= 0xff;
  return new Map(good).set('tensors.bin', bytes);
};

function load(store: ModelStore, fetch: typeof globalThis.fetch, extra: Partial<LoadModelOptions> = {}) {
  const warnings: RecommenderWarning[] = [];
  const promise = loadModel({
    url: resolveModelUrl(TEST_MODEL_URL),
    store,
    fetch,
    warn: (w) => warnings.push(w),
    ...extra,
  });
  return { promise, warnings };
}

describe('failed-version memory', () => {
  it('a version that failed verification is not downloaded again within the hour; then it is', async () => {
    const good = await files();
    const server = bundleServer(flipped(good));
    const db = freshDb();
    let clock = 1_000_000;
    const now = () => clock;
    await expect(load(db.store, server.fetch, { now }).promise).rejects.toBeInstanceOf(BundleIntegrityError);
    expect(server.count('tensors.bin')).toBe(1);
    expect(await listStoredModels(db.reopen())).toEqual([]);

    // A reload 59 minutes later: only the manifest is fetched; the error keeps its class and says why.
    clock += FAILED_VERSION_TTL_MS - 60_000;
    server.requests.length = 0;
    const error = await load(db.reopen(), server.fetch, { now }).promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleIntegrityError);
    expect((error as BundleIntegrityError).file).toBe('tensors.bin');
    expect((error as Error).message).toMatch(/failed verification at .* not downloaded again before .*force/);
    expect(server.requests).toEqual(['manifest.json']);

    // Past the hour it is tried again (and fails again: the server still has the corrupt file).
    clock += 120_000;
    server.requests.length = 0;
    await expect(load(db.reopen(), server.fetch, { now }).promise).rejects.toBeInstanceOf(
      BundleIntegrityError,
    );
    expect(server.requests).toContain('tensors.bin');
  });

  it('force bypasses the memory, and a good download forgets the failure', async () => {
    const good = await files();
    const server = bundleServer(flipped(good));
    const db = freshDb();
    await expect(load(db.store, server.fetch).promise).rejects.toThrow();
    const version = JSON.parse(new TextDecoder().decode(good.get('manifest.json'))).version as string;
    expect(await db.reopen().keys()).toContain(failedVersionKey(TEST_MODEL_URL, version));

    server.serve(good); // the server's file is fixed, same version
    server.requests.length = 0;
    await expect(load(db.reopen(), server.fetch).promise).rejects.toThrow(/not downloaded again/);
    expect(server.count('tensors.bin')).toBe(0);
    const forced = await load(db.reopen(), server.fetch, { force: true }).promise;
    expect(forced.source).toBe('network');
    expect(server.count('tensors.bin')).toBe(1);
    expect(await db.reopen().keys()).not.toContain(failedVersionKey(TEST_MODEL_URL, version));
    expect((await load(db.reopen(), server.fetch).promise).source).toBe('storage');
  });

  it('with a good version stored, a remembered bad update serves the stored one with a warning', async () => {
    const server = bundleServer(await files(1));
    const db = freshDb();
    const v1 = (await load(db.store, server.fetch).promise).bundle.manifest.version;
    const v2files = await files(2);
    const truncated = v2files.get('tensors.bin')!.slice(0, 40);
    server.serve(new Map(v2files).set('tensors.bin', truncated));

    const first = load(db.reopen(), server.fetch);
    expect((await first.promise).bundle.manifest.version).toBe(v1);
    expect(first.warnings.map((w) => w.code)).toEqual(['model-update-failed']);
    expect(server.count('tensors.bin')).toBe(2);

    const second = load(db.reopen(), server.fetch);
    expect((await second.promise).bundle.manifest.version).toBe(v1);
    expect(server.count('tensors.bin')).toBe(2); // not downloaded again
    expect(second.warnings).toHaveLength(1);
    expect(second.warnings[0].code).toBe('model-update-failed');
    expect(second.warnings[0].cause).toBeInstanceOf(BundleTruncatedError);
    expect(second.warnings[0].message).toMatch(/using the stored version .*not downloaded again before/);
  });

  it('a network failure is not remembered: the next load downloads again', async () => {
    const server = bundleServer(await files());
    const db = freshDb();
    server.statusFor.set('tensors.bin', 503);
    await expect(load(db.store, server.fetch).promise).rejects.toThrow(/HTTP 503/);
    expect((await db.reopen().keys()).filter((k) => k.startsWith('failed:'))).toEqual([]);
    server.statusFor.clear();
    expect((await load(db.reopen(), server.fetch).promise).source).toBe('network');
  });

  it('a store that cannot remember still reports the verification error', async () => {
    const server = bundleServer(flipped(await files()));
    const db = freshDb();
    const readOnly: ModelStore = {
      ...db.store,
      setMany: async () => {
        throw new DOMException('read-only', 'InvalidStateError');
      },
    };
    await expect(load(readOnly, server.fetch).promise).rejects.toBeInstanceOf(BundleIntegrityError);
    await expect(load(readOnly, server.fetch).promise).rejects.toBeInstanceOf(BundleIntegrityError);
    expect(server.count('tensors.bin')).toBe(2);
  });

  it('createRecommender({ force: true }) is the retry; a non-boolean force is a clear error', async () => {
    const good = await files();
    const server = bundleServer(flipped(good));
    const db = freshDb();
    const deps = { store: db.store, sessionPersistence: null };
    const open = (force?: boolean) =>
      createRecommender({ model: TEST_MODEL_URL, backend: 'cpu', fetch: server.fetch, force }, deps);
    await expect(open()).rejects.toBeInstanceOf(BundleIntegrityError);
    server.serve(good);
    await expect(open()).rejects.toThrow(/not downloaded again/);
    const rec = await open(true);
    expect(rec.model.source).toBe('network');
    expect((await rec.recommend({ k: 3 })).length).toBe(3);
    rec.dispose();
    await expect(
      createRecommender({ model: TEST_MODEL_URL, force: 'yes' as unknown as boolean }, deps),
    ).rejects.toThrow(/options\.force/);
  });
});
