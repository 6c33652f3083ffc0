// A product tile (grid, strip): generated picture, name, category, price. Opening it is a "click" in the
// recommender's sense, so the caller decides what opening means (track + navigate).
import { formatPrice, type ItemIdentity } from '../catalog/item-identity.ts';
import { el } from './dom.ts';
import { thumbnail } from './thumbnail.ts';

export function productHref(id: string): string {
  return `#/item/${encodeURIComponent(id)}`;
}

export function productCard(
  item: ItemIdentity,
  onOpen: (id: string) => void,
  note?: string,
): HTMLAnchorElement {
  const id = item.id;
  return el(
    'a',
    {
      class: 'card',
      attrs: { href: productHref(id) },
      data: { testid: 'product-card', itemId: id },
      on: {
        click: (event) => {
          // Ctrl/cmd-click still opens a tab like any shop link; a plain click is tracked.
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          onOpen(id);
        },
      },
    },
    thumbnail(item),
    el(
      'div',
      { class: 'body' },
      el('span', { class: 'category' }, item.category),
      el('span', { class: 'name' }, item.name),
      el('span', { class: 'price' }, formatPrice(item.priceCents)),
      note ? el('span', { class: 'rank' }, note) : null,
    ),
  );
}
