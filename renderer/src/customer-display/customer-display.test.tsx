import { act, render, screen, within } from '@testing-library/react';
import type { i18n as I18n } from 'i18next';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createI18n } from '../i18n/i18n.ts';
import { createFakeBridge, ok, refused } from '../staff/fake-till.test-helper.tsx';
import { CustomerDisplayApp, CustomerDisplayView } from './customer-display.tsx';
import {
  createCustomerDisplayPublisher,
  stateOf,
  subscribeCustomerDisplay,
  type CustomerDisplayState,
  type DisplayChannel,
  type DisplayChannelFactory,
} from './display-state.ts';
import { createPoleDisplayMirror, poleDisplayLines, poleLine } from './pole-display.ts';

/** Same-origin windows in one process: every channel of a name hears the others' messages. */
function channelHub(): DisplayChannelFactory {
  const channels = new Set<{ listeners: Set<(event: MessageEvent) => void> }>();
  return () => {
    const self = { listeners: new Set<(event: MessageEvent) => void>() };
    channels.add(self);
    const channel: DisplayChannel = {
      postMessage(message) {
        const data: unknown = structuredClone(message);
        for (const other of channels) {
          if (other === self) continue;
          for (const listener of other.listeners) listener(new MessageEvent('message', { data }));
        }
      },
      addEventListener(_type, listener) {
        self.listeners.add(listener);
      },
      removeEventListener(_type, listener) {
        self.listeners.delete(listener);
      },
      close() {
        channels.delete(self);
      },
    };
    return channel;
  };
}

const SALE: CustomerDisplayState = {
  kind: 'sale',
  locale: 'en-GB',
  currency: 'EUR',
  lines: [
    { lineId: 'l1', name: 'Oat milk 1 l', quantity: '2 × €1.85', amount: 370 },
    { lineId: 'l2', name: 'Bananas', quantity: '0.842 kg × €2.40/kg', amount: 202 },
    { lineId: 'l3', name: 'Dark chocolate', quantity: '', amount: 299, discountLabel: '3 for 2' },
  ],
  subtotal: 971,
  discounts: 150,
  tax: 68,
  taxIncluded: true,
  total: 871,
  customerName: 'Mia',
};

let en: I18n;
let zh: I18n;
beforeAll(async () => {
  en = await createI18n('en-GB');
  zh = await createI18n('zh-CN');
});

afterEach(() => {
  vi.useRealTimers();
});

function show(ui: ReactElement, i18n = en) {
  return render(<I18nextProvider i18n={i18n}>{ui}</I18nextProvider>);
}

describe('CustomerDisplayView', () => {
  it('welcomes with the store name', () => {
    show(<CustomerDisplayView state={{ kind: 'idle', locale: 'en-GB', storeName: 'Bahnhofstrasse' }} />);
    const page = screen.getByRole('main', { name: 'Welcome' });
    expect(page.textContent).toBe('WelcomeBahnhofstrasseYour items will appear here.');
  });

  it('shows the lines, savings, tax and the total of a sale in progress', () => {
    show(<CustomerDisplayView state={SALE} />);
    const items = within(screen.getByRole('list', { name: 'Items' })).getAllByRole('listitem');
    expect(items.map((item) => item.textContent)).toEqual([
      'Oat milk 1 l€3.702 × €1.85',
      'Bananas€2.020.842 kg × €2.40/kg',
      'Dark chocolate€2.993 for 2',
    ]);
    const totals = screen.getByRole('region', { name: 'Totals' });
    expect(totals.textContent).toBe('Subtotal€9.71You save-€1.50Incl. tax€0.68Total€8.713 items');
    expect(screen.getByText('Hello, Mia')).toBeTruthy();
  });

  it('shows what is paid and what is left while paying', () => {
    show(
      <CustomerDisplayView
        state={{
          kind: 'paying',
          locale: 'en-GB',
          currency: 'EUR',
          total: 871,
          paid: 500,
          remaining: 371,
          waitingForCard: true,
        }}
      />,
    );
    expect(screen.getByRole('main', { name: 'Payment' }).textContent).toBe(
      'Total€8.71Paid€5.00Left to pay€3.71Please follow the instructions on the card terminal.',
    );
  });

  it('shows the change due and thanks', () => {
    show(
      <CustomerDisplayView
        state={{ kind: 'complete', locale: 'en-GB', currency: 'EUR', total: 871, paid: 2000, change: 1129 }}
      />,
    );
    expect(screen.getByRole('main', { name: 'Thank you' }).textContent).toBe(
      'Thank you!Your change€11.29Total€8.71Paid€20.00See you soon.',
    );
  });

  it('leaves out the change when there is none', () => {
    show(
      <CustomerDisplayView
        state={{ kind: 'complete', locale: 'en-GB', currency: 'EUR', total: 871, paid: 871, change: 0 }}
      />,
    );
    expect(screen.queryByText('Your change')).toBeNull();
  });

  it('uses the store’s locale and currency in Chinese', () => {
    show(
      <CustomerDisplayView
        state={{
          kind: 'sale',
          locale: 'zh-CN',
          currency: 'CNY',
          lines: [{ lineId: 'a', name: '绿茶', quantity: '', amount: 350 }],
          subtotal: 350,
          discounts: 0,
          tax: 40,
          taxIncluded: true,
          total: 350,
        }}
      />,
      zh,
    );
    expect(screen.getByRole('region', { name: '合计' }).textContent).toBe(
      '小计¥3.50含税¥0.40应付总额¥3.50共 1 件商品',
    );
  });
});

