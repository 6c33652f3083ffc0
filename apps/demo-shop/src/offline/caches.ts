// Names shared by the service worker's runtime caches (vite.config.ts) and the page (main.ts), which
// writes its first visit's answers into the same caches: on a first visit the page is not controlled by
// the service worker yet, and without that copy an offline reload would have no model list.
// Patterns are RegExps, not functions: workbox copies them into sw.js as source text.
export const MODELS_INDEX_URL = '/models/index.json';
export const MODELS_INDEX_CACHE = 'shop-models-index';
export const MODELS_INDEX_PATTERN = /\/models\/index\.json(?:\?.*)?$/;
export const CATEGORIES_CACHE = 'shop-item-categories';
/** `/models/<bundle id>/categories.json` (catalog/categories.ts). */
export const CATEGORIES_PATTERN = /\/models\/[^/?]+\/categories\.json(?:\?.*)?$/;
