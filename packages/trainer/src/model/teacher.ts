// The teacher: backbone + full item table, with the paper's hyper-parameters (Sec. 6.1.3) as presets,
// and its reconstruction from a `full` bundle (students and KD start from it).
import type { ModelBundle } from '@session-rec/sdk/bundle';
import { readBundleDir } from '@session-rec/sdk/bundle/node';
import { Backbone, bundleBackboneHyper, bundleFloatTensors, type BackboneHyper } from './backbone.ts';
import { datasetDefaults } from './dataset-defaults.ts';
import { FullItemTable } from './full-table.ts';
import { SessionModel } from './session-model.ts';

/** The dataset's row of the defaults table (dataset-defaults.ts: the paper's presets, or the stated fallback). */
export function teacherPreset(dataset: string): Omit<BackboneHyper, 'embScale'> {
  return { ...datasetDefaults(dataset).teacher };
}

export function createTeacher(numItems: number, hyper: BackboneHyper, seed: number): SessionModel {
  return new SessionModel(
    new Backbone(hyper, { seed }),
    new FullItemTable(numItems, hyper.dim, { seed: seed * 31 + 17 }),
  );
}

/** Rebuilds a trainable teacher from a `full` bundle folder (weights as stored; float16 widened). */
export async function loadTeacherFromBundle(
  dir: string,
  options: { dropout?: number } = {},
): Promise<SessionModel> {
  return teacherFromBundle(await readBundleDir(dir), dir, options);
}

/**
 * A trainable teacher from a read `full` bundle; `items` [numItems, N] replaces its table (a refresh's
 * grown or shrunk vocabulary), the backbone stays the bundle's.
 */
export function teacherFromBundle(
  bundle: ModelBundle,
  dir: string,
  options: { dropout?: number; items?: { data: Float32Array; numItems: number } } = {},
): SessionModel {
  const { manifest } = bundle;
  if (manifest.kind !== 'full')
    throw new TypeError(`${dir}: expected a 'full' bundle, got '${manifest.kind}'`);
  const h = manifest.hyper;
  const hyper = bundleBackboneHyper(manifest, options.dropout);
  const init = bundleFloatTensors(bundle);
  const items = options.items?.data ?? init.get('items');
  if (!items) throw new TypeError(`${dir}: bundle has no 'items' tensor`);
  return new SessionModel(
    new Backbone(hyper, { init }),
    new FullItemTable(options.items?.numItems ?? h.numItems, hyper.dim, { init: items }),
  );
}
