import { describe, expect, it } from 'vitest';
import { customerConflictHandler, customersEqual, jsonEqual, mergeCustomer } from './customer-merge.ts';

type Doc = Record<string, unknown>;

const base: Doc = {
  id: 'C1',
  displayName: 'Ann Lee',
  firstName: 'Ann',
  lastName: 'Lee',
  nameKey: 'lee ann',
  phone: '+44 20 7946 0000',
  phoneKey: '+442079460000',
  emailKey: '',
  cardKey: '',
  customerGroupIds: [],
  loyaltyPoints: 100,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:00:00.000Z',
  _deleted: false,
};

const edit = (patch: Doc, drop: string[] = []): Doc => {
  const doc: Doc = { ...base, ...patch };
  return Object.fromEntries(Object.entries(doc).filter(([k]) => !drop.includes(k)));
};

describe('mergeCustomer (three-way, base = assumed master state)', () => {
  it.each<[string, Doc, Doc, Doc]>([
    [
      'till changed the phone, server changed the e-mail: both kept, keys follow',
      edit({ phone: '0161 496 0000', phoneKey: '01614960000', updatedAt: '2026-11-02T09:00:00.000Z' }),
      edit({ email: 'Ann@Example.org', emailKey: 'ann@example.org', updatedAt: '2026-11-02T08:00:00.000Z' }),
      edit({
        phone: '0161 496 0000',
        phoneKey: '01614960000',
        email: 'Ann@Example.org',
        emailKey: 'ann@example.org',
        updatedAt: '2026-11-02T09:00:00.000Z',
      }),
    ],
    [
      'both changed the same field: the till changed it, so the till wins',
      edit({ displayName: 'Annie Lee' }),
      edit({ displayName: 'A. Lee' }),
      edit({ displayName: 'Annie Lee' }),
    ],
    [
      'loyalty is server-owned even when the till changed it',
      edit({ loyaltyPoints: 5_000, loyaltyTier: 'gold' }),
      edit({ loyaltyPoints: 180, loyaltyAsOf: '2026-11-02T08:00:00.000Z' }),
      edit({ loyaltyPoints: 180, loyaltyAsOf: '2026-11-02T08:00:00.000Z' }),
    ],
    [
      'HQ merged the profile away: mergedInto comes from the server',
      edit({ displayName: 'Ann B. Lee' }),
      edit({ mergedInto: 'C9' }),
      edit({ displayName: 'Ann B. Lee', mergedInto: 'C9' }),
    ],
    [
      'till removed the phone, server left it: the removal stands',
      edit({ phoneKey: '' }, ['phone']),
      edit({ customerGroupIds: ['VIP'] }),
      edit({ phoneKey: '', customerGroupIds: ['VIP'] }, ['phone']),
    ],
    [
      'server removed the phone the till did not touch: removed',
      edit({ displayName: 'Ann' }),
      edit({ phoneKey: '' }, ['phone']),
      edit({ displayName: 'Ann', phoneKey: '' }, ['phone']),
    ],
    [
      'till changed first name, server changed last name: the name key joins both',
      edit({ firstName: 'Anna', nameKey: 'lee anna' }),
      edit({ lastName: 'Lee-Smith', nameKey: 'lee smith ann' }),
      edit({ firstName: 'Anna', lastName: 'Lee-Smith', nameKey: 'lee smith anna' }),
    ],
    [
      'consent objects are atomic fields: the till granted e-mail, the server sms',
      edit({ emailConsent: { granted: true, at: '2026-11-02T09:00:00Z' } }),
      edit({ smsConsent: { granted: false, at: '2026-11-02T08:00:00Z' } }),
      edit({
        emailConsent: { granted: true, at: '2026-11-02T09:00:00Z' },
        smsConsent: { granted: false, at: '2026-11-02T08:00:00Z' },
      }),
    ],
    [
      'server deleted, till edited something else: deleted',
      edit({ displayName: 'Ann' }),
      edit({ _deleted: true }),
      edit({ displayName: 'Ann', _deleted: true }),
    ],
    [
      'till deleted, server edited something else: deleted with the server edit',
      edit({ _deleted: true }),
      edit({ customerGroupIds: ['VIP'] }),
      edit({ customerGroupIds: ['VIP'], _deleted: true }),
    ],
    [
      'the till changed nothing: the server copy',
      edit({}),
      edit({ displayName: 'Dr Ann Lee', loyaltyPoints: 7 }),
      edit({ displayName: 'Dr Ann Lee', loyaltyPoints: 7 }),
    ],
  ])('%s', (_name, till, server, expected) => {
    expect(mergeCustomer({ base, server, till })).toEqual(expected);
  });

  it('without a base the server copy stands and the till only fills fields the server lacks', () => {
    const till = edit({ displayName: 'Annie', email: 'a@b.org', emailKey: 'a@b.org', loyaltyPoints: 1 });
    const server = edit({ displayName: 'Ann Lee', loyaltyPoints: 0 });
    expect(mergeCustomer({ base: undefined, server, till })).toEqual(
      edit({ displayName: 'Ann Lee', email: 'a@b.org', emailKey: 'a@b.org', loyaltyPoints: 0 }),
    );
  });

  it('drops RxDB metadata from the result (RxDB sets it for the fork)', () => {
    const till = { ...edit({ displayName: 'X' }), _rev: '2-a', _meta: { lwt: 1 }, _attachments: {} };
    const server = { ...base, _rev: '5-b', _meta: { lwt: 2 } };
    expect(mergeCustomer({ base, server, till })).toEqual(edit({ displayName: 'X', nameKey: 'lee ann' }));
  });

  it('the RxDB conflict handler resolves with the merge and compares without metadata', async () => {
    const resolved = await customerConflictHandler.resolve(
      {
        assumedMasterState: base as never,
        realMasterState: edit({ loyaltyPoints: 300 }) as never,
        newDocumentState: edit({ displayName: 'Ann L.' }) as never,
      },
      'test',
    );
    expect(resolved).toEqual(edit({ displayName: 'Ann L.', loyaltyPoints: 300 }));
    expect(
      customerConflictHandler.isEqual(
        { ...base, _rev: '1-a' } as never,
        { ...base, _rev: '9-z' } as never,
        'test',
      ),
    ).toBe(true);
    expect(
      customerConflictHandler.isEqual(base as never, edit({ loyaltyPoints: 101 }) as never, 'test'),
    ).toBe(false);
  });
});

describe('jsonEqual', () => {
  it.each<[unknown, unknown, boolean]>([
    [{ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: null }, false],
    [[1, 2], [2, 1], false],
    [[], {}, false],
    ['1', 1, false],
    [null, null, true],
    [undefined, null, false],
  ])('%o vs %o → %s', (a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
    expect(jsonEqual(b, a)).toBe(expected);
  });

  it('customersEqual ignores _rev/_meta/_attachments only', () => {
    expect(customersEqual({ ...base, _meta: { lwt: 1 } }, base)).toBe(true);
    expect(customersEqual({ ...base, _deleted: true }, base)).toBe(false);
  });
});
