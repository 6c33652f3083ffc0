// The page frame: top bar (logo, model switcher, basket, new session), the anonymised-data notice,
// the main column and the side column. Returns the slots the shop fills.
import { el } from './dom.ts';

export interface Shell {
  root: HTMLElement;
  modelSelect: HTMLSelectElement;
  basket: HTMLElement;
  newSessionButton: HTMLButtonElement;
  progress: HTMLElement;
  main: HTMLElement;
  history: HTMLElement;
  status: HTMLElement;
  notice: HTMLElement;
  /** Warnings and load problems (ui/notices.ts). */
  alerts: HTMLElement;
}

export function createShell(): Shell {
  const modelSelect = el('select', { attrs: { 'aria-label': 'Model' }, data: { testid: 'model-select' } });
  const basket = el('span', { class: 'basket', data: { testid: 'basket' } }, 'Basket: 0');
  const newSessionButton = el(
    'button',
    { class: 'button secondary', data: { testid: 'new-session' } },
    'New session',
  );
  const progress = el('div', { class: 'progress', attrs: { hidden: '' } }, el('div'));
  const notice = el(
    'p',
    { class: 'notice', data: { testid: 'anonymised-notice' } },
    'Every product here stands for an anonymised item of a public e-commerce dataset: the names, pictures and ' +
      'prices are generated from the item id. Recommendations are computed in your browser; your clicks never leave it.',
  );
  const alerts = el('div', {
    class: 'alerts',
    attrs: { 'aria-live': 'polite' },
    data: { testid: 'notices' },
  });
  const main = el('main', { class: 'main' });
  const history = el('section', { class: 'panel history', data: { testid: 'history' } });
  const status = el('section', { class: 'panel status', data: { testid: 'status' } });
  const root = el(
    'div',
    {},
    el(
      'header',
      { class: 'topbar' },
      el(
        'a',
        { class: 'logo', attrs: { href: '#/' } },
        'Sessionshop',
        el('small', {}, 'on-device recommendations'),
      ),
      el('span', { class: 'spacer' }),
      el('label', { class: 'model-switcher' }, 'Model', modelSelect),
      basket,
      newSessionButton,
    ),
    progress,
    alerts,
    notice,
    el('div', { class: 'layout' }, main, el('aside', { class: 'side' }, history, status)),
    el(
      'footer',
      {},
      'A demo of on-device session recommendation (EODRec). ',
      el('a', { attrs: { href: '/bench.html' } }, 'Benchmark the engines in this browser'),
    ),
  );
  return { root, modelSelect, basket, newSessionButton, progress, main, history, status, notice, alerts };
}
