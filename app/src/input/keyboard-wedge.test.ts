import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KeyboardWedgeDetector,
  type KeyboardWedgeConfig,
  type WedgeKeyEvent,
  type WedgeRejection,
} from './keyboard-wedge.ts';

interface Press {
  readonly key: string;
  /** Milliseconds since the previous key. */
  readonly gap: number;
  readonly ctrlKey?: boolean;
  readonly isComposing?: boolean;
}

/** What the page ends up with when a renderer applies the detector's decisions, firing its timer. */
interface Result {
  /** Characters that reached the focused field, in order. */
  readonly field: string;
  /** Non-character keys that reached the page (Enter, shortcuts, arrows). */
  readonly keys: string[];
  readonly scans: string[];
  readonly rejections: WedgeRejection['code'][];
  readonly replayed: number;
}

function run(presses: readonly Press[], config: Partial<KeyboardWedgeConfig> = {}, editable = true): Result {
  const detector = new KeyboardWedgeDetector(config);
  let field = '';
  const keys: string[] = [];
  const scans: string[] = [];
  const rejections: WedgeRejection['code'][] = [];
  let replayed = 0;
  const deliver = (event: WedgeKeyEvent): void => {
    if (event.key.length === 1 && event.ctrlKey !== true) field += event.key;
    else keys.push(event.ctrlKey === true ? `Ctrl+${event.key}` : event.key);
  };
  const collect = (out: {
    replay: readonly WedgeKeyEvent[];
    scans: readonly string[];
    rejections: readonly WedgeRejection[];
  }) => {
    replayed += out.replay.length;
    out.replay.forEach(deliver);
    scans.push(...out.scans);
    rejections.push(...out.rejections.map((r) => r.code));
  };
  let now = 1000;
  for (const press of presses) {
    now += press.gap;
    const deadline = detector.nextDeadline;
    // The renderer's timer fires 1 ms after the deadline, if the key comes later than that.
    if (deadline !== null && deadline + 1 < now) collect(detector.expire(deadline + 1));
    const event: WedgeKeyEvent = {
      key: press.key,
      timeStamp: now,
      targetEditable: editable,
      ...(press.ctrlKey === undefined ? {} : { ctrlKey: press.ctrlKey }),
      ...(press.isComposing === undefined ? {} : { isComposing: press.isComposing }),
    };
    const outcome = detector.onKey(event);
    collect(outcome);
    if (outcome.decision === 'pass') deliver(event);
  }
  const deadline = detector.nextDeadline;
  if (deadline !== null) collect(detector.expire(deadline + 1));
  expect(detector.nextDeadline).toBeNull();
  return { field, keys, scans, rejections, replayed };
}

const typed = (text: string, gap: number, first = 500): Press[] =>
  Array.from(text, (key, i) => ({ key, gap: i === 0 ? first : gap }));
const enter = (gap: number): Press => ({ key: 'Enter', gap });

