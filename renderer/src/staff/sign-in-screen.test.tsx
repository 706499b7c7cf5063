import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TillDatabase } from '../db/index.ts';
import {
  createFakeBridge,
  createTestDatabase,
  fakeMain,
  removeTestDatabases,
  renderTill,
  staffDoc,
  type FakeBridge,
} from './fake-till.test-helper.tsx';
import { SignInScreen } from './sign-in-screen.tsx';

let db: TillDatabase;
let fake: FakeBridge;
let clock: Date;

beforeEach(async () => {
  db = await createTestDatabase();
  await db.staff.bulkInsert([
    staffDoc({ id: 'alice', displayName: 'Alice Chen', staffCode: 'A100' }),
    staffDoc({ id: 'bob', displayName: 'Bob Li', staffCode: 'B200', cardKey: 'EMP0042' }),
    staffDoc({ id: 'carol', displayName: 'Carol Diaz', staffCode: 'M300', role: 'manager' }),
    staffDoc({ id: 'erin', displayName: 'Erin Old', staffCode: 'E500', active: false }),
    staffDoc({ id: 'frank', displayName: 'Frank North', staffCode: 'F600', storeIds: ['store-9'] }),
    staffDoc({ id: 'hana', displayName: 'Hana HQ', staffCode: 'H700', role: 'hq' }),
    staffDoc({
      id: 'gus',
      displayName: 'Gus Held',
      staffCode: 'G800',
      lockedUntil: '2026-11-23T10:12:30.000Z',
    }),
  ]);
  fake = createFakeBridge();
  clock = new Date('2026-11-23T10:00:00.000Z');
  fakeMain(fake, {
    pins: { alice: '4321', bob: '2468', carol: '9999' },
    now: () => clock,
    maxFailures: 3,
    lockoutMinutes: 5,
  });
});

afterEach(async () => {
  await removeTestDatabases();
});

async function typePin(user: ReturnType<typeof userEvent.setup>, pin: string): Promise<void> {
  for (const digit of pin) await user.click(screen.getByRole('button', { name: digit }));
}

