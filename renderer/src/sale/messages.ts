/**
 * What the till tells the cashier, as translation keys with parameters rather than text, so a message
 * raised in a controller shows in the screen's language. Business refusals from the domain
 * (`DomainError`) map to one key per code (`sale:errors.<code>`) with the figures the error carries;
 * amounts are formatted in the store's locale before they become parameters.
 */
import { isDomainError } from '@pos/app';
import type { DomainError } from '@pos/app';
import type { TFunction } from 'i18next';

export type MessageParams = Readonly<Record<string, string | number>>;

export interface Message {
  /** A namespaced i18next key, e.g. `sale:errors.unknown_product`. */
  readonly key: string;
  readonly params?: MessageParams;
}

export type NoticeTone = 'error' | 'warning' | 'info' | 'success';

export interface NoticeAction {
  readonly labelKey: string;
  readonly run: () => void;
}

export interface Notice {
  /** Increases with every notice, so the screen can tell a repeat of the same message from the old one. */
  readonly id: number;
  readonly tone: NoticeTone;
  readonly message: Message;
  readonly actions?: readonly NoticeAction[];
}

let nextNoticeId = 1;

export function notice(tone: NoticeTone, message: Message, actions?: readonly NoticeAction[]): Notice {
  return { id: nextNoticeId++, tone, message, ...(actions === undefined ? {} : { actions }) };
}

export function msg(key: string, params?: MessageParams): Message {
  return params === undefined ? { key } : { key, params };
}

/** The codes with their own translation; any other code falls back to the generic text. */
const TRANSLATED_CODES = new Set([
  'invalid_decimal',
  'amount_out_of_range',
  'invalid_rate',
  'invalid_barcode',
  'bad_check_digit',
  'invalid_barcode_config',
  'unknown_product',
  'product_not_sellable',
  'age_restricted',
  'invalid_quantity',
  'no_price',
  'invalid_tax_rule',
  'unknown_coupon',
  'invalid_discount',
  'invalid_state',
  'unknown_line',
  'empty_sale',
  'tender_not_covering',
  'tender_exceeds_due',
  'invalid_tender',
  'insufficient_balance',
  'reversal_required',
  'permission_denied',
  'approval_invalid',
]);

/**
 * The message for a domain refusal. `context` adds what the error does not carry (the product's
 * name) and amounts already formatted for the screen; the domain's English text is kept as
 * `detail` for the generic fallback.
 */
export function messageForDomainError(error: DomainError, context: MessageParams = {}): Message {
  const params: Record<string, string | number> = { detail: error.message };
  for (const [key, value] of Object.entries(error.params)) {
    if (typeof value !== 'boolean') params[key] = value;
  }
  Object.assign(params, context);
  if (error.code === 'invalid_quantity' && typeof error.params.max === 'number') {
    // Thousandths of the unit unless the caller formatted it for the locale.
    if (context.max === undefined) params.max = error.params.max / 1000;
    return msg('sale:errors.quantity_too_large', params);
  }
  if (error.code === 'permission_denied' && typeof error.params.permission === 'string') {
    return msg('sale:errors.permission_denied', params);
  }
  return msg(TRANSLATED_CODES.has(error.code) ? `sale:errors.${error.code}` : 'sale:errors.generic', params);
}

/** Any failure as a message: domain refusals by code, anything else as "something went wrong" with its text. */
export function messageForError(error: unknown, context: MessageParams = {}): Message {
  if (isDomainError(error)) return messageForDomainError(error, context);
  const detail = error instanceof Error ? error.message : String(error);
  return msg('sale:errors.unexpected', { ...context, detail });
}

/** Renders a message with `t` (permission names are translated first). */
export function renderMessage(t: TFunction, message: Message): string {
  const params: Record<string, string | number> = { ...message.params };
  const permission = params.permission;
  if (typeof permission === 'string') {
    params.permissionName = t(`sale:permissions.${permission}`, { defaultValue: permission });
  }
  return t(message.key, params);
}
