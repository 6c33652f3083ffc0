// Dataset access for every trainer and the evaluator: the folder format, the protocol's examples and
// split, popularity, and the one seeded PRNG.
export { readDataset, datasetItemId, type Dataset, type SessionCase } from './read-dataset.ts';
export { DatasetError } from './errors.ts';
export {
  splitValidation,
  validationPositions,
  prefixExamples,
  type SplitOptions,
  type ValidationSplit,
} from './examples.ts';
export { popularityCounts, popularityOrder, sessionPopularityOrder, hotColdSplit } from './popularity.ts';
export { seededRandom, deriveSeed, randomInt, shuffleInPlace } from './prng.ts';
export { countNewItems, splitByTime, writePeriodDataset, type NewItemCounts } from './period-split.ts';
