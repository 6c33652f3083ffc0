// Number formatting for the status panel and the benchmark page.

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

const DATASET_NAMES: Record<string, string> = { tmall: 'Tmall', retailrocket: 'RetailRocket' };

export function datasetLabel(dataset: string): string {
  return DATASET_NAMES[dataset] ?? dataset;
}

const KIND_NAMES: Record<string, string> = {
  popularity: 'popularity',
  full: 'teacher (full item table)',
  compositional: 'compositional codes (EODRec)',
  tt: 'TT-Rec (tensor train)',
  sttd: 'OD-Rec (semi-tensor train)',
};

export function kindLabel(kind: string): string {
  return KIND_NAMES[kind] ?? kind;
}
