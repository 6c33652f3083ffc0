// Item tables by bundle kind. Adding a kind = one module implementing ItemTable + one entry here.
import type { ModelBundle } from '../../../bundle/types.ts';
import { UnknownModelKindError } from '../../errors.ts';
import { createCompositionalTable } from './compositional.ts';
import { createFullTable } from './full.ts';
import { createPopularityTable } from './popularity.ts';
import { createSttdTable } from './sttd.ts';
import { createTtTable } from './tt.ts';
import type { ItemTable, ItemTableFactory } from './types.ts';

const factories = new Map<string, ItemTableFactory>([
  ['popularity', createPopularityTable],
  ['full', createFullTable],
  ['compositional', createCompositionalTable],
  ['tt', createTtTable],
  ['sttd', createSttdTable],
]);

/** Registers (or replaces) the item table of a kind. */
export function registerItemTable(kind: string, factory: ItemTableFactory): void {
  factories.set(kind, factory);
}

/** The kinds the CPU engine can run. */
export function itemTableKinds(): string[] {
  return [...factories.keys()];
}

/** The item table of a bundle; UnknownModelKindError when its kind is not registered. */
export function createItemTable(bundle: ModelBundle): ItemTable {
  const kind = bundle.manifest.kind;
  const factory = factories.get(kind);
  if (factory === undefined) throw new UnknownModelKindError(kind, itemTableKinds());
  return factory(bundle);
}
