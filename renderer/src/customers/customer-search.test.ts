import { customerLookupKeys, type CustomerDoc } from '@pos/app';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTillDatabase, type TillDatabase } from '../db/index.ts';
import { findDuplicate, lookupPlans, lookupQuery, searchCustomers } from './customer-search.ts';

function customer(id: string, fields: Partial<CustomerDoc> & Pick<CustomerDoc, 'displayName'>): CustomerDoc {
  const at = '2026-11-01T09:00:00.000Z';
  return {
    id,
    ...fields,
    ...customerLookupKeys(fields),
    customerGroupIds: [],
    loyaltyPoints: fields.loyaltyPoints ?? 0,
    createdAt: at,
    updatedAt: at,
  };
}

describe('lookupPlans', () => {
  it.each([
    ['', []],
    ['  ', []],
    ['07', []],
    [
      '+41 79 555',
      [
        { field: 'phoneKey', prefix: '+4179555' },
        { field: 'cardKey', prefix: '4179555' },
      ],
    ],
    [
      '079-555',
      [
        { field: 'phoneKey', prefix: '079555' },
        { field: 'cardKey', prefix: '079555' },
      ],
    ],
    ['Alice@Example', [{ field: 'emailKey', prefix: 'alice@example' }]],
    [
      'Chen',
      [
        { field: 'nameKey', prefix: 'chen' },
        { field: 'emailKey', prefix: 'chen' },
      ],
    ],
    [
      'Alice Chen',
      [
        { field: 'nameKey', prefix: 'alice chen' },
        { field: 'nameKey', prefix: 'chen alice' },
      ],
    ],
    [
      'Müller',
      [
        { field: 'nameKey', prefix: 'muller' },
        { field: 'emailKey', prefix: 'müller' },
      ],
    ],
    [
      'LC-0042',
      [
        { field: 'nameKey', prefix: 'lc 0042' },
        { field: 'emailKey', prefix: 'lc-0042' },
        { field: 'cardKey', prefix: 'LC0042' },
      ],
    ],
    [
      '陈',
      [
        { field: 'nameKey', prefix: '陈' },
        { field: 'emailKey', prefix: '陈' },
      ],
    ],
  ])('%j → %j', (typed, plans) => {
    expect(lookupPlans(typed)).toEqual(plans);
  });
});

describe('searchCustomers', () => {
  let db: TillDatabase;

  beforeAll(async () => {
    db = await createTillDatabase({
      name: `customers-search-${Date.now()}`,
      indexedDb: { indexedDB, IDBKeyRange },
    });
    const smiths = Array.from({ length: 25 }, (_, i) =>
      customer(`smith-${String(i).padStart(2, '0')}`, {
        displayName: `Sam Smith ${String(i).padStart(2, '0')}`,
        firstName: `Sam ${String(i).padStart(2, '0')}`,
        lastName: 'Smith',
      }),
    );
    await db.customers.bulkInsert([
      customer('alice', {
        displayName: 'Alice Chen',
        firstName: 'Alice',
        lastName: 'Chen',
        phone: '+41 79 555 12 34',
        email: 'alice@example.com',
        cardNumber: 'LC-0042',
      }),
      customer('chen-bo', {
        displayName: 'Bo Chen',
        firstName: 'Bo',
        lastName: 'Chen',
        phone: '+41 79 888 00 00',
      }),
      customer('merged', {
        displayName: 'Alice Chen (old)',
        firstName: 'Alice',
        lastName: 'Chen',
        phone: '+41 79 555 99 99',
        mergedInto: 'alice',
      }),
      customer('card-only', { displayName: 'Card Holder', cardNumber: '41795550001' }),
      ...smiths,
    ]);
  });

  afterAll(async () => {
    await db.remove();
  });

  const ids = (found: readonly CustomerDoc[]) => found.map((c) => c.id);

  it.each([
    ['+41 79 555', ['alice', 'card-only']],
    // Phone matches first, then loyalty cards whose number starts with the same digits.
    ['+41 79', ['alice', 'chen-bo', 'card-only']],
    // Surname first, then first name: "chen alice" sorts before "chen bo".
    ['chen', ['alice', 'chen-bo']],
    ['Alice Chen', ['alice']],
    ['chen al', ['alice']],
    ['alice@ex', ['alice']],
    ['lc-0042', ['alice']],
    ['nobody', []],
  ])('finds %j: %j', async (typed, expected) => {
    expect(ids(await searchCustomers(db, typed))).toEqual(expected);
  });

  it('returns the first 20 by name key and no more', async () => {
    const found = await searchCustomers(db, 'smith');
    expect(found).toHaveLength(20);
    expect(found[0]?.id).toBe('smith-00');
    expect(found[19]?.id).toBe('smith-19');
  });

  it.each(['+41 79 555', 'chen', 'Alice Chen', 'alice@ex', 'LC-0042'])(
    'answers %j from an index range, never a scan of the collection',
    (typed) => {
      for (const plan of lookupPlans(typed)) {
        const { queryPlan } = db.customers.find(lookupQuery(plan)).getPreparedQuery();
        expect(queryPlan.index).toContain(plan.field);
        expect(queryPlan.selectorSatisfiedByIndex).toBe(true);
        expect(queryPlan.sortSatisfiedByIndex).toBe(true);
      }
    },
  );

  it('finds an existing profile by the same phone, email or card', async () => {
    const keys = customerLookupKeys({ displayName: 'x', phone: '+41795551234' });
    expect(await findDuplicate(db, keys)).toMatchObject({ field: 'phone', customer: { id: 'alice' } });
    const card = customerLookupKeys({ displayName: 'x', cardNumber: 'lc 0042' });
    expect(await findDuplicate(db, card)).toMatchObject({ field: 'card', customer: { id: 'alice' } });
    const fresh = customerLookupKeys({ displayName: 'x', phone: '+41 79 000 00 00' });
    expect(await findDuplicate(db, fresh)).toBeNull();
  });
});
