import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEARCH_KEY_MAX_LENGTH } from './common.ts';
import {
  cardKey,
  customerNameKey,
  emailKey,
  phoneKey,
  prefixRange,
  searchKey,
  skuKey,
} from './search-keys.ts';

describe('searchKey', () => {
  it.each([
    ['Crème Brûlée 250g', 'creme brulee 250g'],
    ['  Coca-Cola   Zero 0,5 l ', 'coca cola zero 0 5 l'],
    ['Straße', 'strasse'],
    ['İSTANBUL Simit', 'istanbul simit'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['Ǆemal', 'dzemal'],
    ['ﬁne ½ price', 'fine 1 2 price'],
    ['Øl & Æble', 'øl æble'],
    ['日本茶 500ml', '日本茶 500ml'],
    ['---', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(searchKey(input)).toBe(expected);
  });

  it('truncates to the index length without splitting a surrogate pair', () => {
    const name = `${'a'.repeat(SEARCH_KEY_MAX_LENGTH - 1)}𠀀b`;
    expect(searchKey(name)).toBe('a'.repeat(SEARCH_KEY_MAX_LENGTH - 1));
    expect(searchKey('x'.repeat(500))).toHaveLength(SEARCH_KEY_MAX_LENGTH);
  });

  const text = fc.string({ unit: 'grapheme', maxLength: 40 });

  it('is idempotent, bounded and trimmed', () => {
    fc.assert(
      fc.property(text, (name) => {
        const key = searchKey(name);
        expect(searchKey(key)).toBe(key);
        expect(key.length).toBeLessThanOrEqual(SEARCH_KEY_MAX_LENGTH);
        expect(key).toBe(key.trim());
        expect(key).not.toMatch(/ {2}/u);
      }),
    );
  });

  it('turns what a cashier typed first into a prefix of the name’s key', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }), { maxLength: 30 }),
        fc.nat(),
        (graphemes, cut) => {
          const name = graphemes.join('');
          const typed = graphemes.slice(0, cut % (graphemes.length + 1)).join('');
          expect(searchKey(name).startsWith(searchKey(typed))).toBe(true);
        },
      ),
    );
  });

  it('gives a range that holds exactly the keys starting with the prefix', () => {
    const { $gte, $lt } = prefixRange('vollm');
    const inRange = (key: string) => key >= $gte && key < $lt;
    expect(['vollm', 'vollmilch 1 l', 'vollmilch 日本'].every(inRange)).toBe(true);
    expect(['vollk', 'voll', 'vollmz'.slice(0, 4), 'vollna', 'w'].some(inRange)).toBe(false);
  });
});

describe('lookup keys', () => {
  it.each([
    [skuKey, ' ab-12 / 3 ', 'AB-12/3'],
    [phoneKey, '+41 (79) 123-45-67', '+41791234567'],
    [phoneKey, '079 123 45 67', '0791234567'],
    [phoneKey, 'n/a', ''],
    [emailKey, '  Juerg.Mueller@Example.CH ', 'juerg.mueller@example.ch'],
    [cardKey, '9012 3456-7890 ab', '901234567890AB'],
  ])('%o(%j) → %j', (fn, input, expected) => {
    expect(fn(input)).toBe(expected);
  });

  it.each([
    [{ displayName: 'Jürg Müller', firstName: 'Jürg', lastName: 'Müller' }, 'muller jurg'],
    [{ displayName: 'Café Central AG' }, 'cafe central ag'],
    [{ displayName: 'Anna', lastName: '  ' }, 'anna'],
    [{ displayName: 'Li', lastName: 'Wang' }, 'wang'],
  ])('customer %j is found by %j', (customer, expected) => {
    expect(customerNameKey(customer)).toBe(expected);
  });
});
