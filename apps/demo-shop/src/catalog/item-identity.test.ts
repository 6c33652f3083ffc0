import { describe, expect, it } from 'vitest';
import { formatPrice, hashString, itemIdentity } from './item-identity.ts';

describe('itemIdentity', () => {
  it('is deterministic per id', () => {
    expect(itemIdentity('12345')).toEqual(itemIdentity('12345'));
  });

  it('gives neighbouring ids different identities and spreads them over the categories', () => {
    const items = Array.from({ length: 2000 }, (_, i) => itemIdentity(String(i + 1)));
    expect(new Set(items.map((item) => item.name)).size).toBeGreaterThan(1500);
    const perCategory = new Map<string, number>();
    for (const item of items) perCategory.set(item.category, (perCategory.get(item.category) ?? 0) + 1);
    expect(perCategory.size).toBe(12);
    // Roughly uniform: no category gets more than twice its share.
    for (const count of perCategory.values()) expect(count).toBeLessThan((2 * 2000) / 12);
  });

  it('produces valid prices and hues', () => {
    for (let i = 1; i <= 500; i++) {
      const item = itemIdentity(`sku-${i}`);
      expect(item.priceCents).toBeGreaterThan(0);
      expect([49, 99]).toContain(item.priceCents % 100);
      expect(item.hueA).toBeGreaterThanOrEqual(0);
      expect(item.hueA).toBeLessThan(360);
      expect(item.shape).toBeGreaterThanOrEqual(0);
      expect(item.shape).toBeLessThan(5);
    }
  });

  it('hashString is FNV-1a', () => {
    // Reference values of 32-bit FNV-1a.
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
    expect(hashString('foobar')).toBe(0xbf9cf968);
  });

  it('formats prices', () => {
    expect(formatPrice(1999)).toBe('$19.99');
    expect(formatPrice(549)).toBe('$5.49');
  });
});