describe('CustomerDisplayApp over the channel', () => {
  it('follows the till, returns from thanks to welcome, and says hello to get the current state', () => {
    vi.useFakeTimers();
    const hub = channelHub();
    const publisher = createCustomerDisplayPublisher({ locale: 'en-GB', channel: hub });
    publisher.publish({ kind: 'idle', locale: 'en-GB', storeName: 'Bahnhofstrasse' });
    publisher.publish(SALE);
    // The display window opens mid-sale: its hello brings the current state.
    show(
      <CustomerDisplayApp
        subscribe={(onState) => subscribeCustomerDisplay(onState, hub)}
        thankYouMs={8000}
      />,
    );
    expect(screen.getByRole('main', { name: 'Your purchase' })).toBeTruthy();

    act(() => {
      publisher.publish({
        kind: 'complete',
        locale: 'en-GB',
        currency: 'EUR',
        total: 871,
        paid: 1000,
        change: 129,
      });
    });
    expect(screen.getByText('€1.29')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(7999);
    });
    expect(screen.getByRole('main', { name: 'Thank you' })).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(1);
    });
    // Back to the welcome screen; the store name is not known from this session's states, so the brand.
    expect(screen.getByRole('main', { name: 'Welcome' }).textContent).toBe(
      'WelcomeOmnitillYour items will appear here.',
    );
    publisher.close();
  });

  it('switches language with the store’s locale', async () => {
    const hub = channelHub();
    const publisher = createCustomerDisplayPublisher({ channel: hub });
    const i18n = await createI18n('en-GB');
    show(<CustomerDisplayApp subscribe={(onState) => subscribeCustomerDisplay(onState, hub)} />, i18n);
    expect(screen.getByText('Welcome', { selector: '.cd-welcome__hello' })).toBeTruthy();
    await act(async () => {
      publisher.publish({ kind: 'idle', locale: 'zh-CN', storeName: '南京路店' });
      await Promise.resolve();
    });
    expect(await screen.findByText('欢迎光临')).toBeTruthy();
    expect(screen.getByText('南京路店')).toBeTruthy();
    expect(document.documentElement.lang).toBe('zh-CN');
    publisher.close();
  });

  it('publishing never throws, even with no channel at all', () => {
    const publisher = createCustomerDisplayPublisher({
      channel: () => {
        throw new Error('BroadcastChannel is not defined');
      },
    });
    expect(() => {
      publisher.publish(SALE);
    }).not.toThrow();
    expect(publisher.current).toBe(SALE);
    publisher.close();
  });
});

describe('stateOf', () => {
  it.each([
    ['a state of another version', { v: 2, type: 'state', state: SALE }],
    ['a hello', { v: 1, type: 'hello' }],
    ['money as a float', { v: 1, type: 'state', state: { ...SALE, total: 8.71 } }],
    [
      'a line without amount',
      { v: 1, type: 'state', state: { ...SALE, lines: [{ lineId: 'x', name: 'y', quantity: '' }] } },
    ],
    ['an unknown kind', { v: 1, type: 'state', state: { kind: 'refund', locale: 'en' } }],
    ['not an object', 'hello'],
  ])('ignores %s', (_name, data) => {
    expect(stateOf(data)).toBeNull();
  });

  it('accepts each valid state', () => {
    expect(stateOf({ v: 1, type: 'state', state: SALE })).toEqual(SALE);
  });
});

describe('pole display', () => {
  it.each<[CustomerDisplayState, readonly [string, string]]>([
    [
      { kind: 'idle', locale: 'en-GB', storeName: 'Bahnhofstrasse' },
      ['Welcome             ', 'Bahnhofstrasse      '],
    ],
    [SALE, ['Dark chocolate €2.99', 'TOTAL          €8.71']],
    [
      {
        ...SALE,
        lines: [{ lineId: 'x', name: 'Extra virgin olive oil 750 ml', quantity: '', amount: 1299 }],
      },
      ['Extra virgin  €12.99', 'TOTAL          €8.71'],
    ],
    [
      { kind: 'paying', locale: 'en-GB', currency: 'EUR', total: 871, paid: 500, remaining: 371 },
      ['TOTAL          €8.71', 'TO PAY         €3.71'],
    ],
    [
      { kind: 'complete', locale: 'en-GB', currency: 'EUR', total: 871, paid: 2000, change: 1129 },
      ['CHANGE        €11.29', 'Thank you!          '],
    ],
  ])('shows %j as two lines of 20', (state, lines) => {
    expect(poleDisplayLines(state, en.getFixedT('en', 'display'))).toEqual(lines);
  });

  it.each([
    ['Extra virgin olive oil 750 ml', '€12.99', 'Extra virgin  €12.99'],
    ['绿茶饮料五百毫升装特价', '¥3.50', '绿茶饮料五百毫 ¥3.50'],
    ['TOTAL', '', 'TOTAL               '],
  ])('fits %j and %j in 20 columns', (left, right, line) => {
    expect(poleLine(left, right)).toBe(line);
  });

  it('sends each change once and never throws when the display is missing', async () => {
    const fake = createFakeBridge();
    fake.handle('hardware.showOnDisplay', () => Promise.resolve(ok({ done: true as const })));
    const mirror = createPoleDisplayMirror(fake.desktop, en);
    expect(await mirror(SALE)).toBe(true);
    expect(await mirror(SALE)).toBe(true);
    expect(fake.calls.filter((call) => call.command === 'hardware.showOnDisplay')).toEqual([
      {
        command: 'hardware.showOnDisplay',
        input: { lines: ['Dark chocolate €2.99', 'TOTAL          €8.71'] },
      },
    ]);
    fake.handle('hardware.showOnDisplay', () => Promise.resolve(refused('unavailable', 'No pole display.')));
    expect(await mirror({ kind: 'idle', locale: 'zh-CN' })).toBe(false);
    expect(fake.calls.at(-1)?.input).toEqual({ lines: ['欢迎光临            ', 'Omnitill            '] });
  });
});