describe('KeyboardWedgeDetector without a prefix', () => {
  it('lets a person type: every key reaches the field, in order, none is read as a scan', () => {
    expect(run([...typed('hello', 120), enter(150)])).toEqual({
      field: 'hello',
      keys: ['Enter'],
      scans: [],
      rejections: [],
      replayed: 5,
    });
  });

  it('takes a scanner burst with Enter as a scan; nothing reaches the field or the page', () => {
    expect(run([...typed('4006381333931', 8), enter(9)])).toEqual({
      field: '',
      keys: [],
      scans: ['4006381333931'],
      rejections: [],
      replayed: 0,
    });
  });

  it.each([
    ['a fast two-key roll', [...typed('ab', 15)], 'ab', []],
    ['a short fast word then Enter', [...typed('12', 20), enter(20)], '12', ['Enter']],
    ['four fast keys, one short of a scan', [...typed('abcd', 10), enter(10)], 'abcd', ['Enter']],
  ])('gives back %s as typing', (_case, presses, field, keys) => {
    expect(run(presses)).toMatchObject({ field, keys, scans: [] });
  });

  it('ignores Shift inside a burst (scanners press it for capitals)', () => {
    const presses: Press[] = [
      { key: 'Shift', gap: 500 },
      { key: 'A', gap: 2 },
      { key: 'Shift', gap: 3 },
      { key: 'B', gap: 2 },
      ...typed('-1234', 6, 6),
      enter(6),
    ];
    // The first Shift comes before anything is held and passes; a lone Shift types nothing.
    expect(run(presses)).toMatchObject({ field: '', keys: ['Shift'], scans: ['AB-1234'] });
  });

  it('refuses a burst whose Enter never comes, without typing it', () => {
    expect(run(typed('40063813', 8))).toMatchObject({ field: '', scans: [], rejections: ['partial_scan'] });
  });

  it('ends a burst at a pause when the scanner sends no suffix', () => {
    expect(run(typed('40063813', 8), { suffix: null })).toMatchObject({ field: '', scans: ['40063813'] });
  });

  it('refuses a burst broken by a control key, and the key still reaches the page', () => {
    const presses = [...typed('400638', 5), { key: 'ArrowLeft', gap: 5 }, ...typed('12', 5, 200)];
    expect(run(presses)).toMatchObject({
      field: '12',
      keys: ['ArrowLeft'],
      scans: [],
      rejections: ['invalid_scan'],
    });
  });

  it('passes shortcuts at once, after giving back held typing', () => {
    const presses: Press[] = [
      { key: 'x', gap: 500 },
      { key: 's', gap: 10, ctrlKey: true },
    ];
    expect(run(presses)).toMatchObject({ field: 'x', keys: ['Ctrl+s'], scans: [] });
  });

  it('never holds IME input', () => {
    const presses: Press[] = [
      { key: 'Process', gap: 500, isComposing: true },
      { key: 'か', gap: 5, isComposing: true },
    ];
    expect(run(presses)).toMatchObject({ keys: ['Process'], field: 'か', replayed: 0 });
  });

  it('keeps typing and a scan that follows it apart', () => {
    const presses = [...typed('qty', 110), ...typed('96385074', 7, 300), enter(7), ...typed('2', 0, 400)];
    expect(run(presses)).toMatchObject({ field: 'qty2', scans: ['96385074'], keys: [] });
  });

  it('swallows an overlong burst whole, with one refusal', () => {
    const presses = [...typed('x'.repeat(30), 5), enter(5)];
    expect(run(presses, { maxLength: 10 })).toMatchObject({
      field: '',
      keys: [],
      scans: [],
      rejections: ['invalid_scan'],
    });
  });

  it('carries the focus target on replayed keys', () => {
    const detector = new KeyboardWedgeDetector();
    const outcome = detector.onKey({ key: 'a', timeStamp: 0, targetEditable: false });
    expect(outcome.decision).toBe('consume');
    expect(detector.expire(31).replay).toEqual([{ key: 'a', timeStamp: 0, targetEditable: false }]);
  });

  it('releases held keys exactly after maxGapMs', () => {
    const detector = new KeyboardWedgeDetector({ maxGapMs: 30 });
    detector.onKey({ key: 'a', timeStamp: 100 });
    expect(detector.nextDeadline).toBe(130);
    expect(detector.expire(130).replay).toEqual([]);
    expect(detector.expire(131).replay).toHaveLength(1);
  });

  it('never reads a person typing at human speed as a scan (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyz0123456789 .,-')), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 31, max: 400 }), { minLength: 1, maxLength: 40 }),
        (chars, gaps) => {
          const presses = chars.map((key, i) => ({ key, gap: gaps[i % gaps.length] ?? 100 }));
          const result = run([...presses, enter(200)]);
          expect(result).toMatchObject({ field: chars.join(''), keys: ['Enter'], scans: [], rejections: [] });
        },
      ),
    );
  });

  it('reads every scanner burst as exactly its code (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9A-Z]{5,40}$/),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 40 }),
        (code, gaps) => {
          const presses = Array.from(code, (key, i) => ({
            key,
            gap: i === 0 ? 500 : (gaps[i % gaps.length] ?? 5),
          }));
          const result = run([...presses, enter(gaps[0] ?? 5)]);
          expect(result).toEqual({ field: '', keys: [], scans: [code], rejections: [], replayed: 0 });
        },
      ),
    );
  });
});

describe('KeyboardWedgeDetector with a prefix key', () => {
  const config = { prefix: '§' };

  it('lets typing through at once, holding nothing', () => {
    expect(run([...typed('hello', 10), enter(10)], config)).toEqual({
      field: 'hello',
      keys: ['Enter'],
      scans: [],
      rejections: [],
      replayed: 0,
    });
  });

  it('captures from the prefix to the suffix, short codes included', () => {
    expect(run([{ key: '§', gap: 500 }, ...typed('42', 9, 9), enter(9)], config)).toMatchObject({
      field: '',
      scans: ['42'],
    });
  });

  it('gives back a prefix key a person typed on its own', () => {
    expect(run([{ key: '§', gap: 500 }, ...typed('5', 0, 300)], config)).toMatchObject({
      field: '§5',
      scans: [],
    });
  });

  it('refuses a prefixed capture that loses its suffix', () => {
    expect(run([{ key: '§', gap: 500 }, ...typed('4006', 8, 8)], config)).toMatchObject({
      field: '',
      rejections: ['partial_scan'],
    });
  });
});

describe('configuration', () => {
  it.each<Partial<KeyboardWedgeConfig>>([
    { maxGapMs: 0 },
    { minLength: 0 },
    { maxLength: 2, minLength: 5 },
    { prefix: '' },
  ])('refuses %o', (config) => {
    expect(() => new KeyboardWedgeDetector(config)).toThrow(RangeError);
  });
});
