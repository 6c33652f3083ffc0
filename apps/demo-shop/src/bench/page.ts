// The benchmark page: a person picks bundles and engines and sees the latency table and chart; the CLI
// (bench/run.ts) drives the same page through `window.benchApi`, so both measure with the same code.
import '../style.css';
import type { BundleSummary } from '../models/bundle-summary.ts';
import { el, replaceChildren } from '../ui/dom.ts';
import { datasetLabel, formatBytes, formatMs } from '../ui/format.ts';
import { latencyChart, rowLabel } from './chart.ts';
import { runCase } from './measure.ts';
import { autoChoice } from './engines.ts';
import { sessionsByLength } from './lengths.ts';
import {
  OUR_ENGINES,
  SESSION_LENGTHS,
  type BenchCase,
  type BenchRow,
  type EngineName,
  type LengthSessions,
  type MachineInfo,
} from './types.ts';

async function machineInfo(): Promise<MachineInfo> {
  const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
  const info = adapter?.info;
  return {
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    adapter: info
      ? {
          vendor: info.vendor,
          architecture: info.architecture,
          device: info.device,
          description: info.description,
        }
      : null,
    webgpuFeatures: adapter ? [...adapter.features].sort() : undefined,
  };
}

declare global {
  interface Window {
    benchApi: { runCase: typeof runCase; machineInfo: typeof machineInfo; autoChoice: typeof autoChoice };
  }
}
window.benchApi = { runCase, machineInfo, autoChoice };

async function listJson(url: string): Promise<BundleSummary[]> {
  const response = await fetch(url, { cache: 'no-store' }).catch(() => null);
  return response?.ok ? ((await response.json()) as BundleSummary[]) : [];
}

/**
 * Real test sessions by length when the dev server can read the dataset folder, else null
 * (popularity-sampled). The server gives test prefixes spread over test.txt; those that reach a length,
 * cut to it, are the sessions of that length (the CLI rebuilds whole sessions first: bench/run.ts).
 */
async function datasetSessions(dataset: string, count: number): Promise<LengthSessions[] | null> {
  const response = await fetch(`/bench-sessions/${encodeURIComponent(dataset)}.json?count=5000`).catch(
    () => null,
  );
  if (!response?.ok) return null;
  return sessionsByLength((await response.json()) as string[][], SESSION_LENGTHS, count);
}

function resultsTable(rows: readonly BenchRow[]): HTMLTableElement {
  const head = [
    'bundle',
    'engine',
    ...SESSION_LENGTHS.map((n) => `p50 · ${n} click${n === 1 ? '' : 's'}`),
    'per 100 · 5 clicks',
    'cold start',
    'warm start',
    'bundle',
    'GPU buffers',
    'timed calls',
  ];
  const at = (r: BenchRow, n: number) => r.byLength.find((l) => l.length === n && l.samples > 0);
  return el(
    'table',
    { class: 'results', data: { testid: 'bench-results' } },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el(
          'tr',
          {},
          el('td', {}, rowLabel(r)),
          el('td', {}, r.engine),
          ...(r.error
            ? [el('td', { attrs: { colspan: String(head.length - 2) } }, `failed: ${r.error}`)]
            : [
                ...SESSION_LENGTHS.map((n) => {
                  const s = at(r, n);
                  return el('td', {}, s ? formatMs(s.p50Ms) : '—');
                }),
                el('td', {}, at(r, 5) ? formatMs(at(r, 5)!.per100Ms) : '—'),
                el('td', {}, formatMs(r.coldStartMs)),
                el('td', {}, formatMs(r.warmStartMs)),
                el('td', {}, formatBytes(r.bundleBytes)),
                el('td', {}, formatBytes(r.gpuBufferBytes)),
                el('td', {}, `${r.byLength.reduce((sum, l) => sum + l.samples, 0)} (${r.sessionsSource})`),
              ]),
        ),
      ),
    ),
  );
}

