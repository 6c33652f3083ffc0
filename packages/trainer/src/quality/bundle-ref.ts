// A bundle folder as the quality table sees it without decoding it: its manifest, the bytes a device
// downloads (manifest.json + every file the manifest lists, as they are on disk) and its kind of storage.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MANIFEST_FILE, parseManifest, type Manifest } from '@session-rec/sdk/bundle';
import { QualityInputError } from './errors.ts';

export interface BundleRef {
  /** Folder name, e.g. `tmall-teacher-int8`: the row's label and the cache key's name. */
  name: string;
  dir: string;
  manifest: Manifest;
  /** manifest.json + every listed file. */
  bytes: number;
  /** `shipped` (apps/demo-shop/public/models) or `candidate` (the candidates file). */
  source: 'shipped' | 'candidate';
}

/** Reads a bundle folder's manifest and sizes; a missing folder, manifest or file is a QualityInputError. */
export function readBundleRef(dir: string, source: BundleRef['source']): BundleRef {
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new QualityInputError(`bundle ${dir}: no ${MANIFEST_FILE}`);
  const text = readFileSync(manifestPath);
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(text.toString('utf8')));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new QualityInputError(`bundle ${dir}: corrupt ${MANIFEST_FILE}: ${why}`);
  }
  let bytes = text.byteLength;
  for (const file of manifest.files) {
    const path = join(dir, file.path);
    if (!existsSync(path)) throw new QualityInputError(`bundle ${dir}: ${file.path} is missing`);
    const size = statSync(path).size;
    if (size !== file.byteLength)
      throw new QualityInputError(
        `bundle ${dir}: ${file.path} has ${size} bytes, the manifest says ${file.byteLength}`,
      );
    bytes += size;
  }
  return { name: basename(dir), dir, manifest, bytes, source };
}

/** Display kind: the model kind, with the storage of a float-converted variant (`full · int8`). */
export function storageKind(manifest: Manifest): string {
  const table = manifest.tensors.find((t) => ['items', 'codebooks', 'tt.core0', 'sttd.g1'].includes(t.name));
  const dtype = table?.dtype;
  return dtype && dtype !== 'float32' ? `${manifest.kind} · ${dtype}` : manifest.kind;
}
