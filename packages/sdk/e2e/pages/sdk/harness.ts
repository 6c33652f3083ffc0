// Test harness for packages/sdk/e2e: exposes the public SDK on `window.sdk` so that Playwright drives
// exactly what a shop imports, in real Chromium with real IndexedDB and sessionStorage.
import * as sdk from '@session-rec/sdk';

export type Sdk = typeof sdk;

declare global {
  interface Window {
    sdk: Sdk;
    rec?: sdk.Recommender;
  }
}

window.sdk = sdk;
document.querySelector('#status')!.textContent = 'ready';
