import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { CODES, paymentStatus } from '../app/till-fixture.test-helper.ts';
import { removeRenderedTills, renderTill } from '../app/till-ui.test-helper.tsx';
import type { RenderedTill } from '../app/till-ui.test-helper.tsx';

// The whole till renders over a real database: give it room on a busy machine.

afterEach(async () => {
  await removeRenderedTills();
});

async function toPayment(till: RenderedTill, codes: readonly string[]): Promise<HTMLElement> {
  await waitFor(() => {
    expect(screen.getByRole('combobox', { name: 'Scan or search' })).toBeDefined();
  });
  for (const code of codes) {
    act(() => {
      till.main.emit('hardware.scanned', { data: code, symbology: 'ean13', deviceId: 'scanner-1' });
    });
  }
  await waitFor(() => {
    expect(screen.getAllByTestId('cart-line')).toHaveLength(codes.length);
  });
  await userEvent.setup().click(screen.getByRole('button', { name: 'Pay' }));
  return screen.findByRole('region', { name: 'Payment' });
}

describe('the payment panel', { timeout: 15_000 }, () => {
  it('splits between a part card payment and cash', async () => {
    const till = await renderTill();
    const panel = await toPayment(till, [CODES.milk, CODES.bread]);
    const user = userEvent.setup();
    await user.click(within(panel).getByRole('button', { name: 'Part by card' }));
    const dialog = await screen.findByRole('dialog', { name: 'Part payment by card' });
    await user.type(within(dialog).getByLabelText('Amount to charge to the card (EUR)'), '2.50');
    await user.click(within(dialog).getByRole('button', { name: 'Charge card' }));
    // 3.90 − 2.50.
    await waitFor(() => {
      expect(within(panel).getByTestId('amount-due').textContent).toBe('€1.40');
    });
    expect(within(panel).getByTestId('tender-line').textContent).toContain('VISA ending 4242');
    const exact = within(panel).getByRole('button', { name: /Exact cash/ });
    await waitFor(() => {
      expect(exact).toHaveProperty('disabled', false);
    });
    await user.click(exact);
    const complete = await screen.findByTestId('sale-complete');
    expect(within(complete).getByText('Paid in full: €3.90')).toBeDefined();
    expect(till.main.drawerOpens).toBe(1);
  });

  it('locks every payment while a card payment is unresolved, and completes when it is approved', async () => {
    const till = await renderTill();
    till.main.terminal = (input) => paymentStatus(input, 'unresolved', 'Connection to the terminal lost');
    const panel = await toPayment(till, [CODES.bread]);
    const user = userEvent.setup();
    await user.click(within(panel).getByRole('button', { name: 'Card' }));
    const progress = await within(panel).findByTestId('card-payment');
    expect(progress.textContent).toContain('do not take another payment yet');
    expect(within(panel).getByRole('button', { name: /Exact cash/ })).toHaveProperty('disabled', true);
    expect(within(panel).getByRole('button', { name: 'Card' })).toHaveProperty('disabled', true);
    expect(within(panel).getByRole('button', { name: 'Customer gives €5.00 in cash' })).toHaveProperty(
      'disabled',
      true,
    );

    const start = till.main.calls.find((c) => c.command === 'hardware.startPayment');
    const { paymentId } = start?.input as { paymentId: string };
    act(() => {
      till.main.emit('hardware.paymentUpdated', paymentStatus({ paymentId, amount: 240 }, 'approved'));
    });
    await screen.findByTestId('sale-complete');
    expect(till.main.calls.filter((c) => c.command === 'hardware.startPayment')).toHaveLength(1);
  });

  it('goes back to the sale with Escape while nothing is paid', async () => {
    const till = await renderTill();
    await toPayment(till, [CODES.bread]);
    await userEvent.setup().keyboard('{Escape}');
    await waitFor(() => {
      expect(screen.queryByRole('region', { name: 'Payment' })).toBeNull();
    });
    expect(screen.getByRole('button', { name: 'Pay' })).toBeDefined();
  });
});
