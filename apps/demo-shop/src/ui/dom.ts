// The one way this app puts data on screen: elements built with DOM APIs, text set as text nodes.
// There is no innerHTML anywhere, so an item id or a manifest string can never become markup.

export type Child = Node | string | number | null | undefined | false;
export interface Props {
  class?: string;
  /** Attributes, set with setAttribute (values are never parsed as HTML). */
  attrs?: Record<string, string>;
  /** `data-*` attributes, camelCase names as in `dataset` (`itemId` → `data-item-id`). */
  data?: Record<string, string>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

/** `el('a', { class: 'x', attrs: { href } }, 'text', child)`: children strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.data ?? {})) {
    node.setAttribute(`data-${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value);
  }
  for (const [type, handler] of Object.entries(props.on ?? {}))
    node.addEventListener(type, handler as EventListener);
  append(node, children);
  return node;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}
