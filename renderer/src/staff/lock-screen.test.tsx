import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import type { TillDatabase } from '../db/index.ts';
import { createI18n } from '../i18n/i18n.ts';
import {
  createFakeBridge,
  createTestDatabase,
  fakeMain,
  Providers,
  removeTestDatabases,
  renderTill,
  staffDoc,
  testServices,
  type FakeBridge,
} from './fake-till.test-helper.tsx';
import { IdleLock } from './idle-lock.ts';
import { LockScreen } from './lock-screen.tsx';
import { restoreSession } from './restore-session.ts';
import { createSessionStore } from './session-store.ts';

/** IdleLock never touches the database. */
const NO_DATABASE = null as unknown as TillDatabase;

const ALICE: StaffSession = { staffId: 'alice', role: 'cashier', signedInAt: '2026-11-23T08:00:00.000Z' };

describe('LockScreen', () => {
  let db: TillDatabase;
  let fake: FakeBridge;
  let main: ReturnType<typeof fakeMain>;

  beforeEach(async () => {
    db = await createTestDatabase();
    await db.staff.bulkInsert([
      staffDoc({ id: 'alice', displayName: 'Alice Chen', staffCode: 'A100' }),
      staffDoc({ id: 'bob', displayName: 'Bob Li', staffCode: 'B200', cardKey: 'EMP0042' }),
    ]);
    fake = createFakeBridge();
    main = fakeMain(fake, {
      pins: { alice: '4321', bob: '2468' },
      now: () => new Date('2026-11-23T10:00:00.000Z'),
    });
  });

  afterEach(async () => {
    await removeTestDatabases();
  });

  const lockedSession = () => createSessionStore({ session: ALICE, staffName: 'Alice Chen', locked: true });

  it('unlocks with the same person’s PIN and keeps the session', async () => {
    const user = userEvent.setup();
    const session = lockedSession();
    await renderTill(<LockScreen />, { db, desktop: fake.desktop, session });
    expect(screen.getByRole('dialog', { name: 'Till locked' })).toBeTruthy();
    expect(screen.getByText('Alice Chen is signed in. Enter the PIN to continue.')).toBeTruthy();

    const field = await screen.findByLabelText('PIN for Alice Chen');
    await waitFor(() => {
      expect((field as HTMLInputElement).disabled).toBe(false);
    });
    await user.type(field, '1234{Enter}');
    expect(await screen.findByText('Wrong PIN. Try again.')).toBeTruthy();
    expect(session.getState().locked).toBe(true);

    await user.type(field, '4321');
    await user.click(screen.getByRole('button', { name: 'Unlock' }));
    await waitFor(() => {
      expect(session.getState().locked).toBe(false);
    });
    // Verified, not signed in again: the session (and its start time) is Alice's original one.
    expect(session.getState().session).toEqual(ALICE);
    expect(fake.calls.filter((call) => call.command === 'staff.verifyPin')).toHaveLength(2);
    expect(fake.calls.some((call) => call.command === 'staff.signIn')).toBe(false);
  });

  it('lets another person take over, which signs the first out', async () => {
    const user = userEvent.setup();
    const session = lockedSession();
    const switched = vi.fn();
    await renderTill(<LockScreen onSwitched={switched} />, { db, desktop: fake.desktop, session });
    await user.click(screen.getByRole('button', { name: 'Switch user' }));
    await user.click(await screen.findByRole('button', { name: /Bob Li/u }));
    await user.type(screen.getByLabelText('PIN for Bob Li'), '2468');
    await user.click(screen.getByRole('button', { name: 'Sign in as Bob Li' }));
    await waitFor(() => {
      expect(session.getState().session?.staffId).toBe('bob');
    });
    expect(session.getState()).toMatchObject({ staffName: 'Bob Li', locked: false });
    const bob = { staffId: 'bob', role: 'cashier', signedInAt: '2026-11-23T10:00:00.000Z' };
    expect(switched).toHaveBeenCalledWith(ALICE, bob);
    expect(main.session()).toEqual(bob);
  });

  it('takes over by staff card swipe', async () => {
    const user = userEvent.setup();
    const session = lockedSession();
    await renderTill(<LockScreen />, { db, desktop: fake.desktop, session });
    await screen.findByLabelText('PIN for Alice Chen');
    await user.keyboard('%EMP0042^LI/BOB^?{Enter}');
    const field = await screen.findByLabelText('PIN for Bob Li');
    await user.type(field, '2468{Enter}');
    await waitFor(() => {
      expect(session.getState().staffName).toBe('Bob Li');
    });
  });

  it('refuses a wrong PIN for the person taking over and stays locked for the first', async () => {
    const user = userEvent.setup();
    const session = lockedSession();
    await renderTill(<LockScreen />, { db, desktop: fake.desktop, session });
    await user.click(screen.getByRole('button', { name: 'Switch user' }));
    await user.type(screen.getByLabelText('Staff code'), 'B200{Enter}');
    await user.type(await screen.findByLabelText('PIN for Bob Li'), '0000{Enter}');
    expect(await screen.findByText('Wrong PIN. Try again.')).toBeTruthy();
    expect(session.getState()).toMatchObject({ session: ALICE, locked: true });
  });
});

