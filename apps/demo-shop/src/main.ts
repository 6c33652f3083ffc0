// Entry of the demo shop: find the committed bundles, pick one, start the shop.
import './style.css';
import { chooseDefaultBundle, type BundleSummary } from './models/bundle-summary.ts';
import { el, replaceChildren } from './ui/dom.ts';
import { createShell } from './ui/shell.ts';
import { initialModel, Shop } from './shop.ts';

async function main(): Promise<void> {
  const app = document.querySelector<HTMLDivElement>('#app')!;
  const list = async (url: string) => {
    const response = await fetch(url, { cache: 'no-store' }).catch(() => null);
    return response?.ok ? ((await response.json()) as BundleSummary[]) : [];
  };
  const bundles = await list('/models/index.json');
  // `?include=random`: also the benchmark's random-weight bundles (dev server only), to try every kind and
  // engine in the shop before it is trained. They are labelled as such and never the default.
  if (new URLSearchParams(location.search).get('include') === 'random')
    bundles.push(...(await list('/bench-models/index.json')));
  const fallback = chooseDefaultBundle(bundles);
  if (!fallback) {
    replaceChildren(
      app,
      el(
        'div',
        { class: 'error' },
        'No model bundles are installed under public/models/ — train one (see README).',
      ),
    );
    return;
  }
  const shell = createShell();
  replaceChildren(app, shell.root);
  const shop = new Shop(shell, bundles, initialModel(bundles, fallback));
  await shop.start();
}

void main();
