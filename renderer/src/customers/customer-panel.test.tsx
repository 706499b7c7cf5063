import { customerLookupKeys, type CustomerDoc } from '@pos/app';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TillDatabase } from '../db/index.ts';
import {
  createFakeBridge,
  createTestDatabase,
  ok,
  refused,
  removeTestDatabases,
  renderTill,
  type FakeBridge,
} from '../staff/fake-till.test-helper.tsx';
import { createSessionStore } from '../staff/session-store.ts';
import { CustomerPanel } from './customer-panel.tsx';

const ALICE_STAFF: StaffSession = {
  staffId: 'alice',
  role: 'cashier',
  signedInAt: '2026-11-23T08:00:00.000Z',
};

function customer(id: string, fields: Partial<CustomerDoc> & Pick<CustomerDoc, 'displayName'>): CustomerDoc {
  return {
    id,
    ...fields,
    ...customerLookupKeys(fields),
    customerGroupIds: [],
    loyaltyPoints: fields.loyaltyPoints ?? 0,
    createdAt: '2026-10-01T09:00:00.000Z',
    updatedAt: '2026-10-01T09:00:00.000Z',
  };
}

/** The sale screen's side of the panel: it keeps the selected id. */
function Host(props: { readonly onSelect: (customer: CustomerDoc | null) => void }): ReactElement {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  return (
    <CustomerPanel
      selectedId={selectedId}
      onSelect={(picked) => {
        props.onSelect(picked);
        setSelectedId(picked?.id ?? null);
      }}
    />
  );
}

let db: TillDatabase;
let fake: FakeBridge;
let sequence: number;

beforeEach(async () => {
  db = await createTestDatabase();
  await db.customers.bulkInsert([
    customer('cust-mia', {
      displayName: 'Mia Keller',
      firstName: 'Mia',
      lastName: 'Keller',
      phone: '+41 79 555 12 34',
      email: 'mia@example.ch',
      loyaltyPoints: 1250,
      loyaltyTier: 'Gold',
      loyaltyAsOf: '2026-11-22T18:30:00.000Z',
    }),
    customer('cust-tom', {
      displayName: 'Tom Keller',
      firstName: 'Tom',
      lastName: 'Keller',
      phone: '+41 78 111 22 33',
    }),
  ]);
  fake = createFakeBridge();
  sequence = 40;
  fake.handle('journal.append', (input) => {
    sequence += 1;
    return Promise.resolve(
      ok({
        sequence,
        eventId: input.eventId,
        type: input.type,
        payload: null,
        deviceId: 'journal-device',
        recordedAt: '2026-11-23T10:00:00.000Z',
        prevHash: '0'.repeat(64),
        hash: '1'.repeat(64),
      }),
    );
  });
});

afterEach(async () => {
  await removeTestDatabases();
});

const signedIn = () => createSessionStore({ session: ALICE_STAFF, staffName: 'Alice Chen' });

