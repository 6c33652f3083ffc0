// Downloads one bundle file, counting bytes as they arrive (for progress), and rejecting what is certainly
// not the file: an HTTP error, or an HTML page — dev servers (Vite) answer a missing file with their
// index.html and status 200, which must never be taken for a model file.
import { BundleIntegrityError, BundleLoadError } from '../bundle/errors.ts';

export interface DownloadOptions {
  fetch: typeof globalThis.fetch;
  /** The file's name in the bundle, for error messages. */
  file: string;
  signal?: AbortSignal;
  /** 'no-cache' revalidates with the server (ETag / Last-Modified), so an unchanged file costs a 304. */
  cache?: RequestCache;
  /** Declared length: a longer body is cut off early (it cannot be the file). */
  maxBytes?: number;
  onBytes?: (received: number) => void;
}

export async function downloadFile(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const { file } = options;
  let response: Response;
  try {
    response = await options.fetch(url, { signal: options.signal, cache: options.cache ?? 'default' });
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason ?? cause;
    throw new BundleLoadError(`${file}: request to ${url} failed (offline or blocked): ${String(cause)}`, {
      file,
      cause,
    });
  }
  if (!response.ok) {
    throw new BundleLoadError(
      `${file}: ${url} answered HTTP ${response.status} ${response.statusText}`.trim(),
      {
        file,
      },
    );
  }
  const type = response.headers.get('content-type') ?? '';
  if (/^\s*text\/html/i.test(type)) {
    await response.body?.cancel().catch(() => undefined);
    throw new BundleLoadError(
      `${file}: ${url} answered an HTML page (status ${response.status}, content-type ${type}): the file is ` +
        'probably missing and the server sent its fallback page instead',
      { file },
    );
  }
  return readBody(response, options);
}

async function readBody(response: Response, options: DownloadOptions): Promise<Uint8Array> {
  const { file, maxBytes } = options;
  const reader = response.body?.getReader();
  if (!reader) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    options.onBytes?.(bytes.byteLength);
    return bytes;
  }
  const declared = Number(response.headers.get('content-length'));
  // Content-Length is the transfer size (it can be compressed), so it only sizes the first buffer.
  let buffer = new Uint8Array(Number.isFinite(declared) && declared > 0 ? declared : (maxBytes ?? 64 * 1024));
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (maxBytes !== undefined && received + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BundleIntegrityError(
        `${file}: the server sent more than the ${maxBytes} bytes the manifest declares`,
        {
          file,
        },
      );
    }
    if (received + value.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(buffer.byteLength * 2, received + value.byteLength));
      grown.set(buffer.subarray(0, received));
      buffer = grown;
    }
    buffer.set(value, received);
    received += value.byteLength;
    options.onBytes?.(received);
  }
  return received === buffer.byteLength ? buffer : buffer.slice(0, received);
}
