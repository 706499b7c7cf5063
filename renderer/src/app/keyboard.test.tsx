import { fireEvent, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { attachKeyboard, ScanBus } from './keyboard.ts';

const submitted: string[] = [];

function Field(): ReactElement {
  const [value, setValue] = useState('');
  return (
    <>
      <input
        aria-label="field"
        type="text"
        value={value}
        onChange={(event) => {
          setValue(event.currentTarget.value);
        }}
      />
      <button type="button" onClick={() => submitted.push(value)}>
        Charge
      </button>
    </>
  );
}

const detachers: (() => void)[] = [];

afterEach(() => {
  for (const detach of detachers.splice(0)) detach();
  submitted.length = 0;
});

function setup() {
  const scans: string[] = [];
  const keys: string[] = [];
  const typed: string[] = [];
  const rejections: string[] = [];
  const view = render(<Field />);
  const field = view.getByLabelText('field') as HTMLInputElement;
  detachers.push(
    attachKeyboard({
      doc: document,
      onScan: (text) => scans.push(text),
      onRejection: (rejection) => rejections.push(rejection.code),
      onKey: (event) => {
        if (event.key === 'F12') {
          keys.push(event.key);
          return true;
        }
        return false;
      },
      onType: (text) => typed.push(text),
    }),
  );
  return { scans, keys, typed, rejections, field };
}

/** Keys as a scanner sends them: all in the same millisecond. */
function burst(keys: readonly string[], target: Element): void {
  for (const key of keys)
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 80));

describe('the keyboard wedge on the document', () => {
  it('takes a scan burst as a scan and types none of it into the focused field', async () => {
    const { scans, field } = setup();
    field.focus();
    burst([...Array.from('4006381333931'), 'Enter'], field);
    await settle();
    expect(scans).toEqual(['4006381333931']);
    expect(field.value).toBe('');
  });

  it('lets a person type into the field, at a person speed', async () => {
    const { scans, field } = setup();
    const user = userEvent.setup({ delay: 45 });
    await user.click(field);
    await user.keyboard('apple juice');
    await settle();
    expect(field.value).toBe('apple juice');
    expect(scans).toEqual([]);
  });

  it('types a short fast burst (a quick typist, not a scanner) into the field in order', async () => {
    const { scans, field } = setup();
    field.focus();
    burst(['a', 'b', 'c'], field);
    await settle();
    expect(field.value).toBe('abc');
    expect(scans).toEqual([]);
  });

  it('delivers held keys before a click acts, however soon the click comes', () => {
    const { field } = setup();
    field.focus();
    // Typed fast, then the button pressed inside the hold (a busy machine's timers fire late): the
    // click must see the amount, and the keys must not land elsewhere afterwards.
    burst(['2', '.', '5', '0'], field);
    const charge = field.parentElement?.querySelector('button');
    if (!charge) throw new Error('no button');
    fireEvent.pointerDown(charge);
    fireEvent.mouseDown(charge);
    fireEvent.click(charge);
    expect(submitted).toEqual(['2.50']);
    expect(field.value).toBe('2.50');
  });

  it('never fires a shortcut from inside a scan, and still fires it by hand', async () => {
    const { scans, keys, field } = setup();
    field.focus();
    burst([...Array.from('12345678'), 'Enter'], field);
    await settle();
    expect(keys).toEqual([]);
    expect(scans).toEqual(['12345678']);
    burst(['F12'], field);
    expect(keys).toEqual(['F12']);
  });

  it('reports a burst whose end never arrived as a partial scan', async () => {
    const { scans, rejections, field } = setup();
    field.focus();
    burst(Array.from('4006381'), field);
    await settle();
    expect(scans).toEqual([]);
    expect(rejections).toEqual(['partial_scan']);
    expect(field.value).toBe('');
  });

  it('hands typing with no field focused to the till', async () => {
    const { typed } = setup();
    (document.activeElement as HTMLElement | null)?.blur();
    const user = userEvent.setup({ delay: 45 });
    await user.keyboard('7');
    await settle();
    expect(typed).toEqual(['7']);
  });
});

describe('the scan bus', () => {
  it('delivers to current listeners only', () => {
    const bus = new ScanBus();
    const got: string[] = [];
    const stop = bus.subscribe((text) => got.push(text));
    bus.emit('A');
    stop();
    bus.emit('B');
    expect(got).toEqual(['A']);
  });
});
