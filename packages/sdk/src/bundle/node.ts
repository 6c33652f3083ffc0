// @session-rec/sdk/bundle/node — bundles as folders on disk (trainer, evaluator, tests). Node only.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { decodeBundle, type DecodeOptions } from './decode.ts';
import { BundleLoadError } from './errors.ts';
import type { ModelBundle } from './types.ts';

/**
 * Writes every file into a fresh temporary folder next to `dir`, then swaps it in by rename: a crash
 * leaves either the old bundle or the new one, never a mix or a half-written file.
 */
export async function writeBundleDir(dir: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    for (const [path, bytes] of files) {
      const target = join(tmp, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    }
    let hadOld = true;
    try {
      await rename(dir, old);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      hadOld = false;
    }
    await rename(tmp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Every file of a bundle folder, for callers that store or serve the raw bytes. */
export async function readBundleFile(dir: string, path: string): Promise<Uint8Array> {
  try {
    const buf = await readFile(join(dir, path));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause);
    throw new BundleLoadError(`bundle file '${path}' in ${dir}: ${reason}`, { file: path, cause });
  }
}

/** Reads and fully validates the bundle in folder `dir`. */
export async function readBundleDir(dir: string, opts?: DecodeOptions): Promise<ModelBundle> {
  return decodeBundle((path) => readBundleFile(dir, path), opts);
}
