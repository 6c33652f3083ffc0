// A generated product picture: a gradient tile with a simple shape and the item's initials, as inline SVG
// built through DOM APIs (no markup strings). Colours and shape come from the item's identity hash.
import type { ItemIdentity } from '../catalog/item-identity.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

function shapeFor(index: number): SVGElement {
  const fill = 'rgba(255,255,255,0.55)';
  switch (index) {
    case 0:
      return svg('circle', { cx: 50, cy: 46, r: 24, fill });
    case 1:
      return svg('rect', { x: 28, y: 24, width: 44, height: 44, rx: 8, fill });
    case 2:
      return svg('polygon', { points: '50,18 78,70 22,70', fill });
    case 3:
      return svg('ellipse', { cx: 50, cy: 46, rx: 30, ry: 18, fill });
    default:
      return svg('polygon', { points: '50,20 74,34 74,60 50,74 26,60 26,34', fill });
  }
}

function initials(name: string): string {
  return name
    .split(' ')
    .slice(0, 2)
    .map((word) => word[0] ?? '')
    .join('');
}

export function thumbnail(item: ItemIdentity): SVGSVGElement {
  const gradientId = `g-${item.hueA}-${item.hueB}`;
  const root = svg('svg', { viewBox: '0 0 100 100', class: 'thumb', role: 'img', 'aria-label': item.name });
  const defs = svg('defs', {});
  const gradient = svg('linearGradient', { id: gradientId, x1: 0, y1: 0, x2: 1, y2: 1 });
  gradient.append(
    svg('stop', { offset: '0', 'stop-color': `hsl(${item.hueA} 70% 62%)` }),
    svg('stop', { offset: '1', 'stop-color': `hsl(${item.hueB} 65% 42%)` }),
  );
  defs.append(gradient);
  const label = svg('text', {
    x: 50,
    y: 92,
    'text-anchor': 'middle',
    'font-size': 13,
    fill: 'rgba(255,255,255,0.9)',
  });
  label.textContent = initials(item.name);
  root.append(
    defs,
    svg('rect', { width: 100, height: 100, fill: `url(#${gradientId})` }),
    shapeFor(item.shape),
    label,
  );
  return root;
}
