// The shop's behaviour: which model runs, what a click does, and what each page shows.
// Routes (hash, so a static server works): `#/` home, `#/item/<id>` product page.
import { createRecommender, type Recommender } from '@session-rec/sdk';
import { formatPrice, itemIdentity } from './catalog/item-identity.ts';
import type { BundleSummary } from './models/bundle-summary.ts';
import { el, replaceChildren } from './ui/dom.ts';
import { datasetLabel, formatBytes, formatMs, kindLabel } from './ui/format.ts';
import { productCard, productHref } from './ui/product-card.ts';
import type { Shell } from './ui/shell.ts';
import { thumbnail } from './ui/thumbnail.ts';

const HOME_COUNT = 24;
const STRIP_COUNT = 12;
const MODEL_KEY = 'demo-shop:model';

type Backend = 'auto' | 'webgpu' | 'cpu';

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

function currentRoute(): { page: 'home' } | { page: 'item'; id: string } {
  const match = /^#\/item\/(.+)$/.exec(location.hash);
  return match ? { page: 'item', id: decodeURIComponent(match[1]) } : { page: 'home' };
}

export class Shop {
  readonly #shell: Shell;
  readonly #bundles: readonly BundleSummary[];
  #bundle: BundleSummary;
  #rec: Recommender | null = null;
  #lastLatencyMs: number | null = null;
  #basket = 0;
  /** Bumped on every render so that a slow recommend() never overwrites a newer page. */
  #renderToken = 0;

  constructor(shell: Shell, bundles: readonly BundleSummary[], initial: BundleSummary) {
    this.#shell = shell;
    this.#bundles = bundles;
    this.#bundle = initial;
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
    window.addEventListener('hashchange', () => void this.render());
  }

  async start(): Promise<void> {
    await this.switchModel(this.#bundle);
  }

  async switchModel(bundle: BundleSummary): Promise<void> {
    const previous = this.#bundle;
    this.#bundle = bundle;
    this.#shell.modelSelect.value = bundle.id;
    remember(bundle.id);
    const url = new URL(location.href);
    url.searchParams.set('model', bundle.id);
    history.replaceState(null, '', url);
    this.#rec?.dispose();
    this.#rec = null;
    this.#lastLatencyMs = null;
    // Item ids belong to one dataset: a product page of the previous model means nothing in this one.
    if (currentRoute().page === 'item' && previous.dataset !== bundle.dataset) location.hash = '#/';
    const token = ++this.#renderToken;
    replaceChildren(this.#shell.main, el('p', { class: 'muted' }, `Loading ${modelLabel(bundle)}…`));
    this.#renderStatus();
    const bar = this.#shell.progress;
    bar.hidden = false;
    try {
      const rec = await createRecommender({
        model: bundle.url,
        backend: backendFromUrl(),
        onProgress: ({ loaded, total }) => {
          (bar.firstElementChild as HTMLElement).style.width = total ? `${(100 * loaded) / total}%` : '0';
        },
      });
      if (token !== this.#renderToken || this.#bundle !== bundle) {
        rec.dispose(); // another model was picked while this one loaded
        return;
      }
      rec.addEventListener('warning', (event) => this.#toast(event.warning.message));
      this.#rec = rec;
    } catch (error) {
      if (token === this.#renderToken) this.#showError('The model could not be loaded.', error);
      return;
    } finally {
      bar.hidden = true;
    }
    await this.render();
  }

  /** Tracks a click on a product, then shows its page (which refreshes the recommendations). */
  open(id: string): void {
    this.#rec?.track(id);
    if (location.hash === productHref(id)) void this.render();
    else location.hash = productHref(id);
  }

  async render(): Promise<void> {
    const rec = this.#rec;
    if (!rec) return;
    const token = ++this.#renderToken;
    const route = currentRoute();
    const session = rec.session;
    const k = route.page === 'home' ? HOME_COUNT : STRIP_COUNT;
    // Dim the current list while the next one is computed (a slow GPU can take a moment).
    this.#shell.main.querySelector('[data-testid=recommendations]')?.setAttribute('aria-busy', 'true');
    const started = performance.now();
    let items;
    try {
      items = await rec.recommend({ k, excludeSeen: true });
    } catch (error) {
      // A model switch disposes the recommender under a running call: that page is gone anyway.
      if (token === this.#renderToken && rec === this.#rec) this.#showError('No recommendations:', error);
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
    const cards = items.map((item, rank) => productCard(item.itemId, (id) => this.open(id), `#${rank + 1}`));
    const recommendations = el(
      'section',
      { class: 'section', data: { testid: 'recommendations', mode } },
      title,
      el('div', { class: route.page === 'home' ? 'grid' : 'strip' }, ...cards),
    );
    replaceChildren(
      this.#shell.main,
      route.page === 'item' ? this.#productPage(route.id) : null,
      recommendations,
    );
    this.#renderHistory(session);
    this.#renderStatus();
    if (route.page === 'item') window.scrollTo({ top: 0 });
  }

  #productPage(id: string): HTMLElement {
    const item = itemIdentity(id);
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
        el('div', { class: 'breadcrumb' }, el('a', { attrs: { href: '#/' } }, 'Home'), ` / ${item.category}`),
        el('h1', {}, item.name),
        el('div', { class: 'price' }, formatPrice(item.priceCents)),
        el('div', { class: 'actions' }, addToBasket),
        el(
          'p',
          { class: 'meta' },
          `Dataset item ${id} (${datasetLabel(this.#bundle.dataset)}). Name, picture and price are generated ` +
            'from the id; the recommendations below come from real shoppers’ sessions.',
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
                    itemIdentity(id).name,
                  ),
                ),
              ),
          );
    replaceChildren(this.#shell.history, el('h2', {}, `Your session (${session.length})`), list);
  }

  #renderStatus(): void {
    const b = this.#bundle;
    const rows: [string, string, string][] = [
      ['Engine', this.#rec ? String(this.#rec.engine) : 'loading…', 'status-engine'],
      [
        'Last recommend()',
        this.#lastLatencyMs === null ? '—' : formatMs(this.#lastLatencyMs),
        'status-latency',
      ],
      [
        'Model',
        `${kindLabel(b.kind)} · ${datasetLabel(b.dataset)}${b.random ? ' (random weights, untrained)' : ''}`,
        'status-model',
      ],
      ['Model bytes', this.#bytesText(b), 'status-bytes'],
      ['Items', b.numItems.toLocaleString('en-US'), 'status-items'],
    ];
    const model = this.#rec?.model;
    if (model) {
      const where = model.storedIn === 'indexeddb' ? 'stored in IndexedDB' : 'in memory only';
      rows.push([
        'Loaded from',
        `${model.source === 'network' ? 'the network' : 'this browser'} (${where})`,
        'status-storage',
      ]);
    }
    const p10 = b.metrics['P@10'];
    const ndcg10 = b.metrics['NDCG@10'];
    if (p10 !== undefined) rows.push(['Test P@10', `${p10.toFixed(2)} %`, 'status-p10']);
    if (ndcg10 !== undefined) rows.push(['Test NDCG@10', `${ndcg10.toFixed(2)} %`, 'status-ndcg10']);
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

  #showError(what: string, error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    replaceChildren(
      this.#shell.main,
      el('div', { class: 'error', data: { testid: 'error' } }, `${what} ${message}`),
    );
  }

  #toast(message: string): void {
    const toast = el('div', { class: 'toast', attrs: { role: 'status' } }, message);
    document.body.append(toast);
    setTimeout(() => toast.remove(), 4000);
  }
}