describe('SignInScreen', () => {
  it('shows this store’s active staff as tiles, by name, without HQ or other stores’ staff', async () => {
    await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    const tiles = await screen.findByRole('list', { name: 'Staff at this store' });
    const names = within(tiles)
      .getAllByRole('button')
      .map((tile) => tile.textContent);
    expect(names).toEqual([
      'ACAlice ChenCashier',
      'BLBob LiCashier',
      'CDCarol DiazManager',
      'GHGus HeldCashier',
    ]);
  });

  it('refuses a wrong PIN twice, then signs in with the right one, keeping no PIN anywhere', async () => {
    const user = userEvent.setup();
    const { session } = await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.click(await screen.findByRole('button', { name: /Alice Chen/u }));
    const field = screen.getByLabelText<HTMLInputElement>('PIN for Alice Chen');
    const signIn = screen.getByRole('button', { name: 'Sign in' });

    await typePin(user, '1111');
    await user.click(signIn);
    expect(await screen.findByText('Wrong PIN. Try again.')).toBeTruthy();
    expect(field.value).toBe('');

    await user.type(field, '2222{Enter}');
    await waitFor(() => {
      expect(fake.calls.filter((call) => call.command === 'staff.signIn')).toHaveLength(2);
    });
    expect(screen.getByRole('alert').textContent).toBe('Wrong PIN. Try again.');
    expect(session.getState().session).toBeNull();

    await typePin(user, '4321');
    await user.click(signIn);
    await waitFor(() => {
      expect(session.getState().session).toEqual({
        staffId: 'alice',
        role: 'cashier',
        signedInAt: '2026-11-23T10:00:00.000Z',
      });
    });
    expect(session.getState().staffName).toBe('Alice Chen');
    expect(session.getState().locked).toBe(false);
    expect(field.value).toBe('');
    const signIns = fake.calls.filter((call) => call.command === 'staff.signIn');
    expect(signIns.map((call) => (call.input as { pin: string }).pin)).toEqual(['1111', '2222', '4321']);
    expect(JSON.stringify(session.getState())).not.toContain('4321');
  });

  it('says how long the lock-out lasts after too many wrong PINs', async () => {
    const user = userEvent.setup();
    const { session } = await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.click(await screen.findByRole('button', { name: /Alice Chen/u }));
    const field = screen.getByLabelText<HTMLInputElement>('PIN for Alice Chen');
    for (const pin of ['1111', '2222']) {
      await user.type(field, `${pin}{Enter}`);
      await screen.findByText('Wrong PIN. Try again.');
    }
    await user.type(field, '3333{Enter}');
    expect(await screen.findByText('Too many wrong PINs. Try again in 5 minutes.')).toBeTruthy();

    // Even the right PIN is refused while locked out; main's clock says how much is left.
    clock = new Date('2026-11-23T10:04:10.000Z');
    await user.type(field, '4321{Enter}');
    expect(await screen.findByText('Too many wrong PINs. Try again in 1 minute.')).toBeTruthy();
    expect(session.getState().session).toBeNull();
  });

  it('finds a person by staff code typed in lower case', async () => {
    const user = userEvent.setup();
    const { session } = await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.type(screen.getByLabelText('Staff code'), 'b200{Enter}');
    const field = await screen.findByLabelText('PIN for Bob Li');
    await waitFor(() => {
      expect(document.activeElement).toBe(field);
    });
    await user.keyboard('2468{Enter}');
    await waitFor(() => {
      expect(session.getState().session?.staffId).toBe('bob');
    });
  });

  it.each([
    ['Z999', 'No staff member has the code Z999.'],
    ['E500', 'Erin Old can no longer sign in. Ask a manager.'],
    ['F600', 'Frank North is not set up to work at this store. Ask a manager.'],
    ['G800', 'Gus Held cannot sign in for another 13 minutes. Ask a manager.'],
  ])('refuses staff code %s before any PIN', async (code, message) => {
    const user = userEvent.setup();
    await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.type(screen.getByLabelText('Staff code'), `${code}{Enter}`);
    expect(await screen.findByText(message)).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('PIN').disabled).toBe(true);
    expect(fake.calls.some((call) => call.command === 'staff.signIn')).toBe(false);
  });

  it('selects the person whose staff card is swiped', async () => {
    const user = userEvent.setup();
    const { session } = await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await screen.findByRole('button', { name: /Bob Li/u });
    await user.click(screen.getByLabelText('Staff code'));
    await user.keyboard('%EMP0042^LI/BOB^?{Enter}');
    const field = await screen.findByLabelText('PIN for Bob Li');
    // The swipe typed nothing into the staff-code field.
    expect(screen.getByLabelText<HTMLInputElement>('Staff code').value).toBe('');
    await user.type(field, '2468{Enter}');
    await waitFor(() => {
      expect(session.getState().staffName).toBe('Bob Li');
    });
  });

  it('takes swipes from the shell’s scan source too', async () => {
    let deliver: ((text: string) => void) | undefined;
    await renderTill(
      <SignInScreen
        scans={(listener) => {
          deliver = listener;
          return () => {
            deliver = undefined;
          };
        }}
      />,
      { db, desktop: fake.desktop },
    );
    await screen.findByRole('button', { name: /Bob Li/u });
    deliver?.('%EMP0042^LI/BOB^?');
    expect(await screen.findByLabelText('PIN for Bob Li')).toBeTruthy();
  });

  it('signs in by staff badge barcode from the scan source, and ignores the device events it already carries', async () => {
    const user = userEvent.setup();
    let deliver: ((text: string) => void) | undefined;
    const { session } = await renderTill(
      <SignInScreen
        scans={(listener) => {
          deliver = listener;
          return () => undefined;
        }}
      />,
      { db, desktop: fake.desktop },
    );
    await screen.findByRole('button', { name: /Bob Li/u });
    expect(fake.listenerCount('hardware.scanned')).toBe(0);
    deliver?.('EMP0042');
    await user.type(await screen.findByLabelText('PIN for Bob Li'), '2468{Enter}');
    await waitFor(() => {
      expect(session.getState().session?.staffId).toBe('bob');
    });
  });

  it('says so when a badge belongs to nobody', async () => {
    let deliver: ((text: string) => void) | undefined;
    await renderTill(
      <SignInScreen
        scans={(listener) => {
          deliver = listener;
          return () => undefined;
        }}
      />,
      { db, desktop: fake.desktop },
    );
    await screen.findByRole('button', { name: /Bob Li/u });
    deliver?.('4006381333931');
    expect(
      await screen.findByText('This card is not registered to anyone. Type your staff code instead.'),
    ).toBeTruthy();
  });

  it('refuses a payment card and keeps nothing of it', async () => {
    const user = userEvent.setup();
    await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.click(screen.getByLabelText('Staff code'));
    await user.keyboard(';4111111111111111=25121010000000000000?{Enter}');
    expect(
      await screen.findByText(
        'That is a payment card. Use the card terminal for payments; sign in with your staff card.',
      ),
    ).toBeTruthy();
    expect(document.body.innerHTML).not.toContain('4111');
    expect(JSON.stringify(fake.calls)).not.toContain('4111');
  });

  it('says plainly when PINs cannot be checked (no device service)', async () => {
    const user = userEvent.setup();
    const bare = createFakeBridge();
    await renderTill(<SignInScreen />, { db, desktop: bare.desktop });
    await user.click(await screen.findByRole('button', { name: /Alice Chen/u }));
    await user.type(screen.getByLabelText('PIN for Alice Chen'), '4321{Enter}');
    expect(
      await screen.findByText('PINs cannot be checked right now. Wait a moment and try again.'),
    ).toBeTruthy();
  });

  it('keeps Sign in disabled until four digits are entered', async () => {
    const user = userEvent.setup();
    await renderTill(<SignInScreen />, { db, desktop: fake.desktop });
    await user.click(await screen.findByRole('button', { name: /Alice Chen/u }));
    const signIn = screen.getByRole<HTMLButtonElement>('button', { name: 'Sign in' });
    await typePin(user, '432');
    expect(signIn.disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Delete last digit' }));
    await typePin(user, '21');
    expect(signIn.disabled).toBe(false);
    expect(screen.getByLabelText<HTMLInputElement>('PIN for Alice Chen').value).toBe('4321');
  });

  it('is in Chinese for a Chinese store', async () => {
    const user = userEvent.setup();
    await renderTill(<SignInScreen />, { db, desktop: fake.desktop, locale: 'zh-CN' });
    expect(screen.getByRole('heading', { name: '登录' })).toBeTruthy();
    await user.click(await screen.findByRole('button', { name: /Alice Chen/u }));
    await user.type(screen.getByLabelText('Alice Chen 的 PIN 码'), '1111{Enter}');
    expect(await screen.findByText('PIN 码错误，请重试。')).toBeTruthy();
  });
});
