/**
 * The immutable records the till writes and everyone else reads: a completed sale, a completed
 * return, cash movements and shift boundaries. They are the payloads of the `events` outbox, the
 * source of receipts, the snapshot a return is refunded from, and the input of X/Z reports. Every
 * amount in them was computed once, at the till, and is never recomputed from today's prices.
 *
 * Amounts are minor units (`Minor`), quantities thousandths, rates millionths (see money.ts).
 * Times are ISO 8601 strings with offset (UTC `Z` from the till clock).
 *
 * Invariants of a SaleRecord (checked by `assertSaleRecordBalanced` in tests and on the server):
 * - Σ lines.total = total; Σ lines.tax = tax = Σ taxes.amount; Σ lines.discount = discount;
 * - for each line: net = gross − discount ≥ 0; total = net (tax-inclusive) or net + tax (exclusive);
 * - Σ tenders.amount = total + cashRounding; change = Σ (cash tenders' received − amount).
 */
import type { Minor } from './money.ts';
import type { ApprovalRecord } from './permissions.ts';

export type Unit = 'each' | 'kg' | 'g' | 'lb' | 'm';

export type TenderType = 'cash' | 'card' | 'gift_card' | 'store_credit';

export interface AppliedDiscount {
  readonly source: 'promotion' | 'coupon' | 'manual';
  /** Set for promotion and coupon discounts. */
  readonly promotionId?: string;
  readonly couponCode?: string;
  /** `order` discounts are allocated over lines; each line carries its share. */
  readonly scope: 'line' | 'order';
  /** Shown on the receipt, e.g. "3 for 10.00", "10 % off Dairy". */
  readonly description: string;
  /** Amount taken off this line, in the line's price mode (inclusive or exclusive). Positive. */
  readonly amount: Minor;
}

export interface LineTax {
  /** The tax rate's id (a jurisdiction's rate within a tax class). */
  readonly taxId: string;
  readonly name: string;
  /** Millionths: 200_000 = 20 %. */
  readonly rate: number;
  /** The taxable amount, net of tax. */
  readonly base: Minor;
  readonly amount: Minor;
}

export interface PriceSource {
  readonly priceBookId: string;
  readonly priceId: string;
  /** The version of the price row used; HQ edits bump it. */
  readonly version: number;
}

export interface SaleLineRecord {
  readonly lineId: string;
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly categoryId: string;
  readonly taxClassId: string;
  readonly unit: Unit;
  /** The code scanned, if the line was scanned. */
  readonly barcode?: string;
  /** Thousandths of `unit`. */
  readonly quantity: number;
  /** Price per unit actually used (after any override), in the sale's price mode. */
  readonly unitPrice: Minor;
  /** The price row resolved for the sale's instant; null when the price came from the barcode. */
  readonly priceSource: PriceSource | null;
  /** The resolved unit price before a manual override, when there was one. */
  readonly overriddenFrom?: Minor;
  /** unitPrice × quantity, rounded once. */
  readonly gross: Minor;
  readonly discounts: readonly AppliedDiscount[];
  readonly discount: Minor;
  readonly net: Minor;
  readonly taxes: readonly LineTax[];
  readonly tax: Minor;
  /** What the customer pays for this line. */
  readonly total: Minor;
}

/** A line removed from the sale before completion; kept for the Z report's void figures. */
export interface VoidedLineRecord {
  readonly lineId: string;
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  /** The line's gross value when it was voided. */
  readonly amount: Minor;
  readonly voidedBy: string;
  readonly voidedAt: string;
}

export interface TaxSummaryRecord {
  readonly taxId: string;
  readonly name: string;
  readonly rate: number;
  readonly base: Minor;
  readonly amount: Minor;
}

export interface TenderRecord {
  readonly tenderId: string;
  readonly type: TenderType;
  /** Amount applied to the sale (or paid out, on a return). Positive. */
  readonly amount: Minor;
  /** Cash handed over by the customer (cash tenders only); change = received − amount. */
  readonly received?: Minor;
  /**
   * The payment terminal's transaction reference, or the gift card / store-credit account id.
   * Never a card number: the POS never sees one.
   */
  readonly reference?: string;
  readonly approvalCode?: string;
  /** Card scheme and last four digits as the terminal reported them, for the receipt. */
  readonly cardBrand?: string;
  readonly cardLast4?: string;
}

