// Vocabulary growth and shrinkage for `pnpm train refresh`: the previous bundle's items keep their external
// ids and their order; the dataset's items the previous vocabulary lacks are appended (in dataset order);
// with dropMissing, previous items the dataset no longer has are removed. Every per-item array (teacher
// rows, codes, the popularity order) follows its id through the maps below.

/** What the plan needs of the previous bundle's vocabulary (a read ModelBundle has both). */
export interface PreviousVocabulary {
  count: number;
  itemIds: (index: number) => string;
  itemIndex: (id: string) => number;
}

export interface VocabularyPlan {
  /** External ids, new index order. */
  ids: string[];
  /** What encodeBundle takes: a range when the ids are consecutive integers (no vocab.txt), else the list. */
  vocabulary: string[] | { type: 'range'; first: number; count: number };
  /** New index → previous index, −1 for an item the previous bundle lacks. */
  previousIndex: Int32Array;
  /** Dataset index → new index (every dataset item has one). */
  fromDataset: Int32Array;
  /** Previous index → new index, −1 for a dropped item. */
  fromPrevious: Int32Array;
  newItems: number;
  droppedItems: number;
}

/** `ids` as a range when they are first, first + 1, … in canonical decimal spelling. */
export function asRange(ids: readonly string[]): { type: 'range'; first: number; count: number } | null {
  if (ids.length === 0 || !/^-?[0-9]+$/.test(ids[0]!)) return null;
  const first = Number(ids[0]);
  for (let i = 0; i < ids.length; i++) if (ids[i] !== String(first + i)) return null;
  return Number.isSafeInteger(first + ids.length) ? { type: 'range', first, count: ids.length } : null;
}

/**
 * The refreshed vocabulary: previous items (minus the dropped), then the dataset's new ones.
 * `datasetIds[i]` is the external id of dataset item i (datasetItemId).
 */
export function planVocabulary(
  previous: PreviousVocabulary,
  datasetIds: readonly string[],
  opts: { dropMissing: boolean },
): VocabularyPlan {
  const inDataset = new Uint8Array(previous.count);
  const added: number[] = [];
  datasetIds.forEach((id, d) => {
    const p = previous.itemIndex(id);
    if (p >= 0) inDataset[p] = 1;
    else added.push(d);
  });
  const ids: string[] = [];
  const previousIndex: number[] = [];
  const fromPrevious = new Int32Array(previous.count).fill(-1);
  for (let p = 0; p < previous.count; p++) {
    if (opts.dropMissing && !inDataset[p]) continue;
    fromPrevious[p] = ids.length;
    ids.push(previous.itemIds(p));
    previousIndex.push(p);
  }
  const keptPrevious = ids.length;
  for (const d of added) {
    ids.push(datasetIds[d]!);
    previousIndex.push(-1);
  }
  const fromDataset = new Int32Array(datasetIds.length);
  let next = keptPrevious;
  datasetIds.forEach((id, d) => {
    const p = previous.itemIndex(id);
    fromDataset[d] = p >= 0 ? fromPrevious[p]! : next++;
  });
  if (ids.length === 0) throw new RangeError('refresh: the refreshed vocabulary would have no items');
  return {
    ids,
    vocabulary: asRange(ids) ?? ids,
    previousIndex: Int32Array.from(previousIndex),
    fromDataset,
    fromPrevious,
    newItems: added.length,
    droppedItems: previous.count - keptPrevious,
  };
}

/** Rows of width `width` in new index order: a previous item's row copied, a new item's left 0. */
export function carryRows<T extends Float32Array | Int32Array>(
  previous: T,
  width: number,
  plan: Pick<VocabularyPlan, 'previousIndex'>,
  make: (length: number) => T,
): T {
  const out = make(plan.previousIndex.length * width);
  plan.previousIndex.forEach((p, i) => {
    if (p >= 0) out.set(previous.subarray(p * width, (p + 1) * width), i * width);
  });
  return out;
}

/** Dataset sessions (dataset indices) in new indices. */
export function remapSessions(sessions: readonly Int32Array[], fromDataset: Int32Array): Int32Array[] {
  return sessions.map((s) => Int32Array.from(s, (d) => fromDataset[d]!));
}
