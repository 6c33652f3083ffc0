// The import direction of docs/architecture.md, checked on every source file's imports (static, dynamic,
// re-exports and type-only alike):
//   - packages/sdk imports nothing of packages/trainer or apps/;
//   - a library's src/ (packages/*/src) imports nothing of the root's experiments/, results/ or bench/;
//   - the trainer's library code imports nothing of its cli/ or pipelines/, and pipelines/ nothing of cli/;
//   - experiments/ and results/ reach the trainer only through its public exports (@session-rec/trainer/…),
//     never its src/ by relative path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP = new Set(['node_modules', 'dist', '.vite', 'coverage', 'test-results', 'playwright-report']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (SOURCE.test(name)) out.push(path);
  }
  return out;
}

/** Every module specifier in `code`: import/export … from, bare import, import(), require(). */
export function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** The repository path an import lands in (relative to the root), or null for an outside package. */
function target(file: string, spec: string): string | null {
  if (spec.startsWith('.'))
    return relative(root, resolve(dirname(file), spec))
      .split(sep)
      .join('/');
  if (spec === '@session-rec/trainer' || spec.startsWith('@session-rec/trainer/'))
    return 'packages/trainer/<exports>';
  if (spec === '@session-rec/sdk' || spec.startsWith('@session-rec/sdk/')) return 'packages/sdk/<exports>';
  if (spec.startsWith('@session-rec/demo-shop')) return 'apps/demo-shop/<exports>';
  return null;
}

interface Rule {
  name: string;
  applies: (from: string) => boolean;
  forbids: (to: string, spec: string) => boolean;
}

const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const RULES: Rule[] = [
  {
    name: 'packages/sdk imports nothing of packages/trainer or apps/',
    applies: (from) => under(from, 'packages/sdk'),
    forbids: (to) => under(to, 'packages/trainer') || under(to, 'apps'),
  },
  {
    name: "a library's src/ imports nothing of experiments/, results/ or bench/",
    applies: (from) => /^packages\/[^/]+\/src\//.test(from),
    forbids: (to) => under(to, 'experiments') || under(to, 'results') || under(to, 'bench'),
  },
  {
    name: "the trainer's library code imports nothing of its cli/ or pipelines/",
    applies: (from) =>
      under(from, 'packages/trainer/src') &&
      !under(from, 'packages/trainer/src/cli') &&
      !under(from, 'packages/trainer/src/pipelines') &&
      !from.endsWith('.test.ts'),
    forbids: (to) => under(to, 'packages/trainer/src/cli') || under(to, 'packages/trainer/src/pipelines'),
  },
  {
    name: "the trainer's pipelines/ import nothing of its cli/",
    applies: (from) => under(from, 'packages/trainer/src/pipelines') && !from.endsWith('.test.ts'),
    forbids: (to) => under(to, 'packages/trainer/src/cli'),
  },
  {
    name: 'experiments/ and results/ use the trainer through its public exports only',
    applies: (from) => under(from, 'experiments') || under(from, 'results'),
    forbids: (to) => under(to, 'packages/trainer/src'),
  },
];

function violations(files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = relative(root, file).split(sep).join('/');
    const rules = RULES.filter((r) => r.applies(from));
    if (rules.length === 0) continue;
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      const to = target(file, spec);
      if (to === null) continue;
      for (const rule of rules) if (rule.forbids(to, spec)) found.push(`${from}: '${spec}' (${rule.name})`);
    }
  }
  return found;
}

describe('import direction (docs/architecture.md)', () => {
  const files = ['packages', 'experiments', 'results', 'bench', 'apps']
    .map((d) => join(root, d))
    .flatMap((d) => (statSync(d, { throwIfNoEntry: false })?.isDirectory() ? sourceFiles(d) : []));

  it('finds the imports it checks', () => {
    expect(specifiers(`import { a } from './a.ts';\nimport type { B } from "../b.ts";`)).toEqual([
      './a.ts',
      '../b.ts',
    ]);
    expect(
      specifiers(`export * from './c.ts';\nconst m = await import('../d.ts');\nimport './e.ts';`),
    ).toEqual(['./c.ts', './e.ts', '../d.ts']);
    expect(specifiers(`import {\n  x,\n  type Y,\n} from '@session-rec/trainer/model';`)).toEqual([
      '@session-rec/trainer/model',
    ]);
    expect(files.length).toBeGreaterThan(200);
  });

  it('flags a forbidden import (the rules themselves)', () => {
    const sdkFile = join(root, 'packages/sdk/src/engine/x.ts');
    const libFile = join(root, 'packages/trainer/src/eval/x.ts');
    const script = join(root, 'results/x/make-table.ts');
    expect(target(sdkFile, '../../../trainer/src/data/index.ts')).toBe('packages/trainer/src/data/index.ts');
    expect(RULES[0]!.forbids(target(sdkFile, '@session-rec/trainer/data')!, '')).toBe(true);
    expect(RULES[0]!.forbids(target(sdkFile, '../../../../apps/demo-shop/src/a.ts')!, '')).toBe(true);
    expect(RULES[1]!.forbids(target(libFile, '../../../../bench/run.ts')!, '')).toBe(true);
    // the trainer's own src/eval/bench/ is library code, not the root's bench/
    expect(RULES[1]!.forbids(target(libFile, './bench/prefix-sharing.bench.ts')!, '')).toBe(false);
    expect(RULES[2]!.forbids(target(libFile, '../cli/progress.ts')!, '')).toBe(true);
    expect(RULES[2]!.forbids(target(libFile, '../pipelines/report.ts')!, '')).toBe(true);
    expect(
      RULES[3]!.forbids(target(join(root, 'packages/trainer/src/pipelines/x.ts'), '../cli/progress.ts')!, ''),
    ).toBe(true);
    expect(RULES[4]!.forbids(target(script, '../../packages/trainer/src/model/index.ts')!, '')).toBe(true);
    expect(RULES[4]!.forbids(target(script, '@session-rec/trainer/model')!, '')).toBe(false);
  });

  it('the tree keeps the direction', () => {
    expect(violations(files)).toEqual([]);
  });
});
