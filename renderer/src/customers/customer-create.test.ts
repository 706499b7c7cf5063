import type { CommandInput } from '@pos/app/contracts/desktop-bridge';
import { IDBKeyRange, indexedDB } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxEventFromEntry } from '../checkout/outbox.ts';
import { createTillDatabase, type TillDatabase } from '../db/index.ts';
import { createDesktop } from '../platform/desktop.ts';
import { createSessionStore } from '../staff/session-store.ts';
import {
  buildNewCustomer,
  createCustomer,
  displayNameFor,
  EMPTY_NEW_CUSTOMER,
  validateNewCustomer,
  type NewCustomerInput,
} from './customer-create.ts';
import type { DesktopBridge } from '@pos/app/contracts/desktop-bridge';

const open: TillDatabase[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.remove();
});

async function database(): Promise<TillDatabase> {
  const db = await createTillDatabase({
    name: `customer-create-${Date.now()}-${open.length}`,
    indexedDb: { indexedDB, IDBKeyRange },
  });
  open.push(db);
  return db;
}

/** Just the journal of main: appends numbered from 7, and its status. */
function journalBridge(appended: CommandInput<'journal.append'>[]): DesktopBridge {
  const entries: unknown[] = [];
  const bridge = {
    'journal.append': (input: CommandInput<'journal.append'>) => {
      appended.push(input);
      const entry = {
        sequence: 7 + entries.length,
        eventId: input.eventId,
        type: input.type,
        payload: input.payload,
        deviceId: 'till/3',
        recordedAt: '2026-11-23T10:00:00.000Z',
        prevHash: '0'.repeat(64),
        hash: '1'.repeat(64),
      };
      entries.push(entry);
      return Promise.resolve({ ok: true, value: entry });
    },
    'journal.status': () =>
      Promise.resolve({
        ok: true,
        value: {
          deviceId: 'till/3',
          firstSequence: 1,
          lastSequence: 6,
          appendsBlocked: false,
          unacknowledgedFindings: 0,
        },
      }),
    on: () => () => undefined,
  };
  return bridge as unknown as DesktopBridge;
}

describe('validateNewCustomer', () => {
  it.each<[string, Partial<NewCustomerInput>, object]>([
    ['a last name is enough', { lastName: 'Brun' }, {}],
    ['no name', { phone: '+41 76 222 33 44' }, { name: 'name_required' }],
    ['a short phone', { lastName: 'Brun', phone: '12 34' }, { phone: 'phone_invalid' }],
    ['letters in the phone', { lastName: 'Brun', phone: '079 CALL ME' }, { phone: 'phone_invalid' }],
    ['an email without domain', { lastName: 'Brun', email: 'lena@brun' }, { email: 'email_invalid' }],
    [
      'email offers without email',
      { lastName: 'Brun', emailConsent: true },
      { email: 'consent_without_email' },
    ],
    ['texts without phone', { lastName: 'Brun', smsConsent: true }, { phone: 'consent_without_phone' }],
    ['a card with a slash', { lastName: 'Brun', cardNumber: 'LC/42' }, { cardNumber: 'card_invalid' }],
  ])('%s', (_name, input, problems) => {
    expect(validateNewCustomer({ ...EMPTY_NEW_CUSTOMER, ...input })).toEqual(problems);
  });
});

describe('displayNameFor', () => {
  it.each([
    ['Lena', 'Brun', 'en-GB', 'Lena Brun'],
    ['', 'Brun', 'en-GB', 'Brun'],
    ['小明', '陈', 'zh-CN', '陈小明'],
    ['Lena', 'Brun', 'zh-CN', 'BrunLena'],
  ])('%s %s in %s → %s', (first, last, locale, name) => {
    expect(displayNameFor(first, last, locale)).toBe(name);
  });
});

