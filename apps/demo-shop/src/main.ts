// Entry of the demo shop: find the committed bundles, pick one, start the shop.
import './style.css';
import { chooseDefaultBundle, type BundleSummary } from './models/bundle-summary.ts';
import { el, replaceChildren } from './ui/dom.ts';
import { createShell } from './ui/shell.ts';
import { initialModel, Shop } from './shop.ts';

async function main(): Promise<void> {
  const app = document.querySelector<HTMLDivElement>('#app')!;
  const response = await fetch('/models/index.json', { cache: 'no-store' });
  const bundles = response.ok ? ((await response.json()) as BundleSummary[]) : [];
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
