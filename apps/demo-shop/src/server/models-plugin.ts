// Vite plugin: `/models/index.json` lists the committed bundles in public/models (dev server and build),
// with `/models/<id>/categories.json` beside each bundle (its items' categories, catalog/categories.ts),
// and, on the dev server only, `/bench-models/` serves the random-weight bundles the benchmark generates
// under bench/.cache/models (never committed, never part of a build) and `/bench-sessions/<dataset>.json`
// real test sessions from the dataset folder, when there is one, for the benchmark page.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';
import type { Plugin } from 'vite';
import { listBundles, readItemCategories } from './model-index.ts';
import { readTestSessions } from './test-sessions.ts';

export const MODELS_URL = '/models/';
export const BENCH_MODELS_URL = '/bench-models/';

export function modelsPlugin(options: {
  modelsDir: string;
  benchModelsDir: string;
  datasetsDir: string;
  /** `pnpm quality`'s evaluation cache (results/quality/evals): the strip's new-item metrics per version. */
  qualityEvalsDir?: string;
}): Plugin {
  const warn = (folder: string, reason: string) => console.warn(`[models] skipping ${folder}: ${reason}`);
  const list = (dir: string, urlPrefix: string, random: boolean) =>
    listBundles(dir, { urlPrefix, random, onSkip: warn, qualityEvalsDir: options.qualityEvalsDir });
  const indexJson = async (dir: string, urlPrefix: string, random: boolean) =>
    JSON.stringify(await list(dir, urlPrefix, random), null, 2);
  // Decoding a 40 MB teacher takes a moment: the dev server computes each bundle's categories once.
  const categories = new Map<string, Promise<string>>();
  const categoriesJson = (dir: string) => {
    let json = categories.get(dir);
    if (!json) {
      json = readItemCategories(dir).then((c) => JSON.stringify(c));
      json.catch(() => categories.delete(dir));
      categories.set(dir, json);
    }
    return json;
  };

  return {
    name: 'demo-shop-models',
    configureServer(server) {
      server.middlewares.use(async (req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]);
        try {
          if (path === `${MODELS_URL}index.json` || path === `${BENCH_MODELS_URL}index.json`) {
            const body = path.startsWith(MODELS_URL)
              ? await indexJson(options.modelsDir, MODELS_URL, false)
              : await indexJson(options.benchModelsDir, BENCH_MODELS_URL, true);
            res.setHeader('Content-Type', 'application/json');
            res.setHeader('Cache-Control', 'no-store');
            res.end(body);
            return;
          }
          const cats = /^\/(models|bench-models)\/(\w[\w.-]*)\/categories\.json$/.exec(path);
          if (cats) {
            const root = cats[1] === 'models' ? options.modelsDir : options.benchModelsDir;
            const body = await categoriesJson(join(root, cats[2])).catch(() => null);
            res.statusCode = body ? 200 : 404;
            res.setHeader('Content-Type', 'application/json');
            res.end(body ?? 'null');
            return;
          }
          const sessions = /^\/bench-sessions\/([\w.-]+)\.json$/.exec(path);
          if (sessions) {
            const count = Math.min(
              5000,
              Math.max(1, Number(new URL(req.url ?? '', 'http://x').searchParams.get('count')) || 300),
            );
            const list = await readTestSessions(join(options.datasetsDir, sessions[1]), count).catch(
              () => null,
            );
            res.statusCode = list ? 200 : 404;
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify(list));
            return;
          }
          if (path.startsWith(BENCH_MODELS_URL)) {
            const file = normalize(join(options.benchModelsDir, path.slice(BENCH_MODELS_URL.length)));
            // A real 404 for missing files (not the SPA's index.html), and nothing outside the folder.
            const info = file.startsWith(options.benchModelsDir + sep)
              ? await stat(file).catch(() => null)
              : null;
            if (!info?.isFile()) {
              res.statusCode = 404;
              res.end('not found');
              return;
            }
            res.setHeader('Content-Length', String(info.size));
            res.setHeader(
              'Content-Type',
              file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
            );
            createReadStream(file).pipe(res);
            return;
          }
        } catch (error) {
          next(error);
          return;
        }
        next();
      });
    },
    // The production build gets the same index and categories as files (a static server has no plugin).
    async generateBundle() {
      const bundles = await list(options.modelsDir, MODELS_URL, false);
      this.emitFile({
        type: 'asset',
        fileName: 'models/index.json',
        source: JSON.stringify(bundles, null, 2),
      });
      for (const bundle of bundles) {
        this.emitFile({
          type: 'asset',
          fileName: `models/${bundle.id}/categories.json`,
          source: await categoriesJson(join(options.modelsDir, bundle.id)),
        });
      }
    },
  };
}
