import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeBundleDir } from '@session-rec/sdk/bundle/node';
import { randomBundleFiles } from '@session-rec/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelsPlugin } from './models-plugin.ts';

type Middleware = (req: { url: string }, res: unknown, next: (error?: unknown) => void) => Promise<void>;

let root: string;
let middleware: Middleware;

/** A response that records what the middleware wrote (it pipes files into it, so it must be a stream). */
function fakeResponse() {
  const chunks: Buffer[] = [];
  const headers: Record<string, string> = {};
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const res = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
      final(callback) {
        done();
        callback();
      },
    }),
    { statusCode: 200, setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value) },
  );
  return { res, headers, finished, body: () => Buffer.concat(chunks).toString('utf8') };
}

async function get(url: string) {
  const response = fakeResponse();
  let nextCalled = false;
  await middleware({ url }, response.res, () => (nextCalled = true));
  if (!nextCalled) await response.finished;
  return { status: response.res.statusCode, body: response.body(), headers: response.headers, nextCalled };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'shop-plugin-'));
  await writeBundleDir(
    join(root, 'models', 'toy-popularity'),
    await randomBundleFiles('popularity', { numItems: 50 }),
  );
  await writeBundleDir(
    join(root, 'bench', 'toy-full-random'),
    await randomBundleFiles('full', { numItems: 50, dim: 8 }),
  );
  await mkdir(join(root, 'datasets', 'toy'), { recursive: true });
  await writeFile(join(root, 'datasets', 'toy', 'test.txt'), '1 2 3\t4\n5\t6\n7 8\t9\n');
  await writeFile(join(root, 'secret.txt'), 'not for the web');
  const plugin = modelsPlugin({
    modelsDir: join(root, 'models'),
    benchModelsDir: join(root, 'bench'),
    datasetsDir: join(root, 'datasets'),
  });
  (plugin.configureServer as (server: unknown) => void)({
    middlewares: { use: (fn: Middleware) => (middleware = fn) },
  });
});

afterAll(() => rm(root, { recursive: true, force: true }));

describe('modelsPlugin dev middleware', () => {
  it('lists the committed bundles and, separately, the random ones', async () => {
    const models = await get('/models/index.json');
    expect(JSON.parse(models.body).map((b: { id: string; random: boolean }) => [b.id, b.random])).toEqual([
      ['toy-popularity', false],
    ]);
    const random = await get('/bench-models/index.json?x=1');
    expect(JSON.parse(random.body).map((b: { url: string; random: boolean }) => [b.url, b.random])).toEqual([
      ['/bench-models/toy-full-random/', true],
    ]);
  });

  it('serves random bundle files and answers 404 — not the app page — for missing or outside paths', async () => {
    const manifest = await get('/bench-models/toy-full-random/manifest.json');
    expect(manifest.status).toBe(200);
    expect(JSON.parse(manifest.body).kind).toBe('full');
    for (const url of [
      '/bench-models/toy-full-random/nope.bin',
      '/bench-models/../secret.txt',
      '/bench-models/%2e%2e/secret.txt',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(response.body).not.toContain('not for the web');
    }
  });

  it('serves test sessions of a dataset folder, and 404 without one', async () => {
    const sessions = await get('/bench-sessions/toy.json?count=3');
    expect(JSON.parse(sessions.body)).toEqual([['1', '2', '3'], ['5'], ['7', '8']]);
    expect((await get('/bench-sessions/missing.json')).status).toBe(404);
  });

  it('serves the item categories of each bundle, and 404 for a folder that is not a bundle', async () => {
    const response = await get('/models/toy-popularity/categories.json');
    expect(response.status).toBe(200);
    const categories = JSON.parse(response.body);
    expect(categories.source).toBe('popularity-tier');
    expect(categories.groups.join(' ').split(' ').sort()).toHaveLength(50);
    expect((await get('/models/nope/categories.json')).status).toBe(404);
    expect((await get('/models/../categories.json')).nextCalled).toBe(true);
  });

  it('passes every other request on', async () => {
    expect((await get('/src/main.ts')).nextCalled).toBe(true);
    expect((await get('/models/toy-popularity/manifest.json')).nextCalled).toBe(true);
  });
});
