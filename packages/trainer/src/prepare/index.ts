// Click log → dataset folder (`pnpm train prepare`): sessionize.sql run by DuckDB, with input checks.
export {
  prepareEvents,
  describeSummary,
  parseDuration,
  sessionizeSteps,
  PREPARE_DEFAULTS,
  ID_ORDER,
  type PrepareOptions,
  type PrepareSummary,
  type TimeFormat,
} from './prepare-events.ts';
export { EventLogError } from './errors.ts';