describe('createCustomer', () => {
  it('without a sync device id, events carry the journal’s device id, and the entry rebuilds the outbox event', async () => {
    const db = await database();
    const appended: CommandInput<'journal.append'>[] = [];
    const desktop = createDesktop(journalBridge(appended));
    let ids = 0;
    const result = await createCustomer(
      {
        db,
        desktop,
        settings: {
          tillName: 'Till 3',
          storeId: 'store-1',
          locale: 'en-GB',
          syncServerOrigin: null,
          syncDeviceId: null,
          receiptCopies: 1,
          customerDisplayEnabled: false,
          idleLockSeconds: 120,
        },
        now: () => new Date('2026-11-23T10:00:00.000Z'),
        newId: () => `0193a000-0000-7000-8000-${String(++ids).padStart(12, '0')}`,
        locale: 'en-GB',
        session: createSessionStore({
          session: { staffId: 'alice', role: 'cashier', signedInAt: '2026-11-23T08:00:00.000Z' },
          staffName: 'Alice Chen',
        }),
      },
      { ...EMPTY_NEW_CUSTOMER, lastName: 'Brun', cardNumber: 'LC 0042', postConsent: true },
    );
    expect(result).toMatchObject({ kind: 'created', signupRecorded: true });
    const [event] = (await db.events.find().exec()).map((doc) => doc.toJSON());
    expect(event).toEqual({
      eventId: '0193a000-0000-7000-8000-000000000002',
      type: 'customer.signup',
      schemaVersion: 1,
      storeId: 'store-1',
      deviceId: 'till-3',
      deviceSeq: 7,
      occurredAt: '2026-11-23T10:00:00.000Z',
      payload: {
        customerId: '0193a000-0000-7000-8000-000000000001',
        storeId: 'store-1',
        signedUpBy: 'alice',
        emailConsent: false,
        smsConsent: false,
        postConsent: true,
        cardNumber: 'LC 0042',
      },
    });
    // What checkout/outbox.ts restores from the journal after a start is the same event.
    const input = appended[0]!;
    const restored = outboxEventFromEntry({
      sequence: 7,
      eventId: input.eventId,
      type: input.type,
      payload: input.payload as never,
      deviceId: 'till/3',
      recordedAt: '2026-11-23T10:00:00.000Z',
      prevHash: '0'.repeat(64),
      hash: '1'.repeat(64),
    });
    expect(restored).toEqual(event);
  });

  it('creates the profile without a sign-up event on a till with no store', async () => {
    const db = await database();
    const appended: CommandInput<'journal.append'>[] = [];
    const result = await createCustomer(
      {
        db,
        desktop: createDesktop(journalBridge(appended)),
        settings: {
          tillName: 'Till 3',
          storeId: null,
          locale: 'en-GB',
          syncServerOrigin: null,
          syncDeviceId: null,
          receiptCopies: 1,
          customerDisplayEnabled: false,
          idleLockSeconds: 120,
        },
        now: () => new Date('2026-11-23T10:00:00.000Z'),
        newId: () => '0193a000-0000-7000-8000-000000000009',
        locale: 'en-GB',
        session: createSessionStore(),
      },
      { ...EMPTY_NEW_CUSTOMER, firstName: 'Lena' },
    );
    expect(result).toMatchObject({
      kind: 'created',
      signupRecorded: false,
      customer: { displayName: 'Lena' },
    });
    expect(appended).toEqual([]);
    expect(await db.customers.count().exec()).toBe(1);
  });

  it('builds the lookup keys the search uses', () => {
    const customer = buildNewCustomer(
      {
        ...EMPTY_NEW_CUSTOMER,
        firstName: ' Åsa ',
        lastName: 'Öberg',
        phone: '+46 (70) 123-45-67',
        email: ' Asa@Example.SE ',
      },
      { id: 'c1', at: '2026-11-23T10:00:00.000Z', storeId: 'store-1', locale: 'sv-SE' },
    );
    expect(customer).toMatchObject({
      displayName: 'Åsa Öberg',
      firstName: 'Åsa',
      nameKey: 'oberg asa',
      phoneKey: '+46701234567',
      email: 'Asa@Example.SE',
      emailKey: 'asa@example.se',
      cardKey: '',
      homeStoreId: 'store-1',
    });
  });
});
