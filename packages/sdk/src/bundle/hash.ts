// SHA-256 through Web Crypto: the same code in browsers (secure contexts) and Node ≥ 20.

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    // Browsers expose crypto.subtle only in secure contexts (https, http://localhost, http://127.0.0.1).
    throw new Error('crypto.subtle is unavailable: serve the page over https or from localhost');
  }
  const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  const out = new Uint8Array(digest);
  let hex = '';
  for (let i = 0; i < out.length; i++) hex += out[i].toString(16).padStart(2, '0');
  return hex;
}
