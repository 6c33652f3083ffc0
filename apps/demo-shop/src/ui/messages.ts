// What a shopper reads when something goes wrong: the SDK's typed errors and warnings in plain words.
// The SDK's own message stays available under "Details" (and in the console) for the developer.
import type { RecommenderWarning } from '@session-rec/sdk';

/** Long ids (a hand-edited link) are cut for sentences; the full id stays in the page's data. */
export function shortId(id: string, max = 40): string {
  return id.length <= max ? id : `${id.slice(0, max - 1)}…`;
}

const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** Why a model could not be loaded, for a shopper. */
export function explainLoadError(error: unknown, online: boolean): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  let why: string;
  switch (code) {
    case 'BUNDLE_INTEGRITY':
    case 'BUNDLE_TRUNCATED':
      why = 'its files arrived damaged or incomplete';
      break;
    case 'BUNDLE_VERSION':
      why = 'it was made for a newer version of the recommender than this shop runs';
      break;
    case 'BUNDLE_FORMAT':
    case 'BUNDLE_SCHEMA':
    case 'BUNDLE_SHAPE':
    case 'BUNDLE_VALUE':
      why = 'its files do not describe a valid model';
      break;
    case 'BUNDLE_LOAD':
      why = online
        ? 'the server did not deliver it'
        : 'you are offline and it is not stored in this browser yet';
      break;
    default:
      why =
        (error as { name?: unknown } | null)?.name === 'BackendUnavailableError'
          ? 'this browser cannot run the engine it asks for'
          : 'of an unexpected error';
  }
  const recent = /not downloaded again/.test(message)
    ? ' It failed the same check a moment ago, so it is not downloaded again for an hour; Retry downloads it now.'
    : '';
  return `This model could not be loaded because ${why}.${recent}`;
}

/** A warning of the SDK in plain words. */
export function explainWarning(warning: RecommenderWarning): string {
  switch (warning.code) {
    case 'offline':
      return 'You are offline: recommendations come from the copy of the model stored in this browser.';
    case 'model-update-failed':
      return 'A newer version of this model failed its integrity check; the version stored in this browser is used.';
    case 'storage-fallback':
      return 'This browser cannot store the model (private window, blocked or full storage): it is downloaded again on every visit.';
    case 'webgpu-unavailable':
      return 'WebGPU is not available here: recommendations are computed on the CPU.';
    case 'device-lost':
      return 'The GPU stopped responding: recommendations continue on the CPU, your session is kept.';
    case 'engine-error':
      return 'The GPU engine failed: recommendations continue on the CPU.';
    case 'stored-copy-invalid':
      return 'The copy of the model stored in this browser was damaged, so it was downloaded again.';
    case 'unknown-item':
      return `Item ${shortId(warning.itemId ?? '?')} is not in this model's catalogue; the click was not counted.`;
    default:
      return warning.message;
  }
}
