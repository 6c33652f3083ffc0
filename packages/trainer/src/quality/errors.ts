/** A bad input to `pnpm quality` (missing bundle, corrupt manifest, unreadable candidates file): one line. */
export class QualityInputError extends Error {
  override name = 'QualityInputError';
}
