import type { ApprovalRecord, Permission } from '@pos/app';
import type { StaffSession } from '@pos/app/contracts/desktop-bridge';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTill, type TillServices } from '../app/till-context.tsx';
import type { TillDatabase } from '../db/index.ts';
import { createI18n } from '../i18n/i18n.ts';
import { ApprovalProvider } from './approval.tsx';
import {
  createFakeBridge,
  createTestDatabase,
  fakeMain,
  removeTestDatabases,
  staffDoc,
  testServices,
  type FakeBridge,
} from './fake-till.test-helper.tsx';
import { createSessionStore } from './session-store.ts';

const ALICE: StaffSession = { staffId: 'alice', role: 'cashier', signedInAt: '2026-11-23T08:00:00.000Z' };

/** A stand-in for a sale screen: asks for an approval and shows what came back. */
function Asker(props: {
  readonly permission: Permission;
  readonly reason: string;
  readonly lineId?: string;
}): ReactElement {
  const { requestApproval } = useTill();
  const [result, setResult] = useState<ApprovalRecord | null | undefined>(undefined);
  return (
    <div>
      <button
        type="button"
        onClick={() => {
          void requestApproval({
            permission: props.permission,
            reason: props.reason,
            ...(props.lineId === undefined ? {} : { lineId: props.lineId }),
          }).then(setResult);
        }}
      >
        Override price
      </button>
      <output aria-label="result">{result === undefined ? 'pending' : JSON.stringify(result)}</output>
    </div>
  );
}

let db: TillDatabase;
let fake: FakeBridge;

beforeEach(async () => {
  db = await createTestDatabase();
  await db.staff.bulkInsert([
    staffDoc({ id: 'alice', displayName: 'Alice Chen', staffCode: 'A100' }),
    staffDoc({ id: 'dave', displayName: 'Dave Wu', staffCode: 'D400' }),
    staffDoc({ id: 'sue', displayName: 'Sue Park', staffCode: 'S800', role: 'supervisor' }),
    staffDoc({
      id: 'carol',
      displayName: 'Carol Diaz',
      staffCode: 'M300',
      role: 'manager',
      cardKey: '70000001',
    }),
  ]);
  fake = createFakeBridge();
  fakeMain(fake, {
    pins: { alice: '4321', dave: '1357', sue: '8642', carol: '9999' },
    now: () => new Date('2026-11-23T10:05:00.000Z'),
  });
});

afterEach(async () => {
  await removeTestDatabases();
});

async function renderAsker(
  asker: ReactElement,
  session = createSessionStore({ session: ALICE, staffName: 'Alice Chen' }),
) {
  const i18n = await createI18n('en-GB');
  // The provider replaces requestApproval with its own.
  const services: Omit<TillServices, 'requestApproval'> = testServices({
    db,
    desktop: fake.desktop,
    session,
  });
  render(
    <I18nextProvider i18n={i18n}>
      <ApprovalProvider services={services}>{asker}</ApprovalProvider>
    </I18nextProvider>,
  );
}

const result = () => screen.getByRole('status', { name: 'result' }).textContent;

