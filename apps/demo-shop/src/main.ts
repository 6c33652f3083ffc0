// Entry of the demo shop: find the committed bundles, pick one, start the shop.
import './style.css';
import { chooseDefaultBundle, type BundleSummary } from './models/bundle-summary.ts';
import { MODELS_INDEX_CACHE, MODELS_INDEX_URL } from './offline/caches.ts';
import { fetchJson, OfflineError } from './offline/fetch-json.ts';
import { el, replaceChildren } from './ui/dom.ts';
import { createShell } from './ui/shell.ts';
import { initialModel, Shop } from './shop.ts';

/** The model list, or why there is none (offline, server error): each says what to do in plain words. */
async function listBundles(url: string): Promise<BundleSummary[] | string> {
  try {
    const list = await fetchJson(url, MODELS_INDEX_CACHE, { cache: 'no-store' });
    if (!Array.isArray(list)) return `The shop's model list (${url}) is not a list.`;
    return list as BundleSummary[];
  } catch (error) {
    console.warn(`[shop] ${url}:`, error);
    return error instanceof OfflineError || !navigator.onLine
      ? 'You are offline, and this browser has no copy of the shop yet. Connect to the internet and reload; ' +
          'after one visit the shop works offline.'
      : `The shop's model list (${url}) could not be loaded: ${error instanceof Error ? error.message : String(error)}.`;
  }
}

function showProblem(app: HTMLElement, text: string): void {
  const retry = el('button', { class: 'button', data: { testid: 'retry' } }, 'Retry');
  retry.addEventListener('click', () => location.reload());
  replaceChildren(app, el('div', { class: 'error', data: { testid: 'error' } }, el('p', {}, text), retry));
}

async function main(): Promise<void> {
  const app = document.querySelector<HTMLDivElement>('#app')!;
  const listed = await listBundles(MODELS_INDEX_URL);
  if (typeof listed === 'string') return showProblem(app, listed);
  const bundles = listed;
  // `?include=random`: also the benchmark's random-weight bundles (dev server only), to try every kind and
  // engine in the shop before it is trained. They are labelled as such and never the default.
  if (new URLSearchParams(location.search).get('include') === 'random') {
    const random = await listBundles('/bench-models/index.json');
    if (typeof random !== 'string') bundles.push(...random);
  }
  const fallback = chooseDefaultBundle(bundles);
  if (!fallback)
    return showProblem(app, 'No model bundles are installed under public/models/ — train one (see README).');
  const shell = createShell();
  replaceChildren(app, shell.root);
  const shop = new Shop(shell, bundles, initialModel(bundles, fallback));
  await shop.start();
}

main().catch((error: unknown) => {
  // Nothing may end as an uncaught page error: the shopper gets a sentence, the developer the console.
  console.warn('[shop] start failed:', error);
  showProblem(document.querySelector<HTMLDivElement>('#app')!, 'The shop could not start. Reload the page.');
});
