// The shop's behaviour: which model runs, what a click does, and what each page shows.
// Routes (hash, so a static server works): `#/` home, `#/item/<id>` product page, anything else not found.
import { createRecommender, type Recommender, type RecommenderWarning } from '@session-rec/sdk';
import { categoryIndex, parseItemCategories, type ItemCategories } from './catalog/categories.ts';
import {
  formatPrice,
  itemIdentity,
  modelCategory,
  type ItemIdentity,
  type ModelCategory,
} from './catalog/item-identity.ts';
import type { BundleSummary } from './models/bundle-summary.ts';
import { CATEGORIES_CACHE } from './offline/caches.ts';
import { fetchJson } from './offline/fetch-json.ts';
import { el, replaceChildren } from './ui/dom.ts';
import { datasetLabel, formatBytes, formatMs, kindLabel } from './ui/format.ts';
import { explainLoadError, explainWarning, shortId } from './ui/messages.ts';
import { Notices } from './ui/notices.ts';
import { productCard, productHref } from './ui/product-card.ts';
import type { Shell } from './ui/shell.ts';
import { thumbnail } from './ui/thumbnail.ts';

const HOME_COUNT = 24;
const STRIP_COUNT = 12;
const MODEL_KEY = 'demo-shop:model';
/** Fallback bundles tried after the chosen one failed (smallest first: popularity is a few hundred KB). */
const MAX_FALLBACKS = 2;

type Backend = 'auto' | 'webgpu' | 'cpu';
export type Route = { page: 'home' } | { page: 'item'; id: string } | { page: 'not-found' };

export function modelLabel(bundle: BundleSummary): string {
  const trained = bundle.random ? ' — RANDOM WEIGHTS, untrained' : '';
  return `${datasetLabel(bundle.dataset)} · ${kindLabel(bundle.kind)}${trained}`;
}

/** `?model=<id>` wins (shareable links, tests), then the last choice in this browser, then the default. */
export function initialModel(bundles: readonly BundleSummary[], fallback: BundleSummary): BundleSummary {
  const wanted = new URLSearchParams(location.search).get('model') ?? remembered();
  return bundles.find((b) => b.id === wanted) ?? fallback;
}

/** The last model picked in this browser; localStorage can be unavailable (privacy modes): then none. */
function remembered(): string | null {
  try {
    return localStorage.getItem(MODEL_KEY);
  } catch {
    return null;
  }
}

function remember(id: string): void {
  try {
    localStorage.setItem(MODEL_KEY, id);
  } catch {
    // Not remembered across visits; the URL still carries the choice.
  }
}

function backendFromUrl(): Backend {
  const backend = new URLSearchParams(location.search).get('backend');
  return backend === 'cpu' || backend === 'webgpu' ? backend : 'auto';
}

/** A hand-edited or truncated link (`#/item/%E0%A4%A`) is "not found", never an uncaught URIError. */
export function parseRoute(hash: string): Route {
  if (hash === '' || hash === '#' || hash === '#/') return { page: 'home' };
  const match = /^#\/item\/(.+)$/.exec(hash);
  if (!match) return { page: 'not-found' };
  try {
    return { page: 'item', id: decodeURIComponent(match[1]) };
  } catch {
    return { page: 'not-found' };
  }
}

const currentRoute = () => parseRoute(location.hash);

/** Bundles to fall back on when `failed` cannot be loaded: the same dataset's (ids mean the same), smallest first. */
export function fallbackCandidates(
  bundles: readonly BundleSummary[],
  failed: BundleSummary,
): BundleSummary[] {
  return bundles
    .filter((b) => b.id !== failed.id && b.dataset === failed.dataset && !b.random)
    .sort((a, b) => a.bundleBytes - b.bundleBytes || a.id.localeCompare(b.id))
    .slice(0, MAX_FALLBACKS);
}

/** `rec.engineChoice` (why 'auto' picked an engine), when the SDK provides it, as one line. */
export function describeEngineChoice(choice: unknown): string | null {
  if (!choice || typeof choice !== 'object') return null;
  const c = choice as { engine?: unknown; reason?: unknown; adapter?: unknown; timings?: unknown };
  const parts = [`${String(c.engine ?? '?')}: ${String(c.reason ?? 'no reason given')}`];
  if (typeof c.adapter === 'string') parts.push(c.adapter);
  else if (c.adapter && typeof c.adapter === 'object') {
    const text = Object.values(c.adapter as Record<string, unknown>)
      .filter((v) => typeof v === 'string' && v !== '')
      .join(' ');
    if (text) parts.push(text);
  }
  if (c.timings && typeof c.timings === 'object') {
    const times = Object.entries(c.timings as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'number' && Number.isFinite(v))
      .map(([k, v]) => `${k} ${formatMs(v as number)}`);
    if (times.length) parts.push(times.join(', '));
  }
  return parts.join(' · ');
}

