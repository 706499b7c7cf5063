/**
 * The pole display (a two-line VFD on the counter) shows a short version of the customer display:
 * two lines of 20 columns, label left and amount right. East Asian wide characters take two columns.
 * Mirroring is best effort: a missing or busy pole display never delays or fails a sale.
 */
import type { i18n as I18n, TFunction } from 'i18next';
import { languageFor } from '../i18n/i18n.ts';
import { formatMoney } from '../i18n/format.ts';
import type { Desktop } from '../platform/desktop.ts';
import type { CustomerDisplayState } from './display-state.ts';

export const POLE_COLUMNS = 20;

const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

function columns(char: string): number {
  return WIDE.test(char) ? 2 : 1;
}

function width(text: string): number {
  let total = 0;
  for (const char of text) total += columns(char);
  return total;
}

/** The longest start of `text` that fits `max` columns. */
function cut(text: string, max: number): string {
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = columns(char);
    if (used + w > max) break;
    out += char;
    used += w;
  }
  return out;
}

/** `left` and `right` on one line of `POLE_COLUMNS`, `left` shortened to make room for `right`. */
export function poleLine(left: string, right = ''): string {
  const r = cut(right, POLE_COLUMNS);
  const room = POLE_COLUMNS - width(r) - (r === '' ? 0 : 1);
  const l = cut(left, Math.max(0, room));
  return l + ' '.repeat(POLE_COLUMNS - width(l) - width(r)) + r;
}

/** Pole displays have no non-breaking spaces in their character sets. */
function plainMoney(amount: number, currency: string, locale: string): string {
  return formatMoney(amount, currency, locale).replace(/[\u00a0\u202f]/gu, ' ');
}

export function poleDisplayLines(
  state: CustomerDisplayState,
  t: TFunction<'display'>,
): readonly [string, string] {
  switch (state.kind) {
    case 'idle':
      return [poleLine(t('pole.welcome')), poleLine(state.storeName ?? t('brand'))];
    case 'sale': {
      const money = (amount: number) => plainMoney(amount, state.currency, state.locale);
      const last = state.lines[state.lines.length - 1];
      const first =
        last === undefined ? poleLine(t('pole.welcome')) : poleLine(last.name, money(last.amount));
      return [first, poleLine(t('pole.total'), money(state.total))];
    }
    case 'paying': {
      const money = (amount: number) => plainMoney(amount, state.currency, state.locale);
      return [
        poleLine(t('pole.total'), money(state.total)),
        poleLine(t('pole.remaining'), money(state.remaining)),
      ];
    }
    case 'complete': {
      const money = (amount: number) => plainMoney(amount, state.currency, state.locale);
      return [poleLine(t('pole.change'), money(state.change)), poleLine(t('pole.thanks'))];
    }
  }
}

/**
 * Returns the function the till calls with each display state: it sends the two lines to the pole
 * display through `hardware.showOnDisplay`, skips a repeat of what is already shown (serial displays
 * are slow), and resolves false instead of throwing when the display cannot be reached.
 */
export function createPoleDisplayMirror(
  desktop: Desktop,
  i18n: I18n,
): (state: CustomerDisplayState) => Promise<boolean> {
  let shown: string | null = null;
  return async (state) => {
    const t = i18n.getFixedT(languageFor(state.locale), 'display');
    const lines = poleDisplayLines(state, t);
    const key = lines.join('\n');
    if (key === shown) return true;
    try {
      const result = await desktop.tryCall('hardware.showOnDisplay', { lines: [...lines] });
      shown = result.ok ? key : null;
      return result.ok;
    } catch {
      shown = null;
      return false;
    }
  };
}
