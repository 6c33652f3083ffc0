// A model is named by the URL of its bundle folder (or of its manifest.json). Both spellings, relative or
// absolute, map to one canonical folder URL: the storage key and the session key.
import { invalidOption } from '../errors.ts';
import { MANIFEST_FILE } from '../bundle/types.ts';

export interface ModelUrl {
  /** Absolute folder URL ending in '/': files are resolved against it. */
  baseUrl: string;
  manifestUrl: string;
}

export function resolveModelUrl(model: string | URL, name = 'options.model'): ModelUrl {
  if (!(typeof model === 'string' || model instanceof URL) || String(model).trim() === '') {
    throw invalidOption(name, 'the URL of a model bundle folder (a non-empty string or URL)', model);
  }
  let url: URL;
  try {
    url = new URL(String(model), globalThis.location?.href);
  } catch (cause) {
    throw new TypeError(`${name} is not a valid URL: ${String(model)}`, { cause });
  }
  url.hash = '';
  url.search = '';
  if (url.pathname.endsWith(`/${MANIFEST_FILE}`)) url.pathname = url.pathname.slice(0, -MANIFEST_FILE.length);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  const baseUrl = url.href;
  return { baseUrl, manifestUrl: new URL(MANIFEST_FILE, baseUrl).href };
}
