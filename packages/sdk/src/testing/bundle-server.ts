// An in-memory static file server behind a fetch() function, for storage and recommender tests in Node:
// serves a bundle folder, records every request, and reproduces the failures SPEC §5 names — offline,
// HTTP errors, and a dev server answering a missing file with its HTML page and status 200.
import { MANIFEST_FILE } from '../bundle/types.ts';

export const TEST_MODEL_URL = 'https://shop.example/models/test-model/';

const FALLBACK_PAGE = '<!doctype html><html><head><title>Shop</title></head><body>index</body></html>';

export interface BundleServer {
  /** The fetch to hand to createRecommender / loadModel. */
  fetch: typeof globalThis.fetch;
  /** Paths (relative to the base URL) of every request, in order. */
  requests: string[];
  /** The `cache` mode of every request, in the same order. */
  cacheModes: (RequestCache | undefined)[];
  /** Replaces the served files (a new model version deployed). */
  serve(files: ReadonlyMap<string, Uint8Array>): void;
  /** Every request fails like a network error. */
  offline: boolean;
  /** Answers with `status` instead of the file (e.g. 500). */
  statusFor: Map<string, number>;
  /** Waits this long before answering each request (to overlap concurrent loads). */
  delayMs: number;
  /** How many requests asked for `path`. */
  count(path: string): number;
}

export function bundleServer(files: ReadonlyMap<string, Uint8Array>, baseUrl = TEST_MODEL_URL): BundleServer {
  let served = new Map(files);
  const server: BundleServer = {
    requests: [],
    cacheModes: [],
    offline: false,
    statusFor: new Map(),
    delayMs: 0,
    serve(next) {
      served = new Map(next);
    },
    count(path) {
      return server.requests.filter((p) => p === path).length;
    },
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      const path = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : url;
      server.requests.push(path);
      server.cacheModes.push(init?.cache);
      if (server.delayMs > 0) await new Promise((r) => setTimeout(r, server.delayMs));
      init?.signal?.throwIfAborted();
      if (server.offline) throw new TypeError('fetch failed');
      const status = server.statusFor.get(path);
      if (status !== undefined)
        return new Response('error', { status, headers: { 'content-type': 'text/plain' } });
      const bytes = served.get(path);
      if (!bytes) {
        // What Vite's dev server does for a missing file: its index.html, status 200.
        return new Response(FALLBACK_PAGE, { status: 200, headers: { 'content-type': 'text/html' } });
      }
      const type = path === MANIFEST_FILE ? 'application/json' : 'application/octet-stream';
      return new Response(bytes.slice(), { status: 200, headers: { 'content-type': type } });
    },
  };
  return server;
}