export interface SaleRecord {
  readonly saleId: string;
  /** Human-facing receipt number, unique per store (e.g. "S01-T02-000123"). */
  readonly receiptNumber: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly cashierId: string;
  readonly customerId?: string;
  readonly currency: string;
  readonly pricesIncludeTax: boolean;
  readonly openedAt: string;
  readonly completedAt: string;
  readonly lines: readonly SaleLineRecord[];
  readonly voidedLines: readonly VoidedLineRecord[];
  readonly couponCodes: readonly string[];
  /** Σ lines.gross */
  readonly subtotal: Minor;
  /** Σ lines.discount */
  readonly discount: Minor;
  /** Σ lines.tax */
  readonly tax: Minor;
  /** Amount due: Σ lines.total */
  readonly total: Minor;
  /** Cash rounding applied to the amount collected (collected − total); 0 without cash. */
  readonly cashRounding: Minor;
  readonly taxes: readonly TaxSummaryRecord[];
  readonly tenders: readonly TenderRecord[];
  readonly change: Minor;
  readonly approvals: readonly ApprovalRecord[];
}

export type ReturnDisposition = 'restock' | 'write_off';

export interface ReturnLineRecord {
  readonly returnLineId: string;
  /** The sale line it returns; absent for a no-receipt return. */
  readonly originalLineId?: string;
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  /** Refunded for this line: its share of what was paid, tax included where it was charged. */
  readonly total: Minor;
  readonly net: Minor;
  readonly discount: Minor;
  readonly taxes: readonly LineTax[];
  readonly tax: Minor;
  readonly disposition: ReturnDisposition;
  readonly reason: string;
}

export interface ReturnRecord {
  readonly returnId: string;
  readonly receiptNumber: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly cashierId: string;
  readonly customerId?: string;
  /** The sale returned against; absent for a no-receipt return. */
  readonly originalSaleId?: string;
  readonly originalReceiptNumber?: string;
  readonly currency: string;
  readonly createdAt: string;
  readonly lines: readonly ReturnLineRecord[];
  /** Σ lines.total: what the customer gets back. */
  readonly total: Minor;
  readonly tax: Minor;
  readonly taxes: readonly TaxSummaryRecord[];
  /** Cash rounding of a cash refund (paid − total), 0 otherwise. */
  readonly cashRounding: Minor;
  /** How the refund was paid out, tender by tender. Amounts positive. */
  readonly refunds: readonly TenderRecord[];
  readonly noReceipt: boolean;
  /** The sale of the replacement goods when this return is half of an exchange. */
  readonly exchangeSaleId?: string;
  readonly approvals: readonly ApprovalRecord[];
}

export type CashMovementKind = 'paid_in' | 'paid_out' | 'drop' | 'no_sale';

export interface CashMovementRecord {
  readonly movementId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly staffId: string;
  readonly kind: CashMovementKind;
  readonly currency: string;
  /** Positive; the kind says the direction (paid_in adds to the drawer, paid_out and drop take). */
  readonly amount: Minor;
  readonly reason: string;
  readonly at: string;
  readonly approvals: readonly ApprovalRecord[];
}

export interface ShiftOpenedRecord {
  readonly shiftId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly openedBy: string;
  readonly openedAt: string;
  readonly currency: string;
  /** The counted float in the drawer at opening. */
  readonly openingFloat: Minor;
}

export interface DenominationCount {
  /** Face value in minor units (a 20.00 note = 2000). */
  readonly value: Minor;
  readonly count: number;
}

export interface TenderCount {
  readonly type: TenderType;
  readonly expected: Minor;
  readonly counted: Minor;
  /** counted − expected */
  readonly variance: Minor;
}

export interface ShiftClosedRecord {
  readonly shiftId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly closedBy: string;
  readonly closedAt: string;
  readonly currency: string;
  /** The Z report's number, gap-free per device. */
  readonly zNumber: number;
  /** The blind cash count by denomination. */
  readonly cashCount: readonly DenominationCount[];
  readonly tenders: readonly TenderCount[];
  readonly approvals: readonly ApprovalRecord[];
}