async function main(): Promise<void> {
  const root = document.querySelector<HTMLDivElement>('#bench')!;
  const bundles = [
    ...(await listJson('/models/index.json')),
    ...(await listJson('/bench-models/index.json')),
  ];
  const bundleBoxes = bundles.map((b) => {
    const box = el('input', { attrs: { type: 'checkbox', value: b.id } });
    box.checked = !b.random && b.kind !== 'popularity';
    const label = `${datasetLabel(b.dataset)} · ${b.kind}${b.random ? ' (RANDOM weights, untrained)' : ''} — ${formatBytes(b.bundleBytes)}`;
    return { bundle: b, box, row: el('label', { class: 'check' }, box, ` ${label}`) };
  });
  // onnxruntime-web needs the ONNX export that only the CLI makes (pnpm bench): our engines here.
  const engineBoxes = OUR_ENGINES.map((engine) => {
    const box = el('input', { attrs: { type: 'checkbox', value: engine } });
    box.checked = engine !== 'tfjs-webgpu'; // the slow generic-op baseline is opt-in here
    return { engine, box, row: el('label', { class: 'check' }, box, ` ${engine}`) };
  });
  const count = el('input', {
    attrs: { type: 'number', min: '1', max: '1000', value: '100', 'aria-label': 'Sessions' },
  });
  const run = el('button', { class: 'button', data: { testid: 'bench-run' } }, 'Run benchmark');
  const log = el('p', { class: 'muted', data: { testid: 'bench-log' } });
  const output = el('div', { class: 'bench-output' });
  replaceChildren(
    root,
    el(
      'div',
      { class: 'layout' },
      el(
        'main',
        { class: 'main' },
        el('h1', {}, 'Engine benchmark'),
        el(
          'p',
          { class: 'muted' },
          'recommend() latency of each model on each engine, in this browser, by session length: the call right after ' +
            'the 1st, 5th, 20th and 50th click, the previous click’s call made just before it (as a shop calls it). ' +
            'Sessions are the dataset’s test ' +
            'sessions when the dev server can read the dataset folder, otherwise sampled from the model’s popularity order (the table says which). ' +
            'Bundles marked RANDOM have untrained weights of the real shapes: their timings are meaningful, their recommendations are not.',
        ),
        el(
          'section',
          { class: 'panel' },
          el('h2', {}, 'Models'),
          ...bundleBoxes.map((b) => el('div', {}, b.row)),
        ),
        el(
          'section',
          { class: 'panel' },
          el('h2', {}, 'Engines'),
          ...engineBoxes.map((e) => el('div', {}, e.row)),
          el('p', {}, el('label', {}, 'Sessions per length ', count)),
          run,
          log,
        ),
        output,
      ),
    ),
  );
  run.addEventListener('click', async () => {
    run.disabled = true;
    const rows: BenchRow[] = [];
    const engines = engineBoxes.filter((e) => e.box.checked).map((e) => e.engine as EngineName);
    const sessionCount = Math.max(1, Number(count.value) || 100);
    const warmup = 3;
    const sessionsByDataset = new Map<string, LengthSessions[] | null>();
    for (const { bundle } of bundleBoxes.filter((b) => b.box.checked)) {
      if (!sessionsByDataset.has(bundle.dataset)) {
        sessionsByDataset.set(bundle.dataset, await datasetSessions(bundle.dataset, sessionCount + warmup));
      }
      for (const engine of engines) {
        log.textContent = `Measuring ${rowLabel({ ...bundle, randomWeights: bundle.random })} on ${engine}…`;
        const benchCase: BenchCase = {
          bundle,
          engine,
          sessions: sessionsByDataset.get(bundle.dataset) ?? null,
          count: sessionCount,
          warmup,
          budgetMs: 60_000,
          minCount: 3,
          k: 20,
        };
        rows.push(await runCase(benchCase));
        replaceChildren(output, latencyChart(rows), resultsTable(rows));
      }
    }
    log.textContent = `Done: ${rows.length} measurements.`;
    run.disabled = false;
  });
}

void main();
