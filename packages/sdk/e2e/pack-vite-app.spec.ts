// The SDK as a shop installs it from npm: `pnpm pack` of packages/sdk, `npm install` of the tarball into a
// scratch Vite app outside the workspace (its dependencies from the npm registry), `vite build` with the
// workspace's own Vite binary (the version the demo shop uses; no second download), the build served as
// static files, and the shipped tmall-compositional bundle in Chromium: CPU, WebGPU (the lazy chunk) and
// the worker engine (the worker file) must give the same real recommendations.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { npmInstallTarballs, packPackage, workspaceRoot } from '../scripts/pack.ts';
import type { PackedApi } from './pack-vite-app/main.ts';

let root: string;
let server: Server;
let baseUrl: string;

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.css': 'text/css',
};

/** The built app's files, nothing else (a static host: no dev server, no SPA fallback). */
function serveStatic(dir: string): Promise<Server> {
  const srv = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  root = mkdtempSync(join(tmpdir(), 'pack-vite-app-'));
  const app = join(root, 'app');
  npmInstallTarballs(app, [packPackage('packages/sdk', root)]);
  cpSync(join(workspaceRoot, 'packages/sdk/e2e/pack-vite-app'), app, { recursive: true });
  cpSync(
    join(workspaceRoot, 'apps/demo-shop/public/models/tmall-compositional'),
    join(app, 'public/models/tmall-compositional'),
    { recursive: true },
  );
  // No config file: what a fresh `vite build` does with the package (the SDK must not need a plugin).
  execFileSync(join(workspaceRoot, 'node_modules/.bin/vite'), ['build', app, '--logLevel', 'warn'], {
    cwd: app,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  server = await serveStatic(join(app, 'dist'));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('static server has no port');
  baseUrl = `http://127.0.0.1:${address.port}`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

type PackedWindow = Window & { packed: PackedApi };

async function open(page: Page, scripts: string[]) {
  page.on('pageerror', (err) => console.log('page error:', err.message));
  page.on('request', (req) => {
    if (req.resourceType() === 'script' || req.url().endsWith('.js'))
      scripts.push(new URL(req.url()).pathname);
  });
  await page.goto(`${baseUrl}/`);
  await expect(page.locator('#status')).toHaveText('ready', { timeout: 60_000 });
}

test('the packed SDK built by Vite recommends on the CPU, lazily on WebGPU, and in its worker', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const scripts: string[] = [];
  await open(page, scripts);
  const clicks = ['17', '4711', '17', '30000'];

  const cpu = await page.evaluate(
    (c) => (window as unknown as PackedWindow).packed.recommend('cpu', c),
    clicks,
  );
  expect(cpu.engine).toBe('cpu');
  expect(cpu.items).toHaveLength(10);
  const ids = cpu.items.map((r) => r.itemId);
  expect(new Set(ids).size).toBe(10);
  for (const id of ids) {
    expect(Number(id)).toBeGreaterThanOrEqual(1);
    expect(Number(id)).toBeLessThanOrEqual(40727);
    expect(clicks).not.toContain(id); // excludeSeen
  }
  for (let i = 1; i < 10; i++) expect(cpu.items[i].score).toBeLessThanOrEqual(cpu.items[i - 1].score);
  // The CPU engine is in the entry: no script was fetched for it.
  const afterCpu = scripts.length;

  const gpu = await page.evaluate(
    (c) => (window as unknown as PackedWindow).packed.recommend('webgpu', c),
    clicks,
  );
  expect(gpu.engine).toBe('webgpu');
  expect(scripts.length).toBeGreaterThan(afterCpu); // the WebGPU engine came as a lazy chunk
  expect(gpu.items.map((r) => r.itemId)).toEqual(ids);
  for (let i = 0; i < 10; i++) expect(gpu.items[i].score).toBeCloseTo(cpu.items[i].score, 2);

  const session = [16, 4710, 16, 29999]; // the same clicks as internal indices (vocabulary starts at 1)
  const viaWorker = await page.evaluate(
    (s) => (window as unknown as PackedWindow).packed.workerVersusCpu(s),
    session,
  );
  expect(scripts.some((p) => /webgpu-worker/.test(p))).toBe(true);
  expect(viaWorker.worker.map((r) => r.index)).toEqual(viaWorker.cpu.map((r) => r.index));
  for (let i = 0; i < 10; i++) expect(viaWorker.worker[i].score).toBeCloseTo(viaWorker.cpu[i].score, 2);
});

test('the build has the worker and the WebGPU engine outside the entry chunk', () => {
  const assets = readdirSync(join(root, 'app/dist/assets'));
  expect(assets.some((f) => /^webgpu-worker.*\.js$/.test(f))).toBe(true);
  const html = readFileSync(join(root, 'app/dist/index.html'), 'utf8');
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1];
  const entryCode = readFileSync(join(root, 'app/dist/assets', entry), 'utf8');
  // WGSL only lives in the WebGPU engine's kernels; tfjs only behind its own lazy import.
  expect(entryCode).not.toMatch(/@compute/);
  expect(entryCode).not.toMatch(/tfjs/i);
});
