import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { el, replaceChildren } from './dom.ts';

beforeAll(() => {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  globalThis.document = document as unknown as Document;
});

const hostile = `<img src=x onerror="alert(1)"><script>alert('x')</script>&amp; "quotes"`;

describe('el', () => {
  it('puts strings in as text, never as markup', () => {
    const node = el('p', {}, hostile);
    expect(node.textContent).toBe(hostile);
    expect(node.children.length).toBe(0);
    expect(node.outerHTML).toContain('&lt;script&gt;');
    expect(node.outerHTML).not.toContain('<script>');
  });

  it('sets attribute values verbatim without parsing them', () => {
    const node = el('a', { attrs: { href: '#/item/"><b>x</b>', title: hostile }, data: { itemId: hostile } });
    expect(node.getAttribute('href')).toBe('#/item/"><b>x</b>');
    expect(node.getAttribute('title')).toBe(hostile);
    expect(node.getAttribute('data-item-id')).toBe(hostile);
    expect(node.children.length).toBe(0);
  });

  it('appends element children and skips empty ones', () => {
    const node = el('div', { class: 'x' }, el('span', {}, 'a'), null, false, undefined, 3, 'b');
    expect(node.className).toBe('x');
    expect(node.children.length).toBe(1);
    expect(node.textContent).toBe('a3b');
  });

  it('replaceChildren swaps the content for text nodes', () => {
    const node = el('div', {}, el('b', {}, 'old'));
    replaceChildren(node, hostile);
    expect(node.children.length).toBe(0);
    expect(node.textContent).toBe(hostile);
  });
});
