// Item vocabulary: internal index ↔ external id. `range` needs no file; `list` is vocab.txt, one id a line.
import { BundleValueError } from './errors.ts';
import type { ModelBundle, TensorInput, Vocabulary } from './types.ts';

export const VOCAB_FILE = 'vocab.txt';

/** vocab.txt for a list of ids: one per line, newline-terminated. Rejects ids that could not round-trip. */
export function encodeVocabList(ids: readonly string[]): Uint8Array {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    const where = { file: VOCAB_FILE, position: i };
    if (typeof id !== 'string' || id.length === 0) {
      throw new BundleValueError(`vocabulary: item ${i} has an empty or non-string id`, where);
    }
    if (/[\r\n]/.test(id)) {
      throw new BundleValueError(
        `vocabulary: item ${i} id ${JSON.stringify(id)} contains a line break`,
        where,
      );
    }
    const first = seen.get(id);
    if (first !== undefined) {
      throw new BundleValueError(
        `vocabulary: id ${JSON.stringify(id)} appears at items ${first} and ${i}`,
        where,
      );
    }
    seen.set(id, i);
  });
  return new TextEncoder().encode(ids.length === 0 ? '' : ids.join('\n') + '\n');
}

/** The ids of a vocab.txt; line numbers in errors are 1-based like an editor's. */
export function parseVocabList(bytes: Uint8Array, file: string, count: number): string[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new BundleValueError(`${file} is not valid UTF-8`, { file, cause });
  }
  const lines = text.length === 0 ? [] : text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== count) {
    throw new BundleValueError(`${file}: ${lines.length} ids, the manifest says ${count}`, { file });
  }
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const id = lines[i];
    if (id.length === 0) throw new BundleValueError(`${file} line ${i + 1}: empty id`, { file, position: i });
    if (seen.has(id)) {
      throw new BundleValueError(`${file} line ${i + 1}: duplicate id ${JSON.stringify(id)}`, {
        file,
        position: i,
      });
    }
    seen.add(id);
  }
  return lines;
}

type ItemMapping = Pick<ModelBundle, 'itemIds' | 'itemIndex'>;

/** id ↔ index functions of a vocabulary (`list` needs the parsed vocab.txt lines). */
export function itemMapping(vocabulary: Vocabulary, list?: readonly string[]): ItemMapping {
  const { count } = vocabulary;
  const checkIndex = (index: number): void => {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`item index ${index} is outside 0..${count - 1}`);
    }
  };
  if (vocabulary.type === 'range') {
    const { first } = vocabulary;
    return {
      itemIds: (index) => {
        checkIndex(index);
        return String(first + index);
      },
      itemIndex: (id) => {
        // Only the canonical decimal spelling maps ("007" and "7.0" are other ids).
        if (!/^-?[0-9]+$/.test(id)) return -1;
        const n = Number(id);
        if (String(n) !== id) return -1;
        const index = n - first;
        return index >= 0 && index < count ? index : -1;
      },
    };
  }
  if (!list) throw new Error('itemMapping: a list vocabulary needs its ids');
  const byId = new Map<string, number>();
  list.forEach((id, i) => byId.set(id, i));
  return {
    itemIds: (index) => {
      checkIndex(index);
      return list[index];
    },
    itemIndex: (id) => byId.get(id) ?? -1,
  };
}

/**
 * A read bundle's vocabulary in the form `encodeBundle` takes it (a range as is, a list as its ids), so
 * that a bundle can be re-encoded — other dtypes, packed codes, another item table — with its item ids.
 */
export function vocabularyInput(
  bundle: Pick<ModelBundle, 'manifest' | 'itemIds'>,
): string[] | { type: 'range'; first: number; count: number } {
  const { vocabulary } = bundle.manifest;
  if (vocabulary.type === 'range') return vocabulary;
  return Array.from({ length: vocabulary.count }, (_, i) => bundle.itemIds(i));
}

/**
 * A read bundle's tensors in the form `encodeBundle` takes them (stored dtype and bit-packing kept), minus
 * those `drop` rejects — for re-encoding a bundle with some tensors replaced.
 */
export function tensorInputs(
  bundle: ModelBundle,
  drop: (name: string) => boolean = () => false,
): TensorInput[] {
  const entries = new Map(bundle.manifest.tensors.map((t) => [t.name, t]));
  return [...bundle.tensors]
    .filter(([name]) => !drop(name))
    .map(([name, t]) => {
      const { bits, narrowBits } = entries.get(name) ?? {};
      return {
        name,
        dtype: t.dtype,
        shape: t.shape,
        data: t.data,
        ...(bits !== undefined ? { bits } : {}),
        ...(narrowBits !== undefined ? { narrowBits } : {}),
      };
    });
}
