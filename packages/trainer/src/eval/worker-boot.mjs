// Worker entry in plain JS: workers do not inherit tsx's loader, so load the TypeScript worker through
// tsx's API (workerData.entry is its file URL).
import { workerData } from 'node:worker_threads';

const { tsImport } = await import('tsx/esm/api');
await tsImport(workerData.entry, import.meta.url);
