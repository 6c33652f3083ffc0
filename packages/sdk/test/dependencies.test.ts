// The SDK ships with two runtime dependencies (issue 23): every bare import in src/ is one of them (or a
// Node built-in, in the Node-only entry), and package.json declares exactly those.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const RUNTIME = ['idb-keyval', 'valibot'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('the SDK package', () => {
  it('declares idb-keyval and valibot as its only runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(RUNTIME);
  });

  it('imports no other package from its source (testing helpers and Node built-ins aside)', () => {
    const bare = new Set<string>();
    for (const file of sources(join(root, 'src'))) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"./][^'"]*)['"]/g)) {
        const name = m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0];
        if (!name.startsWith('node:')) bare.add(name);
      }
    }
    expect([...bare].sort().filter((n) => !RUNTIME.includes(n))).toEqual([]);
  });
});

/** The SDK's own imports, type-only ones included: file → the files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(join(root, 'src'))) {
    const code = readFileSync(file, 'utf8');
    const targets = [...code.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+\.ts)['"]/g)].map((m) =>
      join(file, '..', m[1]),
    );
    graph.set(file, targets);
  }
  return graph;
}

describe("the SDK's module graph", () => {
  it('has no import cycle, type-only imports included (bundle/decode → vocabulary → encode was one)', () => {
    const graph = importGraph();
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => f.slice(root.length + 1)).join(' → '),
        );
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});

/** The layer of a source file (docs/architecture.md "The SDK"): its folder, engine/cpu and engine/webgpu apart. */
function layerOf(file: string): string {
  const rel = file.slice(join(root, 'src').length + 1);
  const parts = rel.split('/');
  if (parts.length === 1) return rel; // index.ts, errors.ts, events.ts, random.ts
  if (parts[0] === 'engine' && ['cpu', 'webgpu'].includes(parts[1]) && parts.length > 2) {
    // Developer tooling inside the CPU engine (benchmarks, test models) may use the test helpers.
    if (parts[1] === 'cpu' && ['bench', 'testing'].includes(parts[2])) return 'engine/cpu (tooling)';
    return `engine/${parts[1]}`;
  }
  if (parts[0] === 'engine' && parts[1].startsWith('webgpu-worker')) return 'engine/webgpu-worker';
  return parts[0];
}

/** What each layer may import besides itself: lower layers only (docs/architecture.md). */
const ALLOWED: Record<string, string[]> = {
  bundle: [],
  engine: ['bundle'],
  'engine/cpu': ['bundle', 'engine'],
  'engine/webgpu': ['bundle', 'engine'],
  'engine/webgpu-worker': ['bundle', 'engine', 'engine/webgpu'],
  'engine/cpu (tooling)': ['bundle', 'engine', 'engine/cpu', 'testing', 'random.ts'],
  'errors.ts': [],
  'events.ts': ['engine'],
  'random.ts': [],
  session: [],
  storage: ['bundle', 'errors.ts', 'events.ts'],
  recommender: [
    'bundle',
    'engine',
    'engine/cpu',
    'engine/webgpu',
    'engine/webgpu-worker',
    'errors.ts',
    'events.ts',
    'session',
    'storage',
  ],
  testing: ['bundle', 'engine', 'engine/cpu', 'engine/cpu (tooling)', 'random.ts'],
  'index.ts': ['bundle', 'engine', 'errors.ts', 'events.ts', 'recommender', 'session', 'storage'],
};

describe("the SDK's layers", () => {
  it('import only the layers below them: the two engines never each other, nothing ships test helpers', () => {
    const wrong: string[] = [];
    for (const [file, targets] of importGraph()) {
      const from = layerOf(file);
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        wrong.push(`${from}: a layer docs/architecture.md does not name`);
        continue;
      }
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to))
          wrong.push(
            `${file.slice(root.length + 1)} (${from}) imports ${target.slice(root.length + 1)} (${to})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });
});
