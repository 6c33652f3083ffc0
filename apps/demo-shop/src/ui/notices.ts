// The visible notice area under the top bar: every SDK warning and every load problem lands here (never
// a toast that vanishes, never only the console), each with a Dismiss button and the SDK's own message
// under "Details" for the developer.
import { el } from './dom.ts';

export interface Notice {
  /** One notice per key: showing the same key again replaces it (a warning repeated on every click). */
  key: string;
  tone: 'info' | 'warning' | 'error';
  text: string;
  /** The SDK's message (developer detail), shown folded. */
  details?: string;
  /** A button next to Dismiss, e.g. Retry. */
  action?: { label: string; run: () => void };
  /** `data-code` for tests and styling (the SDK's warning code, or `load-error`). */
  code: string;
}

export class Notices {
  readonly #root: HTMLElement;
  readonly #shown = new Map<string, HTMLElement>();

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  show(notice: Notice): void {
    const buttons: HTMLElement[] = [];
    if (notice.action) {
      const { label, run } = notice.action;
      buttons.push(
        el(
          'button',
          { class: 'button', data: { testid: 'notice-action' }, on: { click: () => run() } },
          label,
        ),
      );
    }
    buttons.push(
      el(
        'button',
        {
          class: 'button secondary',
          attrs: { 'aria-label': 'Dismiss' },
          data: { testid: 'dismiss-notice' },
          on: { click: () => this.dismiss(notice.key) },
        },
        'Dismiss',
      ),
    );
    const node = el(
      'div',
      {
        class: `alert ${notice.tone}`,
        attrs: { role: notice.tone === 'error' ? 'alert' : 'status' },
        data: { testid: 'notice', code: notice.code },
      },
      el('p', {}, notice.text),
      notice.details ? el('details', {}, el('summary', {}, 'Details'), el('code', {}, notice.details)) : null,
      el('div', { class: 'alert-actions' }, ...buttons),
    );
    const old = this.#shown.get(notice.key);
    if (old) old.replaceWith(node);
    else this.#root.append(node);
    this.#shown.set(notice.key, node);
  }

  dismiss(key: string): void {
    this.#shown.get(key)?.remove();
    this.#shown.delete(key);
  }

  /** Removes the notices whose key starts with `prefix` (those of a model that is no longer loaded). */
  clear(prefix = ''): void {
    for (const key of [...this.#shown.keys()]) if (key.startsWith(prefix)) this.dismiss(key);
  }
}
