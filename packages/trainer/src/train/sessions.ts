// The trainers' view of a dataset folder: the shared reader (src/data/) under the names the training code
// uses. Item ids 1..V become internal indices 0..V-1; `vocabulary` is the folder's vocab.txt when present.
import { readDataset } from '../data/index.ts';

export interface SessionData {
  name: string;
  numItems: number;
  train: Int32Array[];
  test: { prefix: Int32Array; label: number }[];
  /** The shop's item ids (index i = internal index i), for the bundle's vocabulary; absent: ids 1..V. */
  vocabulary?: string[];
}

export function readSessionData(dir: string): SessionData {
  const d = readDataset(dir);
  return {
    name: d.name,
    numItems: d.numItems,
    train: d.trainSessions,
    test: d.testCases,
    ...(d.vocabulary ? { vocabulary: d.vocabulary } : {}),
  };
}
