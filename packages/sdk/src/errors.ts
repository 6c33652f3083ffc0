// Errors of the public API that are not about the bundle's bytes (those are the codec's BundleError family):
// a caller passing a bad argument, using a disposed recommender, or asking for a backend this browser lacks.

/** Short, readable description of a bad value for an error message ("a string 'x'", "NaN", "an object"). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'function':
      return 'a function';
    default:
      return `an ${typeof value}`;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** TypeError for an option of `name` (e.g. "options.backend") that is not one of `expected`. */
export function invalidOption(name: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${describeValue(got)}`);
}

/** Rejects keys a caller probably misspelled (`excludeseen`), instead of silently ignoring them. */
export function rejectUnknownKeys(what: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(`${what} has no option '${key}' (known: ${known.join(', ')})`);
    }
  }
}

/** A method was called after `dispose()`. */
export class RecommenderDisposedError extends Error {
  readonly code = 'RECOMMENDER_DISPOSED';
  constructor(method: string) {
    super(`recommender.${method}() was called after dispose()`);
    this.name = 'RecommenderDisposedError';
  }
}

/** `backend: 'webgpu'` was requested, but this browser or machine cannot run the WebGPU engine. */
export class BackendUnavailableError extends Error {
  readonly code = 'BACKEND_UNAVAILABLE';
  readonly backend: string;
  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}
