/**
 * Business errors of the domain core. Every refusal a cashier, associate or manager can meet is a
 * `DomainError` with a stable `code` (for programs and translations) and an English `message` a
 * person can act on. `params` carries the figures the message names, so the UI can translate it.
 *
 * Domain functions throw `DomainError` for business conditions and nothing else; a bare `Error`
 * escaping the core is a programming bug.
 */

export type DomainErrorCode =
  // money and numbers
  | 'invalid_decimal'
  | 'unknown_currency'
  | 'currency_mismatch'
  | 'amount_out_of_range'
  | 'invalid_rate'
  // catalog and barcodes
  | 'invalid_barcode'
  | 'bad_check_digit'
  | 'invalid_barcode_config'
  | 'unknown_product'
  | 'product_not_sellable'
  | 'age_restricted'
  | 'invalid_quantity'
  // prices, promotions and tax
  | 'no_price'
  | 'invalid_price_book'
  | 'invalid_promotion'
  | 'unknown_coupon'
  | 'invalid_tax_rule'
  | 'invalid_tax_exemption'
  | 'invalid_discount'
  // sale and tender
  | 'invalid_state'
  | 'unknown_line'
  | 'empty_sale'
  | 'tender_not_covering'
  | 'tender_exceeds_due'
  | 'invalid_tender'
  | 'insufficient_balance'
  | 'reversal_required'
  // returns
  | 'not_returnable'
  | 'return_exceeds_purchased'
  | 'return_window_expired'
  | 'return_over_limit'
  | 'invalid_return'
  // shift
  | 'invalid_shift'
  // permissions
  | 'permission_denied'
  | 'approval_invalid';

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly params: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    super(message);
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export type Result<T, E = DomainError> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Runs `fn` and turns a `DomainError` into a failed Result; any other throw is a bug and rethrows. */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
}
