import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { CODES, ean13, MANAGER, ok, paymentStatus, refused } from '../app/till-fixture.test-helper.ts';
import { removeRenderedTills, renderTill, wedgeScan } from '../app/till-ui.test-helper.tsx';

// The whole till renders over a real database: give it room on a busy machine.

afterEach(async () => {
  await removeRenderedTills();
});

const scanField = (): HTMLInputElement => screen.getByRole('combobox', { name: 'Scan or search' });
const lines = (): HTMLElement[] => screen.queryAllByTestId('cart-line');
const total = (): string => screen.getByTestId('sale-total').textContent;

async function ready(): Promise<void> {
  await waitFor(() => {
    expect(scanField()).toBeDefined();
  });
}

function hardwareScan(main: Awaited<ReturnType<typeof renderTill>>['main'], code: string): void {
  act(() => {
    main.emit('hardware.scanned', { data: code, symbology: 'ean13', deviceId: 'scanner-1' });
  });
}

describe('the sale screen', { timeout: 15_000 }, () => {
  it('finds an item by name as you type and adds it with Enter', async () => {
    await renderTill();
    await ready();
    const user = userEvent.setup({ delay: 40 });
    await user.click(scanField());
    await user.keyboard('whol');
    const results = await screen.findByRole('listbox', { name: 'Search results' });
    const option = await within(results).findByRole('option', { name: /Whole milk 1 l/ });
    await waitFor(() => {
      expect(option.textContent).toContain('€1.50');
    });
    expect(option.textContent).toContain('42 in stock');
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(lines()).toHaveLength(1);
    });
    expect(lines()[0]?.textContent).toContain('Whole milk 1 l');
    expect(total()).toBe('€1.50');
    expect(scanField().value).toBe('');
  });

  it('adds scanned items from the hardware scanner and a keyboard wedge, never typing the code', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.milk);
    await waitFor(() => {
      expect(total()).toBe('€1.50');
    });
    scanField().focus();
    act(() => {
      wedgeScan(CODES.bread);
    });
    await waitFor(() => {
      expect(lines()).toHaveLength(2);
    });
    // 1.50 + 2.40.
    expect(total()).toBe('€3.90');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(scanField().value).toBe('');
  });

  it('takes cash with a quick amount and shows the change, the receipt and the printed state', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.milk);
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€3.90');
    });
    const user = userEvent.setup();
    await user.keyboard('{F12}');
    const panel = await screen.findByRole('region', { name: 'Payment' });
    expect(within(panel).getByTestId('amount-due').textContent).toBe('€3.90');
    // Quick amounts above the exact one: 4.00, 5.00, 10.00, 20.00.
    await user.click(within(panel).getByRole('button', { name: 'Customer gives €5.00 in cash' }));
    const complete = await screen.findByTestId('sale-complete');
    // 5.00 − 3.90.
    expect(within(complete).getByTestId('change-due').textContent).toBe('€1.10');
    await within(complete).findByText('Receipt printed.');
    const receipt = within(complete).getByTestId('receipt');
    expect(receipt.textContent).toContain('Whole milk 1 l');
    expect(receipt.textContent).toContain('Omnitill Market');
    expect(main.printRequests).toHaveLength(1);
    expect(main.drawerOpens).toBe(1);
    expect(main.journal).toHaveLength(1);

    // The next scan starts the next sale.
    hardwareScan(main, CODES.choc);
    await waitFor(() => {
      expect(screen.queryByTestId('sale-complete')).toBeNull();
    });
    await waitFor(() => {
      expect(total()).toBe('€1.00');
    });
  });

  it('says a card was declined and lets the cashier pay another way', async () => {
    const { main } = await renderTill();
    main.terminal = (input) => paymentStatus(input, 'declined', 'Insufficient funds');
    await ready();
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    const user = userEvent.setup();
    await user.keyboard('{F12}');
    await screen.findByRole('region', { name: 'Payment' });
    await user.click(screen.getByRole('button', { name: 'Card' }));
    const alert = await screen.findByText(
      'Card declined: Insufficient funds. Ask for another card or payment.',
    );
    expect(alert).toBeDefined();
    await user.keyboard('{F12}');
    await screen.findByTestId('sale-complete');
    expect(main.journal).toHaveLength(1);
  });

  it('asks for the age check of an 18+ item in a dialog', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.wine);
    const dialog = await screen.findByRole('dialog', { name: 'Check the age: 18+' });
    const user = userEvent.setup();
    await user.click(within(dialog).getByRole('button', { name: 'Customer is 18 or over' }));
    await waitFor(() => {
      expect(total()).toBe('€8.90');
    });
  });

  it('tells an unknown barcode and offers the search', async () => {
    const { main } = await renderTill();
    await ready();
    const unknown = ean13('400000000099');
    hardwareScan(main, unknown);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(`No product has the barcode ${unknown}.`);
    expect(within(alert).getByRole('button', { name: 'Search instead' })).toBeDefined();
  });

  it('gives a line discount through the keypad dialog', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    const user = userEvent.setup();
    await user.keyboard('{F5}');
    const dialog = await screen.findByRole('dialog', { name: 'Line discount' });
    await user.click(within(dialog).getByRole('button', { name: '1' }));
    await user.click(within(dialog).getByRole('button', { name: '0' }));
    await user.click(within(dialog).getByRole('button', { name: 'Give discount' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).toBeNull();
    });
    // 10 % of 2.40 = 0.24.
    expect(total()).toBe('€2.16');
    expect(lines()[0]?.textContent).toContain('Discount 10 %');
  });

  it('speaks Simplified Chinese', async () => {
    const { main } = await renderTill({ locale: 'zh-CN' });
    await waitFor(() => {
      expect(screen.getByRole('combobox', { name: '扫描或搜索' })).toBeDefined();
    });
    hardwareScan(main, CODES.milk);
    await waitFor(() => {
      expect(screen.getByTestId('sale-total').textContent).toBe('€1.50');
    });
    expect(screen.getByText('应付总额')).toBeDefined();
    expect(screen.getByRole('button', { name: '付款' })).toBeDefined();
  });

  it('parks a sale with F9 and resumes it from the parked list', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    const user = userEvent.setup();
    await user.keyboard('{F9}');
    await waitFor(() => {
      expect(lines()).toHaveLength(0);
    });
    await user.keyboard('{F10}');
    const dialog = await screen.findByRole('dialog', { name: 'Parked sales' });
    await user.click(await within(dialog).findByRole('button', { name: /Sourdough bread/ }));
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('reprints an earlier receipt as a copy', async () => {
    const { main } = await renderTill();
    await ready();
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    const user = userEvent.setup();
    await user.keyboard('{F12}');
    await screen.findByRole('region', { name: 'Payment' });
    await user.keyboard('{F12}');
    await screen.findByTestId('sale-complete');
    await user.keyboard('{Enter}');
    await waitFor(() => {
      expect(screen.queryByTestId('sale-complete')).toBeNull();
    });
    await user.keyboard('{F11}');
    const dialog = await screen.findByRole('dialog', { name: 'Recent receipts' });
    const receiptNumber = main.printed[0]?.receipt.receiptNumber ?? '';
    await user.click(await within(dialog).findByRole('button', { name: new RegExp(receiptNumber) }));
    await user.click(within(dialog).getByRole('button', { name: 'Print a copy' }));
    await within(dialog).findByText('The copy was sent to the printer.');
    expect(main.printed.map((p) => p.copy)).toEqual([false, true]);
    expect(main.journal).toHaveLength(1);
  });

  it('ignores scans while the till is locked', async () => {
    const { main } = await renderTill();
    await ready();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Lock' }));
    hardwareScan(main, CODES.milk);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines()).toHaveLength(0);
  });

  it('asks a manager to approve a price change on the spot and records who approved it', async () => {
    const { main, db } = await renderTill();
    main.handle('staff.verifyPin', (input) =>
      input.pin === '4321'
        ? ok({ staffId: input.staffId, verifiedAt: '2026-03-02T10:00:00.000Z' })
        : refused('internal', 'Wrong PIN.'),
    );
    await ready();
    hardwareScan(main, CODES.bread);
    await waitFor(() => {
      expect(total()).toBe('€2.40');
    });
    const user = userEvent.setup({ delay: 40 });
    await user.keyboard('{F6}');
    const keypad = await screen.findByRole('dialog', { name: 'Change price' });
    await user.type(within(keypad).getByLabelText('New unit price (EUR)'), '1.99');
    await user.click(within(keypad).getByRole('button', { name: 'Set price' }));
    const approval = await screen.findByRole('dialog', { name: 'Manager approval needed' });
    expect(approval.textContent).toContain('Change the price of Sourdough bread');
    await user.type(within(approval).getByLabelText("Manager's staff code"), '100');
    await user.type(within(approval).getByLabelText("Manager's PIN"), '4321');
    await user.click(within(approval).getByRole('button', { name: 'Approve' }));
    await waitFor(() => {
      expect(total()).toBe('€1.99');
    });
    expect(lines()[0]?.textContent).toContain('Price changed from €2.40');
    const cart = await db.carts.find().exec();
    expect(cart[0]?.approvals.map((a) => [a.permission, a.approvedBy])).toEqual([
      ['price.override', MANAGER],
    ]);
  });
});