describe('manager approval', () => {
  it('shows what and why, and returns the record when a manager approves', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="price.override" reason="Damaged box" lineId="line-1" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    const dialog = await screen.findByRole('dialog', { name: 'Manager approval needed' });
    expect(dialog.textContent).toContain('ActionChange an item\u2019s price'.replace('\u2019', "'"));
    expect(dialog.textContent).toContain('ReasonDamaged box');
    expect(dialog.textContent).toContain('Asked byAlice Chen');

    await user.type(screen.getByLabelText("Manager's staff code"), 'M300{Enter}');
    await user.type(screen.getByLabelText("Manager's PIN"), '9999');
    await user.click(screen.getByRole('button', { name: 'Approve' }));

    await waitFor(() => {
      expect(result()).not.toBe('pending');
    });
    expect(JSON.parse(result())).toEqual({
      approvalId: '0193a000-0000-7000-8000-000000000001',
      permission: 'price.override',
      requestedBy: 'alice',
      approvedBy: 'carol',
      approvedAt: '2026-11-23T10:05:00.000Z',
      reason: 'Damaged box',
      lineId: 'line-1',
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('refuses a cashier’s code and PIN without checking the PIN, then cancels to null', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="price.override" reason="Damaged box" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await user.type(await screen.findByLabelText("Manager's staff code"), 'D400');
    await user.type(screen.getByLabelText("Manager's PIN"), '1357{Enter}');
    expect(await screen.findByText('Dave Wu (Cashier) may not approve this. Ask a manager.')).toBeTruthy();
    expect(fake.calls.some((call) => call.command === 'staff.verifyPin')).toBe(false);
    expect(result()).toBe('pending');

    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => {
      expect(result()).toBe('null');
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('refuses a wrong manager PIN, then approves with the right one', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="drawer.no_sale" reason="Change for the float" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await user.type(await screen.findByLabelText("Manager's staff code"), 'm300');
    await user.type(screen.getByLabelText("Manager's PIN"), '1111{Enter}');
    expect(await screen.findByText('Wrong PIN. Try again.')).toBeTruthy();
    expect(result()).toBe('pending');
    await user.type(screen.getByLabelText("Manager's PIN"), '9999{Enter}');
    await waitFor(() => {
      expect(result()).toContain('"approvedBy":"carol"');
    });
    expect(JSON.parse(result())).not.toHaveProperty('lineId');
  });

  it.each<[Permission, string, string]>([
    ['price.override', 'S800', '"approvedBy":"sue"'],
    ['discount.beyond_limit', 'S800', 'Sue Park (Supervisor) may not approve this. Ask a manager.'],
  ])('a supervisor may approve what the role holds: %s', async (permission, code, expected) => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission={permission} reason="Customer complaint" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await user.type(await screen.findByLabelText("Manager's staff code"), code);
    await user.type(screen.getByLabelText("Manager's PIN"), '8642{Enter}');
    await waitFor(() => {
      expect(`${result()} ${screen.queryByRole('alert')?.textContent ?? ''}`).toContain(expected);
    });
  });

  it('never lets someone approve their own request', async () => {
    const user = userEvent.setup();
    const carol: StaffSession = { staffId: 'carol', role: 'manager', signedInAt: '2026-11-23T08:00:00.000Z' };
    await renderAsker(
      <Asker permission="return.beyond_window" reason="Regular customer" />,
      createSessionStore({ session: carol, staffName: 'Carol Diaz' }),
    );
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await user.type(await screen.findByLabelText("Manager's staff code"), 'M300');
    await user.type(screen.getByLabelText("Manager's PIN"), '9999{Enter}');
    expect(await screen.findByText('You cannot approve your own request. Ask another manager.')).toBeTruthy();
    expect(result()).toBe('pending');
  });

  it('identifies the manager by staff card swipe', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="sale.void" reason="Customer left" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await screen.findByLabelText("Manager's staff code");
    await user.keyboard(';70000001=2612?{Enter}');
    expect(await screen.findByText('Approving manager: Carol Diaz')).toBeTruthy();
    await user.type(screen.getByLabelText("Manager's PIN"), '9999{Enter}');
    await waitFor(() => {
      expect(result()).toContain('"permission":"sale.void"');
    });
  });

  it('cancels with Escape', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="sale.void" reason="" />);
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    await waitFor(() => {
      expect(result()).toBe('null');
    });
  });

  it('resolves null at once when nobody is signed in', async () => {
    const user = userEvent.setup();
    await renderAsker(<Asker permission="sale.void" reason="" />, createSessionStore());
    await user.click(screen.getByRole('button', { name: 'Override price' }));
    await waitFor(() => {
      expect(result()).toBe('null');
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
