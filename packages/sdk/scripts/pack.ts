// Packs workspace packages the way they are published (`pnpm pack`: prepack builds dist/, publishConfig's
// exports replace the workspace's src exports, workspace:* versions become real ones) and installs tarballs
// into scratch folders outside the workspace with npm, as a user would. Used by `pnpm check:package` and
// the packed-package tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** pnpm as the workspace pins it: the running pnpm when a pnpm script started us, else npx's pinned one. */
function pnpm(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return [process.execPath, [execPath]];
  return ['npx', ['-y', 'pnpm@10.34.8']];
}

/** `pnpm pack` of one workspace package (e.g. 'packages/sdk') into `destDir`; returns the tarball's path. */
export function packPackage(packageDir: string, destDir: string): string {
  mkdirSync(destDir, { recursive: true });
  const before = new Set(readdirSync(destDir));
  const [cmd, pre] = pnpm();
  execFileSync(cmd, [...pre, 'pack', '--pack-destination', resolve(destDir)], {
    cwd: join(workspaceRoot, packageDir),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const made = readdirSync(destDir).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (made.length !== 1) throw new Error(`pnpm pack in ${packageDir} made ${made.length} tarballs`);
  return join(destDir, made[0]);
}

/**
 * A scratch npm project in `dir` (outside the workspace, so nothing resolves from the workspace's
 * node_modules) with the tarballs installed from files and their dependencies from the npm registry.
 */
export function npmInstallTarballs(dir: string, tarballs: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module' }, null, 2),
  );
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((t) => resolve(t))],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