describe('CustomerPanel', () => {
  it('finds a customer by the start of their phone number and shows their loyalty', async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    await renderTill(<Host onSelect={onSelect} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.type(screen.getByLabelText('Find a customer'), '+41 79 555');
    const results = await screen.findByRole('list', { name: 'Customers found' });
    const rows = within(results).getAllByRole('button');
    expect(rows.map((row) => row.textContent)).toEqual(['Mia Keller+41 79 555 12 34 · mia@example.chGold']);

    await user.click(rows[0]!);
    expect(onSelect).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'cust-mia', displayName: 'Mia Keller' }),
    );
    const selected = await screen.findByRole('group', { name: 'Customer on this sale' });
    await waitFor(() => {
      expect(within(selected).getByText('1,250')).toBeTruthy();
    });
    expect(within(selected).getByText('Gold')).toBeTruthy();
    expect(within(selected).getByText('Mia Keller')).toBeTruthy();
    expect(within(selected).getByText('22 Nov 2026, 19:30')).toBeTruthy();
  });

  it('lists every Keller by surname and picks the first with Enter', async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    await renderTill(<Host onSelect={onSelect} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.type(screen.getByLabelText('Find a customer'), 'kel');
    const results = await screen.findByRole('list', { name: 'Customers found' });
    expect(
      within(results)
        .getAllByRole('button')
        .map((row) => row.querySelector('.cust-result__name')?.textContent),
    ).toEqual(['Mia Keller', 'Tom Keller']);
    await user.keyboard('{Enter}');
    expect(onSelect).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'cust-mia' }));
  });

  it('says when nobody matches', async () => {
    const user = userEvent.setup();
    await renderTill(<Host onSelect={vi.fn()} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.type(screen.getByLabelText('Find a customer'), 'zz');
    expect(
      await screen.findByText('No customer found. Check the spelling or add a new customer.'),
    ).toBeTruthy();
  });

  it('creates a customer offline: profile in the collection, sign-up journaled then queued', async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    await renderTill(<Host onSelect={onSelect} />, {
      db,
      desktop: fake.desktop,
      session: signedIn(),
      sync: null,
    });
    await user.type(screen.getByLabelText('Find a customer'), 'Lena Brun');
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    expect(screen.getByLabelText<HTMLInputElement>('First name').value).toBe('Lena');
    expect(screen.getByLabelText<HTMLInputElement>('Last name').value).toBe('Brun');
    await user.type(screen.getByLabelText('Phone'), '+41 76 222 33 44');
    await user.type(screen.getByLabelText('Email'), 'Lena@Example.ch');
    await user.click(screen.getByRole('checkbox', { name: 'Offers by email' }));
    await user.click(screen.getByRole('button', { name: 'Save customer' }));

    expect(await screen.findByText('Lena Brun is signed up and on this sale.')).toBeTruthy();
    const saved = await db.customers.findOne('0193a000-0000-7000-8000-000000000001').exec();
    expect(saved!.toJSON()).toEqual({
      id: '0193a000-0000-7000-8000-000000000001',
      displayName: 'Lena Brun',
      firstName: 'Lena',
      lastName: 'Brun',
      nameKey: 'brun lena',
      phone: '+41 76 222 33 44',
      phoneKey: '+41762223344',
      email: 'Lena@Example.ch',
      emailKey: 'lena@example.ch',
      cardKey: '',
      customerGroupIds: [],
      emailConsent: { granted: true, at: '2026-11-23T10:00:00.000Z' },
      smsConsent: { granted: false, at: '2026-11-23T10:00:00.000Z' },
      postConsent: { granted: false, at: '2026-11-23T10:00:00.000Z' },
      loyaltyPoints: 0,
      homeStoreId: 'store-1',
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
    });

    const payload = {
      customerId: '0193a000-0000-7000-8000-000000000001',
      storeId: 'store-1',
      signedUpBy: 'alice',
      emailConsent: true,
      smsConsent: false,
      postConsent: false,
    };
    // The journal entry carries the whole envelope, so the outbox can be refilled from it on start.
    expect(fake.calls.filter((call) => call.command === 'journal.append').map((call) => call.input)).toEqual([
      {
        eventId: '0193a000-0000-7000-8000-000000000002',
        type: 'customer.signup',
        payload: {
          schemaVersion: 1,
          storeId: 'store-1',
          deviceId: 'device-7',
          occurredAt: '2026-11-23T10:00:00.000Z',
          payload,
        },
      },
    ]);
    const events = await db.events.find().exec();
    expect(events.map((event) => event.toJSON())).toEqual([
      {
        eventId: '0193a000-0000-7000-8000-000000000002',
        type: 'customer.signup',
        schemaVersion: 1,
        storeId: 'store-1',
        deviceId: 'device-7',
        deviceSeq: 41,
        occurredAt: '2026-11-23T10:00:00.000Z',
        payload,
      },
    ]);
    expect(onSelect).toHaveBeenLastCalledWith(
      expect.objectContaining({ id: '0193a000-0000-7000-8000-000000000001' }),
    );
    expect(await screen.findByRole('group', { name: 'Customer on this sale' })).toBeTruthy();

    // Found like anyone else afterwards.
    await user.click(screen.getByRole('button', { name: 'Remove customer' }));
    await user.type(screen.getByLabelText('Find a customer'), 'brun');
    expect(await screen.findByText('Lena Brun')).toBeTruthy();
  });

  it('writes Chinese names surname first without a space', async () => {
    const user = userEvent.setup();
    await renderTill(<Host onSelect={vi.fn()} />, {
      db,
      desktop: fake.desktop,
      session: signedIn(),
      locale: 'zh-CN',
    });
    await user.click(screen.getByRole('button', { name: '新顾客' }));
    await user.type(screen.getByLabelText('姓'), '陈');
    await user.type(screen.getByLabelText('名'), '小明');
    await user.click(screen.getByRole('button', { name: '保存顾客' }));
    expect(await screen.findByText('陈小明 已注册，并已加入本笔销售。')).toBeTruthy();
    const [created] = await db.customers.find({ selector: { nameKey: '陈 小明' } }).exec();
    expect(created?.displayName).toBe('陈小明');
  });

  it('offers the existing customer instead of creating a duplicate', async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    await renderTill(<Host onSelect={onSelect} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    await user.type(screen.getByLabelText('First name'), 'M');
    await user.type(screen.getByLabelText('Phone'), '+41 (79) 555-12-34');
    await user.click(screen.getByRole('button', { name: 'Save customer' }));
    expect(await screen.findByText('Mia Keller already has this phone number.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Use Mia Keller' }));
    expect(onSelect).toHaveBeenLastCalledWith(expect.objectContaining({ id: 'cust-mia' }));
    expect(await db.customers.count().exec()).toBe(2);
    expect(fake.calls.some((call) => call.command === 'journal.append')).toBe(false);
  });

  it('explains what to fix before saving', async () => {
    const user = userEvent.setup();
    await renderTill(<Host onSelect={vi.fn()} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.click(screen.getByRole('checkbox', { name: 'Offers by text message' }));
    await user.click(screen.getByRole('button', { name: 'Save customer' }));
    expect(await screen.findByText('Enter a first or last name.')).toBeTruthy();
    expect(screen.getByText('Enter an email address like name@example.com.')).toBeTruthy();
    expect(screen.getByText('Enter a phone number for text messages.')).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(await db.customers.count().exec()).toBe(2);
  });

  it('creates nothing when the journal refuses the sign-up', async () => {
    const user = userEvent.setup();
    fake.handle('journal.append', () =>
      Promise.resolve(refused('internal', 'The journal found tampering; appends are blocked.')),
    );
    await renderTill(<Host onSelect={vi.fn()} />, { db, desktop: fake.desktop, session: signedIn() });
    await user.click(screen.getByRole('button', { name: 'New customer' }));
    await user.type(screen.getByLabelText('Last name'), 'Brun');
    await user.click(screen.getByRole('button', { name: 'Save customer' }));
    expect(
      await screen.findByText(
        'The customer could not be saved. Try again; call a manager if it keeps happening.',
      ),
    ).toBeTruthy();
    expect(await db.customers.count().exec()).toBe(2);
    expect(await db.events.count().exec()).toBe(0);
  });
});