describe('restoreSession', () => {
  afterEach(async () => {
    await removeTestDatabases();
  });

  it('resumes main’s session locked, by the staff member’s name', async () => {
    const db = await createTestDatabase();
    await db.staff.insert(staffDoc({ id: 'alice', displayName: 'Alice Chen', staffCode: 'A100' }));
    const fake = createFakeBridge();
    fake.handle('staff.getSession', () => Promise.resolve({ ok: true, value: ALICE }));
    const session = createSessionStore();
    expect(await restoreSession(fake.desktop, db, session)).toBe(true);
    expect(session.getState()).toMatchObject({ session: ALICE, staffName: 'Alice Chen', locked: true });
  });

  it('starts signed out when the device service does not answer', async () => {
    const db = await createTestDatabase();
    const session = createSessionStore();
    expect(await restoreSession(createFakeBridge().desktop, db, session)).toBe(false);
    expect(session.getState().session).toBeNull();
  });
});

describe('IdleLock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('locks after idleLockSeconds without input, counting from the last key or touch', async () => {
    const i18n = await createI18n('en-GB');
    vi.useFakeTimers();
    const fake = createFakeBridge();
    const session = createSessionStore({ session: ALICE, staffName: 'Alice Chen' });
    const services = testServices({
      db: NO_DATABASE,
      desktop: fake.desktop,
      session,
      settings: { idleLockSeconds: 120 },
    });
    render(
      <Providers services={services} i18n={i18n}>
        <IdleLock />
      </Providers>,
    );
    act(() => {
      vi.advanceTimersByTime(100_000);
    });
    fireEvent.keyDown(document.body, { key: '5' });
    act(() => {
      vi.advanceTimersByTime(100_000);
    });
    fireEvent.pointerDown(document.body);
    act(() => {
      vi.advanceTimersByTime(119_000);
    });
    expect(session.getState().locked).toBe(false);
    act(() => {
      vi.advanceTimersByTime(1_000);
    });
    expect(session.getState().locked).toBe(true);
    expect(session.getState().session).toEqual(ALICE);
  });

  it('does nothing while nobody is signed in', async () => {
    const i18n = await createI18n('en-GB');
    vi.useFakeTimers();
    const session = createSessionStore();
    const services = testServices({ db: NO_DATABASE, desktop: createFakeBridge().desktop, session });
    render(
      <Providers services={services} i18n={i18n}>
        <IdleLock />
      </Providers>,
    );
    act(() => {
      vi.advanceTimersByTime(3_600_000);
    });
    expect(session.getState()).toMatchObject({ session: null, locked: false });
  });
});
