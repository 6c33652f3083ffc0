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