interface Categories {
  of: (id: string) => ModelCategory | undefined;
  /** Where they come from, for the status panel. */
  source: string;
}

const CATEGORY_SOURCE: Record<ItemCategories['source'], (c: ItemCategories) => string> = {
  codebook: (c) => `the model's first codebook code (${c.count} groups)`,
  'popularity-tier': () => 'popularity tier (this kind has no codebook)',
};

async function loadCategories(bundle: BundleSummary): Promise<Categories> {
  try {
    const categories = parseItemCategories(await fetchJson(`${bundle.url}categories.json`, CATEGORIES_CACHE));
    const index = categoryIndex(categories);
    const named = new Map<number, ModelCategory>();
    return {
      of: (id) => {
        const i = index(id);
        if (i === undefined) return undefined;
        if (!named.has(i)) named.set(i, modelCategory(categories.source, i, categories.tierEnds));
        return named.get(i);
      },
      source: CATEGORY_SOURCE[categories.source](categories),
    };
  } catch {
    return { of: () => undefined, source: 'made up from the id (categories.json unavailable)' };
  }
}

/** What went wrong loading the chosen model (shown with Retry while a fallback serves). */
interface LoadProblem {
  bundle: BundleSummary;
  error: unknown;
}

export class Shop {
  readonly #shell: Shell;
  readonly #bundles: readonly BundleSummary[];
  readonly #notices: Notices;
  /** The model picked in the switcher. */
  #bundle: BundleSummary;
  /** The model serving recommendations: the picked one, or a fallback when that failed. */
  #active: BundleSummary | null = null;
  #rec: Recommender | null = null;
  #problem: LoadProblem | null = null;
  #categories: Categories = { of: () => undefined, source: '—' };
  #lastLatencyMs: number | null = null;
  #basket = 0;
  /** Bumped on every render so that a slow recommend() never overwrites a newer page. */
  #renderToken = 0;
  /** Bumped on every model switch so that a slow load never installs an outdated model. */
  #loadToken = 0;
  #loading = false;
  /** A product page opened from a link (typed, shared, back button) rather than a card: tracked on render. */
  #linkOpened: string | null = null;
  /** The id `open()` just tracked, so that the hashchange it causes is not counted twice. */
  #justTracked: string | null = null;
  /** Ids of links the model did not know (track() said so): their page is "product not found". */
  readonly #unknownIds = new Set<string>();

