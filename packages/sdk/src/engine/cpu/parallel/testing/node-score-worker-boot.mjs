// Worker entry in plain JS: Node workers do not inherit tsx's loader, so load the TypeScript worker through
// tsx's API (tests and the Node benchmark only).
const { tsImport } = await import('tsx/esm/api');
await tsImport('./node-score-worker.ts', import.meta.url);
