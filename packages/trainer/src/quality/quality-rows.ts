// One row of the quality table per bundle: bytes, compression (bytes against the float32 teacher and the
// paper's Eq.-11 parameter ratio), the protocol with the head, θ·e alone, repeat / new-item cases apart,
// what the shop's strip shows, and the benchmark's CPU latency when it measured this bundle.
import type { BundleRef } from './bundle-ref.ts';
import { storageKind } from './bundle-ref.ts';
import type { EvalMode, EvalOutput } from './eval-cache.ts';
import { eq11Ratio } from './parameter-count.ts';

export interface QualityRow {
  bundle: string;
  kind: string;
  source: BundleRef['source'];
  version: string;
  bytes: number;
  /** The float32 teacher's bytes over this bundle's (undefined without a `<dataset>-teacher`). */
  timesSmaller?: number;
  eq11?: number;
  protocol: Pick<EvalOutput, string>;
  theta: Pick<EvalOutput, string>;
  repeatP10: number;
  newItemP10: number;
  strip: { 'P@10': number; 'NDCG@10': number };
  cases: { all: number; repeat: number; newItem: number };
  cpuP50Ms?: number;
}

const PROTOCOL_METRICS = ['P@10', 'NDCG@10', 'P@20', 'MRR@20'] as const;
const pick = (m: Record<string, number>) => Object.fromEntries(PROTOCOL_METRICS.map((k) => [k, m[k]!]));

/** The teacher a dataset's bytes are measured against: the shipped `<dataset>-teacher`. */
export function teacherName(dataset: string): string {
  return `${dataset}-teacher`;
}

export function qualityRow(
  ref: BundleRef,
  evals: Record<EvalMode, EvalOutput>,
  teacherBytes: number | undefined,
  cpuP50Ms: number | undefined,
): QualityRow {
  const { protocol, theta, strip } = evals;
  return {
    bundle: ref.name,
    kind: storageKind(ref.manifest),
    source: ref.source,
    version: ref.manifest.version,
    bytes: ref.bytes,
    ...(teacherBytes ? { timesSmaller: teacherBytes / ref.bytes } : {}),
    ...(eq11Ratio(ref.manifest) !== undefined ? { eq11: eq11Ratio(ref.manifest) } : {}),
    protocol: pick(protocol),
    theta: pick(theta),
    repeatP10: protocol.repeat['P@10']!,
    newItemP10: protocol.newItem['P@10']!,
    strip: { 'P@10': strip.newItem['P@10']!, 'NDCG@10': strip.newItem['NDCG@10']! },
    cases: { all: protocol.cases!, repeat: protocol.repeat.cases!, newItem: protocol.newItem.cases! },
    ...(cpuP50Ms !== undefined ? { cpuP50Ms } : {}),
  };
}

const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(2));
const kb = (bytes: number) => `${(bytes / 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })} kB`;

/** The markdown table of one dataset's rows; the Pareto-front bundles' names in bold. */
export function markdownTable(rows: readonly QualityRow[], onFront: ReadonlySet<string>): string {
  const head = [
    'bundle',
    'kind',
    'bytes',
    '× smaller',
    'Eq. 11',
    'P@10',
    'NDCG@10',
    'P@20',
    'MRR@20',
    'θ·e P@10',
    'θ·e NDCG@10',
    'θ·e P@20',
    'θ·e MRR@20',
    'repeat P@10',
    'new-item P@10',
    'strip new-item P@10',
    'strip new-item NDCG@10',
    'CPU p50 ms',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const name = onFront.has(r.bundle) ? `**${r.bundle}**` : r.bundle;
    const cells = [
      r.source === 'candidate' ? `${name} (candidate)` : name,
      r.kind,
      kb(r.bytes),
      r.timesSmaller === undefined ? '' : `${r.timesSmaller.toFixed(1)}×`,
      f2(r.eq11),
      ...PROTOCOL_METRICS.map((k) => f2(r.protocol[k])),
      ...PROTOCOL_METRICS.map((k) => f2(r.theta[k])),
      f2(r.repeatP10),
      f2(r.newItemP10),
      f2(r.strip['P@10']),
      f2(r.strip['NDCG@10']),
      f2(r.cpuP50Ms),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
