// Dataset items are anonymous integers. A shopper needs something to look at, so every id gets a
// deterministic made-up identity (name, category, price, thumbnail colours) derived from a hash of the id:
// the same id always looks the same, on every page load and in every browser. Nothing here is real data.

export interface ItemIdentity {
  id: string;
  name: string;
  category: string;
  /** Price in cents, made up like the rest. */
  priceCents: number;
  /** Thumbnail: two hues of a gradient and a shape index (see thumbnail.ts). */
  hueA: number;
  hueB: number;
  shape: number;
}

const CATEGORIES: readonly { name: string; nouns: readonly string[] }[] = [
  { name: 'Home & Living', nouns: ['Lamp', 'Vase', 'Cushion', 'Throw', 'Candle', 'Clock', 'Mirror'] },
  { name: 'Kitchen', nouns: ['Kettle', 'Teapot', 'Skillet', 'Mug Set', 'Knife', 'Grinder', 'Bowl'] },
  { name: 'Fashion', nouns: ['Jacket', 'Scarf', 'Sneakers', 'Tote', 'Cardigan', 'Beanie', 'Dress'] },
  { name: 'Beauty', nouns: ['Serum', 'Balm', 'Face Mist', 'Lipstick', 'Cleanser', 'Hand Cream'] },
  { name: 'Electronics', nouns: ['Headphones', 'Speaker', 'Charger', 'Keyboard', 'Webcam', 'Power Bank'] },
  { name: 'Sports', nouns: ['Yoga Mat', 'Water Bottle', 'Dumbbell', 'Running Cap', 'Jump Rope'] },
  { name: 'Toys & Games', nouns: ['Puzzle', 'Board Game', 'Plush Bear', 'Kite', 'Building Set'] },
  { name: 'Garden', nouns: ['Planter', 'Watering Can', 'Seed Kit', 'Pruner', 'Lantern'] },
  { name: 'Stationery', nouns: ['Notebook', 'Fountain Pen', 'Planner', 'Desk Tray', 'Sketchbook'] },
  { name: 'Outdoor', nouns: ['Tent', 'Backpack', 'Camp Stove', 'Hammock', 'Headlamp'] },
  { name: 'Pets', nouns: ['Pet Bed', 'Leash', 'Feeder', 'Chew Toy', 'Grooming Brush'] },
  { name: 'Grocery', nouns: ['Coffee Beans', 'Green Tea', 'Olive Oil', 'Granola', 'Honey'] },
];

const ADJECTIVES = [
  'Cozy',
  'Classic',
  'Nordic',
  'Urban',
  'Vintage',
  'Compact',
  'Deluxe',
  'Everyday',
  'Minimal',
  'Bold',
  'Soft',
  'Bright',
  'Rustic',
  'Smart',
  'Modern',
  'Handmade',
  'Light',
  'Essential',
  'Premium',
  'Playful',
] as const;

const MATERIALS = [
  'Linen',
  'Oak',
  'Ceramic',
  'Cotton',
  'Steel',
  'Bamboo',
  'Wool',
  'Glass',
  'Leather',
  'Copper',
  'Velvet',
  'Walnut',
  'Stone',
  'Canvas',
  'Marble',
  'Cork',
] as const;

/** FNV-1a 32-bit: tiny, stable across platforms, good enough to spread ids over a few lists. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Successive independent-looking draws from one seed (xorshift32), so fields don't correlate. */
function draws(seed: number): () => number {
  let x = seed || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

function pick<T>(list: readonly T[], u: number): T {
  return list[Math.min(list.length - 1, Math.floor(u * list.length))];
}

/** A category from the model (catalog/categories.ts): its shown name and the name family it draws from. */
export interface ModelCategory {
  label: string;
  /** Index into the shop's name families (nouns), so that items of one category look alike. */
  family: number;
}

/** Names a model category: codebook code c → a name family and its "aisle" (the code, 1-based). */
export function modelCategory(
  source: 'codebook' | 'popularity-tier',
  index: number,
  tierEnds: readonly number[] = [],
): ModelCategory {
  if (source === 'codebook') {
    const family = index % CATEGORIES.length;
    return { label: `${CATEGORIES[family].name} · aisle ${index + 1}`, family };
  }
  const end = tierEnds[index];
  const label =
    end === undefined
      ? 'Long tail'
      : index === 0
        ? `Bestsellers (top ${end.toLocaleString('en-US')})`
        : `Popular (top ${end.toLocaleString('en-US')})`;
  return { label, family: -1 };
}

/** The made-up identity of an id; with a model category, the category (and name family) is the model's. */
export function itemIdentity(id: string, modelCat?: ModelCategory): ItemIdentity {
  const next = draws(hashString(id));
  const drawn = pick(CATEGORIES, next());
  const family = modelCat && modelCat.family >= 0 ? CATEGORIES[modelCat.family] : drawn;
  const category = { name: modelCat?.label ?? drawn.name, nouns: family.nouns };
  const name = `${pick(ADJECTIVES, next())} ${pick(MATERIALS, next())} ${pick(category.nouns, next())}`;
  // Prices cluster like a shop's: mostly 5–80, a few expensive ones, always ending in .99 or .49.
  const base = Math.round(5 + 75 * next() ** 2 + (next() < 0.1 ? 150 * next() : 0));
  const priceCents = base * 100 + (next() < 0.5 ? 99 : 49);
  const hueA = Math.floor(next() * 360);
  const hueB = (hueA + 30 + Math.floor(next() * 90)) % 360;
  return { id, name, category: category.name, priceCents, hueA, hueB, shape: Math.floor(next() * 5) };
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
