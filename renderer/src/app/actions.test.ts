import { describe, expect, it } from 'vitest';
import { ActionRegistry, matches, shortcutText } from './actions.ts';
import type { ActionDef, Shortcut } from './actions.ts';

interface State {
  mode: 'sale' | 'tender';
  lines: number;
}

function setup(): { registry: ActionRegistry<State>; state: State; ran: string[] } {
  const state: State = { mode: 'sale', lines: 0 };
  const ran: string[] = [];
  const registry = new ActionRegistry<State>(() => state);
  const def = (id: string, shortcuts: Shortcut[], enabled: (s: State) => boolean): ActionDef<State> => ({
    id,
    labelKey: `test:${id}`,
    shortcuts,
    enabled,
    run: () => {
      ran.push(id);
    },
  });
  registry.registerAll([
    def('exactCash', [{ key: 'F12', inFields: true }], (s) => s.mode === 'tender'),
    def('pay', [{ key: 'F12', inFields: true }, { key: 'Enter' }], (s) => s.mode === 'sale' && s.lines > 0),
    def('voidSale', [{ key: 'F8', shift: true, inFields: true }], (s) => s.lines > 0),
    def('voidLine', [{ key: 'F8', inFields: true }, { key: 'Delete' }], (s) => s.lines > 0),
    def('more', [{ code: 'NumpadAdd', inFields: true }], () => true),
  ]);
  return { registry, state, ran };
}

describe('the action registry', () => {
  it('runs an action only while it is enabled', () => {
    const { registry, state, ran } = setup();
    expect(registry.dispatch('pay')).toBe(false);
    state.lines = 2;
    expect(registry.dispatch('pay')).toBe(true);
    expect(ran).toEqual(['pay']);
  });

  it.each([
    ['F12 on the sale is Pay', { key: 'F12' }, false, 'sale', 'pay'],
    ['F12 on the payment panel is Exact cash', { key: 'F12' }, false, 'tender', 'exactCash'],
    ['F12 works inside the scan field', { key: 'F12' }, true, 'sale', 'pay'],
    ['Enter pays when no field has the focus', { key: 'Enter' }, false, 'sale', 'pay'],
    ['Enter in a field belongs to the field', { key: 'Enter' }, true, 'sale', null],
    ['Shift+F8 voids the sale, not the line', { key: 'F8', shiftKey: true }, true, 'sale', 'voidSale'],
    ['F8 alone voids the line', { key: 'F8' }, true, 'sale', 'voidLine'],
    ['Delete in a field deletes text', { key: 'Delete' }, true, 'sale', null],
    [
      'the keypad plus is told from the main plus by its code',
      { key: '+', code: 'NumpadAdd' },
      true,
      'sale',
      'more',
    ],
    ['the main keyboard plus is typing', { key: '+', code: 'Equal', shiftKey: true }, true, 'sale', null],
    ['Ctrl+F12 is not F12', { key: 'F12', ctrlKey: true }, false, 'sale', null],
  ] as const)('%s', (_name, event, inField, mode, expected) => {
    const { registry, state } = setup();
    state.mode = mode;
    state.lines = 1;
    expect(registry.match(event, inField)?.id ?? null).toBe(expected);
  });

  it('prints shortcuts the way the buttons show them', () => {
    expect(shortcutText({ key: 'F8', shift: true })).toBe('Shift+F8');
    expect(shortcutText({ code: 'NumpadAdd' })).toBe('Num +');
    expect(shortcutText({ key: 'Escape' })).toBe('Esc');
    const { registry } = setup();
    expect(registry.shortcutOf('pay')).toBe('F12');
    expect(registry.shortcutOf('missing')).toBe('');
  });

  it('removes what it registered, and tells its listeners', () => {
    const registry = new ActionRegistry<State>(() => ({ mode: 'sale', lines: 0 }));
    let changes = 0;
    registry.subscribe(() => changes++);
    const remove = registry.register({
      id: 'a',
      labelKey: 'a',
      shortcuts: [],
      enabled: () => true,
      run: () => undefined,
    });
    expect(registry.get('a')).toBeDefined();
    remove();
    expect(registry.get('a')).toBeUndefined();
    expect(changes).toBe(2);
  });

  it('keeps a failing action from breaking the keyboard', () => {
    const registry = new ActionRegistry<State>(() => ({ mode: 'sale', lines: 0 }));
    registry.register({
      id: 'boom',
      labelKey: 'boom',
      shortcuts: [],
      enabled: () => true,
      run: () => {
        throw new Error('boom');
      },
    });
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      expect(registry.dispatch('boom')).toBe(true);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });

  it('matches modifiers exactly', () => {
    expect(matches({ key: 'l', ctrl: true }, { key: 'l', metaKey: true }, false)).toBe(true);
    expect(matches({ key: 'l', ctrl: true }, { key: 'l' }, false)).toBe(false);
  });
});
