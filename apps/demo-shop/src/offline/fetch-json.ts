// JSON the shop needs besides the model (the model list, item categories): from the network, else from the
// service worker's runtime cache (offline after a first visit). The page copies a network answer into that
// cache itself while no service worker controls it yet (a first visit), so that the next, offline, visit
// finds it — without a second request.

export class OfflineError extends Error {
  constructor(url: string, cause: unknown) {
    super(`${url}: no network and no cached copy`, { cause });
    this.name = 'OfflineError';
  }
}

export async function fetchJson(url: string, cacheName: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    const cached = await cachedResponse(url, cacheName);
    if (cached) return cached.json();
    throw new OfflineError(url, cause);
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
  if (typeof caches !== 'undefined' && !navigator.serviceWorker?.controller) {
    const copy = response.clone();
    await caches
      .open(cacheName)
      .then((cache) => cache.put(url, copy))
      .catch(() => undefined); // no Cache Storage (insecure origin, privacy mode): online only
  }
  return response.json();
}

async function cachedResponse(url: string, cacheName: string): Promise<Response | undefined> {
  if (typeof caches === 'undefined') return undefined;
  try {
    return await (await caches.open(cacheName)).match(url);
  } catch {
    return undefined;
  }
}
