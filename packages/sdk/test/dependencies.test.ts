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