  constructor(shell: Shell, bundles: readonly BundleSummary[], initial: BundleSummary) {
    this.#shell = shell;
    this.#bundles = bundles;
    this.#bundle = initial;
    this.#notices = new Notices(shell.alerts);
    this.#fillModelSelect();
    shell.modelSelect.addEventListener('change', () => {
      const next = this.#bundles.find((b) => b.id === shell.modelSelect.value);
      if (next) void this.switchModel(next);
    });
    shell.newSessionButton.addEventListener('click', () => {
      this.#rec?.reset();
      location.hash = '#/';
      void this.render();
    });
    window.addEventListener('hashchange', () => {
      const route = currentRoute();
      this.#linkOpened = route.page === 'item' && route.id !== this.#justTracked ? route.id : null;
      this.#justTracked = null;
      void this.render();
    });
    const first = currentRoute();
    if (first.page === 'item') this.#linkOpened = first.id;
    const network = () => {
      if (navigator.onLine) this.#notices.dismiss('net');
      else
        this.#notices.show({
          key: 'net',
          code: 'offline',
          tone: 'info',
          text: 'You are offline. The shop keeps working: the model and your session are in this browser.',
        });
    };
    window.addEventListener('online', network);
    window.addEventListener('offline', network);
    if (!navigator.onLine) network();
  }

  async start(): Promise<void> {
    await this.switchModel(this.#bundle);
  }

  /** Loads `bundle` (with `force`: even a version that failed verification recently: the Retry button). */
  async switchModel(bundle: BundleSummary, { force = false } = {}): Promise<void> {
    const previous = this.#active ?? this.#bundle;
    this.#bundle = bundle;
    this.#shell.modelSelect.value = bundle.id;
    remember(bundle.id);
    const url = new URL(location.href);
    url.searchParams.set('model', bundle.id);
    history.replaceState(null, '', url);
    this.#rec?.dispose();
    this.#rec = null;
    this.#active = null;
    this.#problem = null;
    this.#lastLatencyMs = null;
    this.#notices.clear('model:');
    this.#unknownIds.clear();
    // Item ids belong to one dataset: a product page of the previous model means nothing in this one.
    if (currentRoute().page === 'item' && previous.dataset !== bundle.dataset) location.hash = '#/';
    const token = ++this.#loadToken;
    ++this.#renderToken;
    replaceChildren(this.#shell.main, el('p', { class: 'muted' }, `Loading ${modelLabel(bundle)}…`));
    this.#renderStatus();
    const bar = this.#shell.progress;
    bar.hidden = false;
    this.#loading = true;
    try {
      let loaded = await this.#load(bundle, token, force);
      if (token !== this.#loadToken) return;
      if (!loaded.rec) {
        // The picked model is unusable: keep the shop browsable with another bundle of the dataset.
        this.#problem = { bundle, error: loaded.error };
        this.#showLoadProblem('trying');
        for (const candidate of fallbackCandidates(this.#bundles, bundle)) {
          loaded = await this.#load(candidate, token, false);
          if (token !== this.#loadToken) return;
          if (loaded.rec) break;
        }
      }
      if (!loaded.rec) {
        this.#loading = false;
        this.#showLoadProblem('none');
        this.#renderNoModel();
        return;
      }
      this.#rec = loaded.rec;
      this.#active = loaded.bundle;
      this.#categories = loaded.categories;
      if (this.#problem) this.#showLoadProblem('serving');
    } finally {
      if (token === this.#loadToken) {
        bar.hidden = true;
        this.#loading = false;
      }
    }
    await this.render();
  }

  async #load(
    bundle: BundleSummary,
    token: number,
    force: boolean,
  ): Promise<{ bundle: BundleSummary; rec: Recommender | null; error?: unknown; categories: Categories }> {
    const bar = this.#shell.progress.firstElementChild as HTMLElement;
    const categories = loadCategories(bundle);
    try {
      const rec = await createRecommender({
        model: bundle.url,
        backend: backendFromUrl(),
        force,
        // Subscribed before the load: `offline`, `storage-fallback`, `model-update-failed` and
        // `webgpu-unavailable` are raised while loading, before the recommender exists.
        onWarning: (warning) => {
          if (token === this.#loadToken) this.#showWarning(warning);
        },
        onProgress: ({ loaded, total }) => {
          if (token === this.#loadToken) bar.style.width = total ? `${(100 * loaded) / total}%` : '0';
        },
      });
      if (token !== this.#loadToken) {
        rec.dispose(); // another model was picked while this one loaded
        return { bundle, rec: null, categories: await categories };
      }
      return { bundle, rec, categories: await categories };
    } catch (error) {
      console.warn(`[shop] ${bundle.id} could not be loaded:`, error);
      return { bundle, rec: null, error, categories: await categories };
    }
  }

  #showWarning(warning: RecommenderWarning): void {
    console.warn(`[session-rec] ${warning.code}: ${warning.message}`);
    this.#notices.show({
      key: `model:${warning.code}`,
      code: warning.code,
      tone: warning.code === 'unknown-item' ? 'info' : 'warning',
      text: explainWarning(warning),
      details: warning.message,
    });
  }

  #showLoadProblem(state: 'trying' | 'serving' | 'none'): void {
    const problem = this.#problem;
    if (!problem) return;
    const serving =
      state === 'serving' && this.#active
        ? ` Meanwhile the shop shows ${modelLabel(this.#active)}.`
        : state === 'trying'
          ? ' Trying another model of this dataset…'
          : ' No other model of this dataset could be loaded either.';
    const raw =
      problem.error instanceof Error
        ? `${problem.error.name}: ${problem.error.message}`
        : String(problem.error);
    this.#notices.show({
      key: 'model:load-error',
      code: 'load-error',
      tone: 'error',
      text: `${modelLabel(problem.bundle)}: ${explainLoadError(problem.error, navigator.onLine)}${serving}`,
      details: raw,
      action: { label: 'Retry', run: () => void this.switchModel(problem.bundle, { force: true }) },
    });
  }

  #renderNoModel(): void {
    const problem = this.#problem!;
    const retry = el('button', { class: 'button', data: { testid: 'retry' } }, 'Retry');
    retry.addEventListener('click', () => void this.switchModel(problem.bundle, { force: true }));
    replaceChildren(
      this.#shell.main,
      el(
        'div',
        { class: 'error', data: { testid: 'error' } },
        el('p', {}, explainLoadError(problem.error, navigator.onLine)),
        el('p', {}, 'Pick another model above, or retry.'),
        retry,
      ),
    );
    this.#renderStatus();
  }

  #identity(id: string): ItemIdentity {
    return itemIdentity(id, this.#categories.of(id));
  }

  /** Tracks a click on a product, then shows its page (which refreshes the recommendations). */
  open(id: string): void {
    this.#rec?.track(id);
    this.#linkOpened = null;
    this.#justTracked = id;
    if (location.hash === productHref(id)) void this.render();
    else location.hash = productHref(id);
  }

  async render(): Promise<void> {
    const rec = this.#rec;
    if (!rec) return;
    const token = ++this.#renderToken;
    const route = currentRoute();
    if (route.page === 'item' && this.#linkOpened === route.id) {
      this.#linkOpened = null;
      // Opened from a link: a click too. A reload of the product page is not a second click.
      if (rec.session.at(-1) !== route.id && !rec.track(route.id)) this.#unknownIds.add(route.id);
    }
    const known = route.page !== 'item' || !this.#unknownIds.has(route.id);
    const session = rec.session;
    const k = route.page === 'home' ? HOME_COUNT : STRIP_COUNT;
    // Dim the current list while the next one is computed (a slow GPU can take a moment).
    this.#shell.main.querySelector('[data-testid=recommendations]')?.setAttribute('aria-busy', 'true');
    const started = performance.now();
    let items;
    try {
      items = await rec.recommend({ k: Math.min(k, rec.model.numItems), excludeSeen: true });
    } catch (error) {
      // A model switch disposes the recommender under a running call: that page is gone anyway.
      if (token === this.#renderToken && rec === this.#rec) {
        console.warn('[shop] recommend() failed:', error);
        replaceChildren(
          this.#shell.main,
          el(
            'div',
            { class: 'error', data: { testid: 'error' } },
            'Recommendations are not available right now. Reload the page or pick another model.',
          ),
        );
      }
      return;
    }
    const latency = performance.now() - started;
    if (token !== this.#renderToken) return;
    this.#lastLatencyMs = latency;

    const mode = session.length === 0 ? 'popular' : 'session';
    const title =
      mode === 'popular'
        ? el('h2', {}, 'Popular right now', el('small', {}, 'your session is empty'))
        : el(
            'h2',
            {},
            'Recommended next',
            el(
              'small',
              {},
              session.length === 1 ? 'from your last click' : `from your last ${session.length} clicks`,
            ),
          );
    const cards = items.map((item, rank) =>
      productCard(this.#identity(item.itemId), (id) => this.open(id), `#${rank + 1}`),
    );
    const recommendations = el(
      'section',
      { class: 'section', data: { testid: 'recommendations', mode } },
      title,
      el('div', { class: route.page === 'home' ? 'grid' : 'strip' }, ...cards),
    );
    const page =
      route.page === 'not-found'
        ? this.#notFound('Page not found', 'This link does not lead to a page of the shop.')
        : route.page === 'item' && !known
          ? this.#notFound('Product not found', `This shop has no product ${shortId(route.id)}.`, route.id)
          : route.page === 'item'
            ? this.#productPage(route.id)
            : null;
    replaceChildren(this.#shell.main, page, recommendations);
    this.#renderHistory(session);
    this.#renderStatus();
    if (route.page !== 'home') window.scrollTo({ top: 0 });
  }

  #notFound(title: string, text: string, id?: string): HTMLElement {
    return el(
      'article',
      {
        class: 'panel not-found',
        data: { testid: 'not-found', ...(id === undefined ? {} : { itemId: id }) },
      },
      el('h1', {}, title),
      el('p', {}, text),
      el('a', { class: 'button', attrs: { href: '#/' } }, 'Back to the shop'),
    );
  }

  #productPage(id: string): HTMLElement {
    const item = this.#identity(id);
    const addToBasket = el('button', { class: 'button', data: { testid: 'add-to-basket' } }, 'Add to basket');
    addToBasket.addEventListener('click', () => {
      this.#basket += 1;
      this.#shell.basket.textContent = `Basket: ${this.#basket}`;
    });
    return el(
      'article',
      { class: 'product panel', data: { testid: 'product', itemId: id } },
      thumbnail(item),
      el(
        'div',
        {},
        el(
          'div',
          { class: 'breadcrumb' },
          el('a', { attrs: { href: '#/' } }, 'Home'),
          ' / ',
          el('span', { data: { testid: 'product-category' } }, item.category),
        ),
        el('h1', {}, item.name),
        el('div', { class: 'price' }, formatPrice(item.priceCents)),
        el('div', { class: 'actions' }, addToBasket),
        el(
          'p',
          { class: 'meta' },
          `Dataset item ${id} (${datasetLabel(this.#active?.dataset ?? this.#bundle.dataset)}). Category: ` +
            `${this.#categories.source}. Name, picture and price are generated from the id; the ` +
            'recommendations below come from real shoppers’ sessions.',
        ),
      ),
    );
  }

  #renderHistory(session: readonly string[]): void {
    const list =
      session.length === 0
        ? el('p', { class: 'empty' }, 'No clicks yet. Open a product to start a session.')
        : el(
            'ol',
            { attrs: { reversed: '' } },
            ...session
              .slice()
              .reverse()
              .map((id) =>
                el(
                  'li',
                  { data: { testid: 'history-item', itemId: id } },
                  el(
                    'a',
                    {
                      attrs: { href: productHref(id) },
                      on: {
                        click: (event) => {
                          event.preventDefault();
                          this.open(id);
                        },
                      },
                    },
                    this.#identity(id).name,
                  ),
                ),
              ),
          );
    replaceChildren(this.#shell.history, el('h2', {}, `Your session (${session.length})`), list);
  }

  #renderStatus(): void {
    const b = this.#active ?? this.#bundle;
    const rows: [string, string, string][] = [
      ['Engine', this.#rec ? String(this.#rec.engine) : this.#loading ? 'loading…' : 'none', 'status-engine'],
    ];
    const choice = describeEngineChoice((this.#rec as { engineChoice?: unknown } | null)?.engineChoice);
    if (choice) rows.push(['Engine choice', choice, 'status-engine-choice']);
    rows.push(
      [
        'Last recommend()',
        this.#lastLatencyMs === null ? '—' : formatMs(this.#lastLatencyMs),
        'status-latency',
      ],
      [
        'Model',
        `${kindLabel(b.kind)} · ${datasetLabel(b.dataset)}${b.random ? ' (random weights, untrained)' : ''}` +
          (this.#problem && this.#active ? ` (fallback: ${this.#problem.bundle.id} failed to load)` : ''),
        'status-model',
      ],
      ['Model bytes', this.#bytesText(b), 'status-bytes'],
      ['Items', b.numItems.toLocaleString('en-US'), 'status-items'],
    );
    const model = this.#rec?.model;
    if (model) {
      const where = model.storedIn === 'indexeddb' ? 'stored in IndexedDB' : 'in memory only';
      rows.push([
        'Loaded from',
        `${model.source === 'network' ? 'the network' : 'this browser'} (${where})`,
        'status-storage',
      ]);
      rows.push(['Categories', this.#categories.source, 'status-categories']);
    }
    const pct = (value: number | undefined) => (value === undefined ? undefined : `${value.toFixed(2)} %`);
    const both = (m: Record<string, number> | undefined) => {
      const p10 = pct(m?.['P@10']);
      const ndcg = pct(m?.['NDCG@10']);
      return p10 && ndcg ? `${p10} · NDCG@10 ${ndcg}` : (p10 ?? ndcg);
    };
    const protocol = both(b.metrics);
    const strip = both(b.newItemMetrics);
    // The protocol ranks every item (repeat clicks count); the strip hides the session's items, so its
    // number is measured on the test cases whose next click is a new item.
    if (protocol) rows.push(['Test P@10 (all items)', protocol, 'status-p10']);
    if (strip) rows.push(['Strip P@10 (new items, excludeSeen)', strip, 'status-new-item']);
    replaceChildren(
      this.#shell.status,
      el('h2', {}, 'Status'),
      el(
        'dl',
        {},
        ...rows.flatMap(([name, value, testid]) => [
          el('dt', {}, name),
          el('dd', { data: { testid } }, value),
        ]),
      ),
    );
  }

  #bytesText(b: BundleSummary): string {
    if (b.uncompressedBytes === null) return `${formatBytes(b.bundleBytes)} (popularity counts only)`;
    const ratio = b.uncompressedBytes / b.bundleBytes;
    return `${formatBytes(b.bundleBytes)} vs ${formatBytes(b.uncompressedBytes)} uncompressed (${ratio.toFixed(1)}× smaller)`;
  }

  #fillModelSelect(): void {
    const byDataset = new Map<string, BundleSummary[]>();
    for (const b of this.#bundles) byDataset.set(b.dataset, [...(byDataset.get(b.dataset) ?? []), b]);
    for (const [dataset, bundles] of byDataset) {
      const group = el('optgroup', { attrs: { label: datasetLabel(dataset) } });
      for (const b of bundles) group.append(el('option', { attrs: { value: b.id } }, modelLabel(b)));
      this.#shell.modelSelect.append(group);
    }
  }
}
