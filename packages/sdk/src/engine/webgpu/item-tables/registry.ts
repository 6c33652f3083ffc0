// GPU item tables by bundle kind (`popularity` has none: the engine ranks its counts without a GPU pass).
import type { ModelBundle } from '../../../bundle/types.ts';
import { UnknownModelKindError } from '../../errors.ts';
import { createCompositionalGpuTable } from './compositional.ts';
import { createFullGpuTable } from './full.ts';
import { createSttdGpuTable } from './sttd.ts';
import { createTtGpuTable } from './tt.ts';
import type { GpuItemTable } from './types.ts';

const factories: Record<string, (device: GPUDevice, bundle: ModelBundle) => GpuItemTable> = {
  full: createFullGpuTable,
  compositional: createCompositionalGpuTable,
  tt: createTtGpuTable,
  sttd: createSttdGpuTable,
};

export function createGpuItemTable(device: GPUDevice, bundle: ModelBundle): GpuItemTable {
  const kind = bundle.manifest.kind;
  const factory = factories[kind];
  if (factory === undefined) throw new UnknownModelKindError(kind, Object.keys(factories));
  return factory(device, bundle);
}
