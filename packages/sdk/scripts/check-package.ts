// `pnpm check:package`: the SDK as npm would publish it. Packs it (prepack builds dist/), checks that every
// workspace subpath has a published one pointing at its built module, then runs publint and
// arethetypeswrong (profile esm-only: the package has no CommonJS build) on the tarball. Exit code 1 on
// any problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPackage, workspaceRoot } from './pack.ts';

type Conditions = { types: string; import?: string; node?: string };
const pkg = JSON.parse(readFileSync(join(workspaceRoot, 'packages/sdk/package.json'), 'utf8')) as {
  exports: Record<string, string>;
  publishConfig: { exports: Record<string, Conditions | string> };
};

const problems: string[] = [];
const published = pkg.publishConfig.exports;
for (const [subpath, src] of Object.entries(pkg.exports)) {
  const dist = src.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
  const entry = published[subpath];
  if (typeof entry !== 'object') {
    problems.push(`publishConfig.exports lacks "${subpath}" (workspace: ${src})`);
    continue;
  }
  if (entry.types !== `${dist}.d.ts`) problems.push(`"${subpath}" types should be ${dist}.d.ts`);
  if ((entry.import ?? entry.node) !== `${dist}.js`) problems.push(`"${subpath}" should load ${dist}.js`);
}
for (const subpath of Object.keys(published))
  if (!(subpath in pkg.exports) && subpath !== './package.json')
    problems.push(`publishConfig.exports has "${subpath}", the workspace's exports do not`);

const dir = mkdtempSync(join(tmpdir(), 'sdk-pack-'));
try {
  const tarball = packPackage('packages/sdk', dir);
  const bin = (name: string) => join(workspaceRoot, 'packages/sdk/node_modules/.bin', name);
  for (const [name, args] of [
    ['publint', ['run', tarball, '--strict']],
    ['attw', [tarball, '--profile', 'esm-only']],
  ] as const) {
    try {
      execFileSync(bin(name), args, { stdio: 'inherit' });
    } catch {
      problems.push(`${name} reported problems (above)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const p of problems) console.error(`check:package: FAIL: ${p}`);
if (problems.length === 0) console.log('check:package: publishConfig exports, publint and attw: no problem');
process.exitCode = problems.length > 0 ? 1 : 0;
