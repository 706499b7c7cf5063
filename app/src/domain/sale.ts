/**
 * The sale being rung up: an immutable value and pure transitions. Every transition returns a new
 * `Sale` and never mutates its input, so the renderer can keep the previous value for undo and the
 * server can replay the same steps. Clock and ids come in as parameters.
 *
 * States: open → tendering → completed, or voided; open ⇄ parked. Lines can change only while the
 * sale is open. Prices, promotions and tax are never stored on the lines: `priceSale` derives them
 * from the environment (price index, promotions, tax configuration, the sale's pricing instant),
 * so a change anywhere re-evaluates everything deterministically. `startTender` freezes the priced
 * sale, so a promotion ending or a price changing while the customer pays cannot move the total.
 */
import type { Product } from './catalog.ts';
import { DomainError } from './errors.ts';
import {
  QUANTITY_SCALE,
  RATE_SCALE,
  allocate,
  applyRate,
  currencyExponent,
  extendPrice,
  formatDecimal,
  formatMoney,
  type CashRoundingRule,
  type Minor,
} from './money.ts';
import {
  DEFAULT_ROLE_POLICIES,
  requirePermission,
  roleAllows,
  type Actor,
  type ApprovalRecord,
  type Permission,
  type Role,
  type RolePolicy,
} from './permissions.ts';
import { findPrice } from './prices.ts';
import type { PriceIndex } from './prices.ts';
import { applyPromotions } from './promotions.ts';
import type { Promotion, PromotionIndex, PromotionLine, PromotionResult } from './promotions.ts';
import type {
  AppliedDiscount,
  LineTax,
  PriceSource,
  SaleLineRecord,
  SaleRecord,
  TaxSummaryRecord,
  TenderType,
  Unit,
  VoidedLineRecord,
} from './records.ts';
import { computeTax } from './tax.ts';
import type { TaxConfig, TaxExemption, TaxIndex } from './tax.ts';

// ---------------------------------------------------------------------------------------------
// Types

export type SaleState = 'open' | 'parked' | 'tendering' | 'completed' | 'voided';

export interface SaleConfig {
  /** Largest quantity (thousandths of the unit) one line may hold; guards against a scale or keypad slip. */
  readonly maxQuantity: number;
  /** Scanning the product of the last line again adds one to it instead of opening a new line. */
  readonly mergeRepeatScans: boolean;
  readonly rolePolicies: Readonly<Record<Role, RolePolicy>>;
}

export const DEFAULT_SALE_CONFIG: SaleConfig = {
  maxQuantity: 999 * QUANTITY_SCALE,
  mergeRepeatScans: true,
  rolePolicies: DEFAULT_ROLE_POLICIES,
};

/** A manual discount: a rate in millionths of the amount, or a fixed amount in minor units. */
export type ManualDiscount =
  | { readonly kind: 'percent'; readonly rate: number; readonly reason?: string }
  | { readonly kind: 'amount'; readonly amount: Minor; readonly reason?: string };

export interface SaleLine {
  readonly lineId: string;
  readonly productId: string;
  readonly sku: string;
  readonly name: string;
  readonly categoryId: string;
  readonly taxClassId: string;
  /** The product's unit, or 'each' for a pack priced by its barcode. */
  readonly unit: Unit;
  readonly barcode?: string;
  /** Thousandths of `unit`. */
  readonly quantity: number;
  /** Unit price printed in a variable-measure barcode; the line then has no price-book source. */
  readonly embeddedPrice?: Minor;
  /** A unit price set by hand (permission `price.override`). */
  readonly priceOverride?: Minor;
  readonly manualDiscount?: ManualDiscount;
}

export interface SaleCustomer {
  readonly customerId: string;
  /** Feed price-book and promotion selection. */
  readonly groupIds: readonly string[];
  /** The customer's tax exemption, when they have one; takes precedence over the environment's. */
  readonly taxExemption?: TaxExemption;
}

interface TenderBase {
  readonly tenderId: string;
}

/** Cash handed over; how much of it applies (and the change) is derived when tenders are settled. */
export interface CashTender extends TenderBase {
  readonly type: 'cash';
  readonly received: Minor;
}

/** An approved card payment as the terminal reported it. Never holds a card number. */
export interface CardTender extends TenderBase {
  readonly type: 'card';
  readonly amount: Minor;
  readonly reference: string;
  readonly approvalCode?: string;
  readonly cardBrand?: string;
  readonly cardLast4?: string;
}

export interface AccountTender extends TenderBase {
  readonly type: 'gift_card' | 'store_credit';
  readonly amount: Minor;
  /** The gift card or store-credit account id. */
  readonly reference: string;
}

export type SaleTender = CashTender | CardTender | AccountTender;

export interface Sale {
  readonly saleId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly cashierId: string;
  readonly currency: string;
  readonly openedAt: string;
  readonly state: SaleState;
  readonly config: SaleConfig;
  readonly lines: readonly SaleLine[];
  readonly voidedLines: readonly VoidedLineRecord[];
  readonly customer?: SaleCustomer;
  readonly couponCodes: readonly string[];
  readonly orderDiscount?: ManualDiscount;
  readonly approvals: readonly ApprovalRecord[];
  /** The highest minimum age the cashier confirmed the customer meets during this sale (0: none). */
  readonly ageVerified: number;
  readonly parkedAt?: string;
  /** Frozen by `startTender`; what the customer pays while tendering and what `complete` records. */
  readonly priced?: PricedSale;
  readonly tenders: readonly SaleTender[];
  readonly completedAt?: string;
  readonly receiptNumber?: string;
}

/** Everything pricing needs that is not the sale itself. The till builds it from replicated data. */
export interface SaleEnvironment {
  readonly priceIndex: PriceIndex;
  /** Live promotions; pass a `PromotionIndex` (built once per sync) so re-pricing stays fast. */
  readonly promotions: readonly Promotion[] | PromotionIndex;
  /** The store's tax configuration, or its prepared index (`buildTaxIndex`) to save work per re-pricing. */
  readonly tax: TaxConfig | TaxIndex;
  /** A store- or session-level tax exemption; a customer's own exemption takes precedence. */
  readonly exemption?: TaxExemption;
  readonly storeId: string;
  /** The sale's pricing instant (epoch milliseconds): prices and promotions in force at this time apply. */
  readonly at: number;
  readonly cashRounding: CashRoundingRule;
}

/** A promotion that took something off the sale, with the text its discounts carry on the receipt. */
export interface PricedPromotion {
  readonly promotionId: string;
  readonly name: string;
  readonly description: string;
  readonly couponCode?: string;
  /** Σ over the lines. */
  readonly amount: Minor;
}

export interface PricedSale {
  readonly currency: string;
  readonly pricesIncludeTax: boolean;
  /** The pricing instant used. */
  readonly at: number;
  readonly lines: readonly SaleLineRecord[];
  /** Σ lines.gross */
  readonly subtotal: Minor;
  /** Σ lines.discount */
  readonly discount: Minor;
  /** Σ lines.tax */
  readonly tax: Minor;
  /** Σ lines.total: the amount due. */
  readonly total: Minor;
  readonly taxes: readonly TaxSummaryRecord[];
  /** Promotions that gave a discount, with their descriptions. */
  readonly promotions: readonly PricedPromotion[];
  /** Coupon codes on the sale that the promotion engine recognised. */
  readonly couponCodes: readonly string[];
  /** Coupon codes that match no live promotion; the till tells the cashier. */
  readonly unknownCoupons: readonly string[];
}

/** The approval `requirePermission` accepts: the record, and the approver's role from their PIN sign-in. */
export interface ApprovalGrant {
  readonly record: ApprovalRecord;
  readonly approverRole: Role;
}

/** Who does an action and when; `approval` is a manager's one-off approval when the actor lacks the right. */
export interface ActionContext {
  readonly actor: Actor;
  /** ISO 8601 time of the action (approvals and voids carry it). */
  readonly at: string;
  readonly approval?: ApprovalGrant;
}

// ---------------------------------------------------------------------------------------------
// State and permission helpers

const STATE_WORDS: Readonly<Record<SaleState, string>> = {
  open: 'open',
  parked: 'parked',
  tendering: 'being paid',
  completed: 'already completed',
  voided: 'voided',
};

/** Refuses `action` unless the sale is in one of `allowed`; the message says what the state is. */
export function assertSaleState(sale: Sale, allowed: readonly SaleState[], action: string): void {
  if (allowed.includes(sale.state)) return;
  throw new DomainError(
    'invalid_state',
    `Cannot ${action}: the sale is ${STATE_WORDS[sale.state]}${hintFor(sale.state)}.`,
    { state: sale.state, action },
  );
}

function hintFor(state: SaleState): string {
  switch (state) {
    case 'parked':
      return ' (resume it first)';
    case 'tendering':
      return ' (go back to the sale first)';
    case 'completed':
      return ' (corrections are made with a return)';
    case 'voided':
      return '';
    case 'open':
      return '';
  }
}

/**
 * Checks `permission` for the actor, falling back to the approval in `ctx`, and returns the sale's
 * approvals with the one used appended. An approval is single-use, must have been requested by the
 * actor and, when it names a line, must be for that line.
 */
function authorize(
  sale: Sale,
  ctx: ActionContext,
  permission: Permission,
  lineId?: string,
): readonly ApprovalRecord[] {
  const policies = sale.config.rolePolicies;
  if (roleAllows(ctx.actor.role, permission, policies)) return sale.approvals;
  const approval = ctx.approval;
  if (approval !== undefined) {
    const { record } = approval;
    if (sale.approvals.some((a) => a.approvalId === record.approvalId)) {
      throw new DomainError('approval_invalid', 'This approval has already been used; ask for a new one.', {
        permission,
      });
    }
    if (record.requestedBy !== ctx.actor.staffId) {
      throw new DomainError('approval_invalid', 'The approval was given to another staff member.', {
        permission,
      });
    }
    if (record.lineId !== undefined && record.lineId !== lineId) {
      throw new DomainError('approval_invalid', 'The approval was given for another line.', { permission });
    }
  }
  requirePermission(ctx.actor, permission, approval, policies);
  return approval === undefined ? sale.approvals : [...sale.approvals, approval.record];
}

/** Refuses `action` while tenders are on the sale; approved card payments must be reversed first. */
export function assertNoPayments(sale: Sale, action: string): void {
  if (sale.tenders.length === 0) return;
  if (sale.tenders.some((t) => t.type === 'card')) {
    throw new DomainError(
      'reversal_required',
      `Cannot ${action}: a card payment has been approved. Reverse it on the terminal first.`,
      { action },
    );
  }
  throw new DomainError('invalid_state', `Cannot ${action}: remove the payments taken first.`, {
    state: sale.state,
    action,
  });
}

function findLine(sale: Sale, lineId: string): { line: SaleLine; index: number } {
  const index = sale.lines.findIndex((l) => l.lineId === lineId);
  const line = sale.lines[index];
  if (line === undefined) {
    throw new DomainError('unknown_line', 'That line is no longer on the sale.', { lineId });
  }
  return { line, index };
}

function replaceLine(lines: readonly SaleLine[], index: number, line: SaleLine): SaleLine[] {
  const next = lines.slice();
  next[index] = line;
  return next;
}

function withoutKey<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const copy: Partial<T> = { ...value };
  Reflect.deleteProperty(copy, key);
  return copy as Omit<T, K>;
}

// ---------------------------------------------------------------------------------------------
// Opening, parking, voiding

export interface OpenSaleInput {
  readonly saleId: string;
  readonly storeId: string;
  readonly deviceId: string;
  readonly shiftId: string;
  readonly currency: string;
  /** ISO 8601. */
  readonly openedAt: string;
  readonly cashier: Actor;
  readonly config?: Partial<SaleConfig>;
}

export function openSale(input: OpenSaleInput): Sale {
  currencyExponent(input.currency);
  const config: SaleConfig = { ...DEFAULT_SALE_CONFIG, ...input.config };
  if (!Number.isSafeInteger(config.maxQuantity) || config.maxQuantity <= 0) {
    throw new RangeError(`maxQuantity must be a positive integer, got ${config.maxQuantity}`);
  }
  if (!roleAllows(input.cashier.role, 'sale.ring', config.rolePolicies)) {
    throw new DomainError('permission_denied', 'This staff member may not ring sales.', {
      permission: 'sale.ring',
    });
  }
  return {
    saleId: input.saleId,
    storeId: input.storeId,
    deviceId: input.deviceId,
    shiftId: input.shiftId,
    cashierId: input.cashier.staffId,
    currency: input.currency,
    openedAt: input.openedAt,
    state: 'open',
    config,
    lines: [],
    voidedLines: [],
    couponCodes: [],
    approvals: [],
    ageVerified: 0,
    tenders: [],
  };
}

/** Puts an open sale aside; it keeps its lines, customer, coupons and approvals. */
export function parkSale(sale: Sale, ctx: Pick<ActionContext, 'at'>): Sale {
  assertSaleState(sale, ['open'], 'park the sale');
  if (sale.lines.length === 0) {
    throw new DomainError('empty_sale', 'There is nothing to park: the sale has no lines.');
  }
  return { ...sale, state: 'parked', parkedAt: ctx.at };
}

export function resumeSale(sale: Sale): Sale {
  assertSaleState(sale, ['parked'], 'resume the sale');
  return { ...withoutKey(sale, 'parkedAt'), state: 'open' };
}

/** Abandons a sale that has taken no payment (permission `sale.void`). */
export function voidSale(sale: Sale, ctx: ActionContext): Sale {
  assertSaleState(sale, ['open', 'parked', 'tendering'], 'void the sale');
  assertNoPayments(sale, 'void the sale');
  const approvals = authorize(sale, ctx, 'sale.void');
  return { ...withoutKey(withoutKey(sale, 'priced'), 'parkedAt'), state: 'voided', approvals };
}

// ---------------------------------------------------------------------------------------------
// Lines

export interface AddLineInput {
  /** Used when a new line is opened; ignored when the scan merges into the last line. */
  readonly lineId: string;
  readonly product: Product;
  /** Thousandths; for products sold by the piece only (default 1 piece). */
  readonly quantity?: number;
  /** Thousandths of the product's unit, from the scale or a weight-embedded barcode; required for weighed products. */
  readonly weight?: number;
  /** The price printed in a price-embedded barcode: the line becomes one pack at that price. */
  readonly embeddedPrice?: Minor;
  readonly barcode?: string;
  /** The cashier confirmed the customer meets the product's minimum age. */
  readonly ageConfirmed?: boolean;
  /**
   * A unit price keyed in at the scan (permission `price.override`): how an item with no price in
   * the price book is sold. An approval for it names the new line's id.
   */
  readonly priceOverride?: Minor;
}

function assertQuantity(sale: Sale, quantity: number, unit: Unit, name: string): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) {
    throw new DomainError('invalid_quantity', `The quantity of ${name} must be more than zero.`, {
      quantity,
    });
  }
  if (unit === 'each' && quantity % QUANTITY_SCALE !== 0) {
    throw new DomainError('invalid_quantity', `${name} is sold by the piece: enter a whole number.`, {
      quantity,
    });
  }
  if (quantity > sale.config.maxQuantity) {
    throw new DomainError(
      'invalid_quantity',
      `${formatDecimal(quantity, 3)} is more than the ${formatDecimal(sale.config.maxQuantity, 3)} one line may hold.`,
      { quantity, max: sale.config.maxQuantity },
    );
  }
}

function canMerge(last: SaleLine | undefined, input: AddLineInput): last is SaleLine {
  return (
    last?.productId === input.product.id &&
    last.unit === 'each' &&
    input.product.unit === 'each' &&
    input.embeddedPrice === undefined &&
    input.priceOverride === undefined &&
    last.embeddedPrice === undefined &&
    last.priceOverride === undefined &&
    last.manualDiscount === undefined
  );
}

/**
 * Adds a product to the sale, or adds to the last line when the same product is scanned again
 * (config `mergeRepeatScans`). The product must have a price at the sale's instant unless the
 * barcode carried one. Age-restricted products need the cashier's confirmation or `age.override`.
 */
export function addLine(sale: Sale, env: SaleEnvironment, input: AddLineInput, ctx: ActionContext): Sale {
  assertSaleState(sale, ['open'], 'add an item');
  const { product } = input;
  if (!product.active || !product.sellable) {
    throw new DomainError('product_not_sellable', `${product.name} cannot be sold at the till.`, {
      productId: product.id,
    });
  }
  const measured = product.unit !== 'each' && input.embeddedPrice === undefined;
  let quantity: number;
  if (measured) {
    if (input.weight === undefined) {
      throw new DomainError('invalid_quantity', `Weigh ${product.name} first (sold per ${product.unit}).`, {
        productId: product.id,
      });
    }
    if (input.quantity !== undefined)
      throw new RangeError('a weighed product takes a weight, not a quantity');
    quantity = input.weight;
  } else {
    if (input.weight !== undefined) {
      throw new DomainError('invalid_quantity', `${product.name} is sold by the piece, not by weight.`, {
        productId: product.id,
      });
    }
    quantity = input.quantity ?? QUANTITY_SCALE;
  }
  const unit: Unit = measured ? product.unit : 'each';
  assertQuantity(sale, quantity, unit, product.name);
  if (
    input.embeddedPrice !== undefined &&
    (!Number.isSafeInteger(input.embeddedPrice) || input.embeddedPrice < 0)
  ) {
    throw new DomainError('invalid_barcode', 'The price in the barcode is not valid.', {
      productId: product.id,
    });
  }

  const last = sale.lines[sale.lines.length - 1];
  if (sale.config.mergeRepeatScans && canMerge(last, input)) {
    const merged = last.quantity + quantity;
    assertQuantity(sale, merged, 'each', product.name);
    return { ...sale, lines: replaceLine(sale.lines, sale.lines.length - 1, { ...last, quantity: merged }) };
  }

  if (sale.lines.some((l) => l.lineId === input.lineId)) {
    throw new RangeError(`line id ${input.lineId} is already used on sale ${sale.saleId}`);
  }

  let approvals = sale.approvals;
  let ageVerified = sale.ageVerified;
  const minimumAge = product.minimumAge ?? 0;
  if (minimumAge > ageVerified) {
    if (input.ageConfirmed === true) {
      ageVerified = minimumAge;
    } else if (
      ctx.approval === undefined &&
      !roleAllows(ctx.actor.role, 'age.override', sale.config.rolePolicies)
    ) {
      throw new DomainError(
        'age_restricted',
        `${product.name} is for customers aged ${minimumAge} or over: check and confirm the customer's age.`,
        { productId: product.id, minimumAge },
      );
    } else {
      approvals = authorize(sale, ctx, 'age.override', input.lineId);
    }
  }

  if (input.priceOverride !== undefined) {
    assertPrice(input.priceOverride, input.lineId);
    approvals = authorize({ ...sale, approvals }, ctx, 'price.override', input.lineId);
  }

  const line: SaleLine = {
    lineId: input.lineId,
    productId: product.id,
    sku: product.sku,
    name: product.name,
    categoryId: product.categoryId,
    taxClassId: product.taxClassId,
    unit,
    quantity,
    ...(input.barcode === undefined ? {} : { barcode: input.barcode }),
    ...(input.embeddedPrice === undefined ? {} : { embeddedPrice: input.embeddedPrice }),
    ...(input.priceOverride === undefined ? {} : { priceOverride: input.priceOverride }),
  };
  // Refuse an unpriced item at the scan, where the cashier can act on it, not later at the total.
  resolveLinePrice(line, env, pricingContext(sale, env));
  return { ...sale, lines: [...sale.lines, line], approvals, ageVerified };
}

/**
 * Changes the number of pieces on a line. Taking pieces off is a partial void: it needs `line.void`
 * and is recorded in `voidedLines` for the Z report.
 */
export function setQuantity(
  sale: Sale,
  env: SaleEnvironment,
  lineId: string,
  quantity: number,
  ctx: ActionContext,
): Sale {
  assertSaleState(sale, ['open'], 'change the quantity');
  const { line, index } = findLine(sale, lineId);
  if (line.unit !== 'each') {
    throw new DomainError('invalid_quantity', `${line.name} is sold by weight: weigh it again instead.`, {
      lineId,
    });
  }
  assertQuantity(sale, quantity, line.unit, line.name);
  if (quantity === line.quantity) return sale;
  let approvals = reauthorizeAmountDiscount(sale, env, line, quantity, ctx);
  let voidedLines = sale.voidedLines;
  if (quantity < line.quantity) {
    approvals = authorize({ ...sale, approvals }, ctx, 'line.void', lineId);
    const unitPrice = unitPriceOrZero(line, env, sale);
    const removed = line.quantity - quantity;
    voidedLines = [
      ...voidedLines,
      {
        lineId,
        productId: line.productId,
        name: line.name,
        quantity: removed,
        amount: extendPrice(unitPrice, line.quantity) - extendPrice(unitPrice, quantity),
        voidedBy: ctx.actor.staffId,
        voidedAt: ctx.at,
      },
    ];
  }
  return { ...sale, lines: replaceLine(sale.lines, index, { ...line, quantity }), approvals, voidedLines };
}

/** Replaces the weight (thousandths of the unit) of a weighed line, e.g. after re-weighing. */
export function setWeight(
  sale: Sale,
  env: SaleEnvironment,
  lineId: string,
  weight: number,
  ctx: ActionContext,
): Sale {
  assertSaleState(sale, ['open'], 'change the weight');
  const { line, index } = findLine(sale, lineId);
  if (line.unit === 'each') {
    throw new DomainError('invalid_quantity', `${line.name} is sold by the piece, not by weight.`, {
      lineId,
    });
  }
  assertQuantity(sale, weight, line.unit, line.name);
  const approvals = reauthorizeAmountDiscount(sale, env, line, weight, ctx);
  return { ...sale, lines: replaceLine(sale.lines, index, { ...line, quantity: weight }), approvals };
}

/** Removes a line (permission `line.void`); it is kept in `voidedLines` with its value at the time. */
export function voidLine(sale: Sale, env: SaleEnvironment, lineId: string, ctx: ActionContext): Sale {
  assertSaleState(sale, ['open'], 'void a line');
  const { line } = findLine(sale, lineId);
  const approvals = authorize(sale, ctx, 'line.void', lineId);
  const voided: VoidedLineRecord = {
    lineId,
    productId: line.productId,
    name: line.name,
    quantity: line.quantity,
    amount: extendPrice(unitPriceOrZero(line, env, sale), line.quantity),
    voidedBy: ctx.actor.staffId,
    voidedAt: ctx.at,
  };
  return {
    ...sale,
    lines: sale.lines.filter((l) => l.lineId !== lineId),
    voidedLines: [...sale.voidedLines, voided],
    approvals,
  };
}

/**
 * Sets a line's unit price by hand (permission `price.override`), or clears the override with
 * `null`. Overridden lines take no promotions; the record keeps the price they replaced.
 */
export function overridePrice(sale: Sale, lineId: string, unitPrice: Minor | null, ctx: ActionContext): Sale {
  assertSaleState(sale, ['open'], 'change a price');
  const { line, index } = findLine(sale, lineId);
  if (unitPrice === null) {
    return { ...sale, lines: replaceLine(sale.lines, index, withoutKey(line, 'priceOverride')) };
  }
  assertPrice(unitPrice, lineId);
  const approvals = authorize(sale, ctx, 'price.override', lineId);
  return {
    ...sale,
    lines: replaceLine(sale.lines, index, { ...line, priceOverride: unitPrice }),
    approvals,
  };
}

function assertPrice(unitPrice: Minor, lineId: string): void {
  if (!Number.isSafeInteger(unitPrice) || unitPrice < 0) {
    throw new DomainError('amount_out_of_range', 'A price must be zero or more, in whole minor units.', {
      lineId,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Manual discounts

function assertDiscountShape(discount: ManualDiscount, base: Minor, what: string): void {
  if (discount.kind === 'percent') {
    if (!Number.isSafeInteger(discount.rate) || discount.rate < 0 || discount.rate > RATE_SCALE) {
      throw new DomainError('invalid_discount', 'A discount must be between 0 % and 100 %.', {
        rate: discount.rate,
      });
    }
    return;
  }
  if (!Number.isSafeInteger(discount.amount) || discount.amount < 0) {
    throw new DomainError('invalid_discount', 'A discount cannot be negative.', { amount: discount.amount });
  }
  if (discount.amount > base) {
    throw new DomainError('invalid_discount', `The discount is more than ${what}.`, {
      amount: discount.amount,
      base,
    });
  }
}

/** Whether `discount` on `base` goes beyond the role's limit (a rate in millionths). */
function beyondLimit(discount: ManualDiscount, base: Minor, limit: number): boolean {
  if (discount.kind === 'percent') return discount.rate > limit;
  if (discount.amount === 0) return false;
  if (base === 0) return true;
  return BigInt(discount.amount) * BigInt(RATE_SCALE) > BigInt(limit) * BigInt(base);
}

function authorizeDiscount(
  sale: Sale,
  ctx: ActionContext,
  discount: ManualDiscount,
  base: Minor,
  lineId?: string,
): readonly ApprovalRecord[] {
  const limit = sale.config.rolePolicies[ctx.actor.role].maxManualDiscountRate;
  const permission: Permission = beyondLimit(discount, base, limit)
    ? 'discount.beyond_limit'
    : 'discount.manual';
  return authorize(sale, ctx, permission, lineId);
}

/**
 * A fixed-amount discount was authorised against the line's value when it was given; a smaller
 * quantity makes it a larger share, so the change must pass the same checks again.
 */
function reauthorizeAmountDiscount(
  sale: Sale,
  env: SaleEnvironment,
  line: SaleLine,
  quantity: number,
  ctx: ActionContext,
): readonly ApprovalRecord[] {
  const discount = line.manualDiscount;
  if (discount?.kind !== 'amount' || quantity >= line.quantity) return sale.approvals;
  const gross = extendPrice(resolveLinePrice(line, env, pricingContext(sale, env)).unitPrice, quantity);
  assertDiscountShape(discount, gross, `the line's new value; remove the discount first`);
  return authorizeDiscount(sale, ctx, discount, gross, line.lineId);
}

/**
 * Gives (or, with `null`, removes) a manual discount on one line: `discount.manual` within the
 * role's limit, `discount.beyond_limit` above it.
 */
export function setLineDiscount(
  sale: Sale,
  env: SaleEnvironment,
  lineId: string,
  discount: ManualDiscount | null,
  ctx: ActionContext,
): Sale {
  assertSaleState(sale, ['open'], 'give a discount');
  const { line, index } = findLine(sale, lineId);
  if (discount === null || isZeroDiscount(discount)) {
    return { ...sale, lines: replaceLine(sale.lines, index, withoutKey(line, 'manualDiscount')) };
  }
  const gross = extendPrice(resolveLinePrice(line, env, pricingContext(sale, env)).unitPrice, line.quantity);
  assertDiscountShape(discount, gross, `the line's value (${formatMoney(gross, sale.currency)})`);
  const approvals = authorizeDiscount(sale, ctx, discount, gross, lineId);
  return {
    ...sale,
    lines: replaceLine(sale.lines, index, { ...line, manualDiscount: discount }),
    approvals,
  };
}

/**
 * Gives (or removes) a manual discount on the whole order. It applies after line discounts and
 * promotions and is allocated over the lines in proportion to what is left on each.
 */
export function setOrderDiscount(
  sale: Sale,
  env: SaleEnvironment,
  discount: ManualDiscount | null,
  ctx: ActionContext,
): Sale {
  assertSaleState(sale, ['open'], 'give a discount');
  if (discount === null || isZeroDiscount(discount)) return withoutKey(sale, 'orderDiscount');
  const base = priceBeforeOrderDiscount(sale, env).lines.reduce((sum, l) => sum + l.gross - l.discount, 0);
  assertDiscountShape(discount, base, `the sale's value (${formatMoney(base, sale.currency)})`);
  const approvals = authorizeDiscount(sale, ctx, discount, base);
  return { ...sale, orderDiscount: discount, approvals };
}

function isZeroDiscount(discount: ManualDiscount): boolean {
  return discount.kind === 'percent' ? discount.rate === 0 : discount.amount === 0;
}

// ---------------------------------------------------------------------------------------------
// Customer and coupons

/** Attaches a customer; their groups select price books and promotions from now on. */
export function attachCustomer(sale: Sale, customer: SaleCustomer): Sale {
  assertSaleState(sale, ['open'], 'attach a customer');
  return { ...sale, customer };
}

export function detachCustomer(sale: Sale): Sale {
  assertSaleState(sale, ['open'], 'remove the customer');
  return withoutKey(sale, 'customer');
}

/** Adds a coupon code. Whether it matches a promotion shows in `priceSale(...).unknownCoupons`. */
export function addCoupon(sale: Sale, code: string): Sale {
  assertSaleState(sale, ['open'], 'add a coupon');
  const trimmed = code.trim();
  if (trimmed === '') {
    throw new DomainError('unknown_coupon', 'Enter or scan a coupon code.', { code });
  }
  // Codes match case-insensitively (as the promotion engine does), so one code counts once.
  if (sale.couponCodes.some((c) => c.toUpperCase() === trimmed.toUpperCase())) return sale;
  return { ...sale, couponCodes: [...sale.couponCodes, trimmed] };
}

export function removeCoupon(sale: Sale, code: string): Sale {
  assertSaleState(sale, ['open'], 'remove a coupon');
  const key = code.trim().toUpperCase();
  if (!sale.couponCodes.some((c) => c.toUpperCase() === key)) return sale;
  return { ...sale, couponCodes: sale.couponCodes.filter((c) => c.toUpperCase() !== key) };
}

// ---------------------------------------------------------------------------------------------
// Pricing

interface PricingContext {
  readonly at: number;
  readonly storeId: string;
  readonly customerGroupIds: readonly string[];
}

function taxConfigOf(env: SaleEnvironment): TaxConfig {
  return 'byClass' in env.tax ? env.tax.config : env.tax;
}

function pricingContext(sale: Sale, env: SaleEnvironment): PricingContext {
  return { at: env.at, storeId: env.storeId, customerGroupIds: sale.customer?.groupIds ?? [] };
}

interface LinePrice {
  readonly unitPrice: Minor;
  readonly source: PriceSource | null;
  readonly overriddenFrom?: Minor;
}

function resolveFromBook(line: SaleLine, env: SaleEnvironment, ctx: PricingContext): LinePrice {
  const found = findPrice(env.priceIndex, line.productId, ctx);
  if (found === undefined) throw noPrice(line, ctx);
  return found;
}

function noPrice(line: SaleLine, ctx: PricingContext): DomainError {
  return new DomainError(
    'no_price',
    `${line.name} (${line.sku}) has no price at this store now. Override the price or remove the item.`,
    { productId: line.productId, sku: line.sku, storeId: ctx.storeId, at: ctx.at },
  );
}

function resolveLinePrice(line: SaleLine, env: SaleEnvironment, ctx: PricingContext): LinePrice {
  const override = line.priceOverride;
  if (line.embeddedPrice !== undefined) {
    const embedded = line.embeddedPrice;
    return override === undefined
      ? { unitPrice: embedded, source: null }
      : { unitPrice: override, source: null, overriddenFrom: embedded };
  }
  if (override === undefined) return resolveFromBook(line, env, ctx);
  // An override is how an item with no price gets sold, so a missing price is not an error here.
  const base = findPrice(env.priceIndex, line.productId, ctx);
  return base === undefined
    ? { unitPrice: override, source: null }
    : { unitPrice: override, source: base.source, overriddenFrom: base.unitPrice };
}

function unitPriceOrZero(line: SaleLine, env: SaleEnvironment, sale: Sale): Minor {
  try {
    return resolveLinePrice(line, env, pricingContext(sale, env)).unitPrice;
  } catch (error) {
    // Voiding must work exactly when an item cannot be priced.
    if (error instanceof DomainError && error.code === 'no_price') return 0;
    throw error;
  }
}

function manualDescription(discount: ManualDiscount, fallback: string): string {
  const label = discount.reason?.trim() ?? '';
  const text = label === '' ? fallback : label;
  return discount.kind === 'percent' ? `${text} ${percentText(discount.rate)}` : text;
}

/** 125_000 → "12.5 %". */
export function percentText(rate: number): string {
  const text = formatDecimal(rate, 4).replace(/\.?0+$/, '');
  return `${text} %`;
}

interface DraftLine {
  readonly line: SaleLine;
  readonly price: LinePrice;
  readonly gross: Minor;
  readonly discounts: AppliedDiscount[];
  discount: Minor;
}

interface DraftPricing {
  readonly lines: DraftLine[];
  readonly promotions: PromotionResult;
}

function priceBeforeOrderDiscount(
  sale: Sale,
  env: SaleEnvironment,
): {
  readonly lines: readonly { readonly gross: Minor; readonly discount: Minor }[];
} {
  return draftPricing(sale, env);
}

function draftPricing(sale: Sale, env: SaleEnvironment): DraftPricing {
  const ctx = pricingContext(sale, env);
  const drafts: DraftLine[] = [];
  const promotionLines: PromotionLine[] = [];
  for (const line of sale.lines) {
    const price = resolveLinePrice(line, env, ctx);
    const gross = extendPrice(price.unitPrice, line.quantity);
    const discounts: AppliedDiscount[] = [];
    let manual = 0;
    const md = line.manualDiscount;
    if (md !== undefined) {
      // The cap keeps a line from going negative if its price fell after the discount was given.
      manual = Math.min(gross, md.kind === 'percent' ? applyRate(gross, md.rate, 'half-up') : md.amount);
      if (manual > 0) {
        discounts.push({
          source: 'manual',
          scope: 'line',
          description: manualDescription(md, 'Discount'),
          amount: manual,
        });
      }
    }
    drafts.push({ line, price, gross, discounts, discount: manual });
    promotionLines.push({
      lineId: line.lineId,
      productId: line.productId,
      categoryId: line.categoryId,
      quantity: line.quantity,
      unitPrice: price.unitPrice,
      gross,
      manualDiscount: manual,
      eligible: line.priceOverride === undefined,
      unit: line.unit,
    });
  }
  const promotions = applyPromotions(env.promotions, promotionLines, {
    at: env.at,
    storeId: env.storeId,
    customerGroupIds: ctx.customerGroupIds,
    couponCodes: sale.couponCodes,
    currency: sale.currency,
  });
  for (const draft of drafts) {
    const applied = promotions.lineDiscounts.get(draft.line.lineId);
    if (applied === undefined) continue;
    for (const d of applied) {
      if (d.amount === 0) continue;
      draft.discounts.push(d);
      draft.discount += d.amount;
    }
    if (draft.discount > draft.gross) {
      throw new RangeError(`promotions took line ${draft.line.lineId} below zero`);
    }
  }
  return { lines: drafts, promotions };
}

/**
 * Prices the sale at `env.at`: unit prices from the price index (or barcode / override), manual
 * line discounts, promotions (re-evaluated in full on every call, deterministically), the manual
 * order discount, then tax on what is left of each line.
 */
export function priceSale(sale: Sale, env: SaleEnvironment): PricedSale {
  if (env.storeId !== sale.storeId) {
    throw new RangeError(`sale ${sale.saleId} of store ${sale.storeId} priced for store ${env.storeId}`);
  }
  const indexCurrency = env.priceIndex.currency;
  if (indexCurrency !== null && indexCurrency !== sale.currency) {
    throw new RangeError(`sale in ${sale.currency} priced from a price index in ${indexCurrency}`);
  }
  const { lines: drafts, promotions } = draftPricing(sale, env);

  const od = sale.orderDiscount;
  if (od !== undefined && drafts.length > 0) {
    const remaining = drafts.map((d) => d.gross - d.discount);
    const base = remaining.reduce((sum, r) => sum + r, 0);
    const amount = Math.min(base, od.kind === 'percent' ? applyRate(base, od.rate, 'half-up') : od.amount);
    if (amount > 0) {
      // Proportional shares never exceed a line's remainder because amount ≤ base.
      const shares = allocate(amount, remaining);
      const description = manualDescription(od, 'Order discount');
      drafts.forEach((draft, i) => {
        const share = shares[i] ?? 0;
        if (share === 0) return;
        draft.discounts.push({ source: 'manual', scope: 'order', description, amount: share });
        draft.discount += share;
      });
    }
  }

  const exemption = sale.customer?.taxExemption ?? env.exemption;
  const taxResult = computeTax(
    drafts.map((d) => ({
      lineId: d.line.lineId,
      taxClassId: d.line.taxClassId,
      categoryId: d.line.categoryId,
      amount: d.gross - d.discount,
    })),
    env.tax,
    env.at,
    exemption,
  );
  const exemptionText = exemption === undefined ? '' : `Tax exemption (${exemption.reason.trim()})`;

  const inclusive = taxConfigOf(env).pricesIncludeTax;
  let subtotal = 0;
  let discount = 0;
  let tax = 0;
  let total = 0;
  const lines: SaleLineRecord[] = drafts.map((d) => {
    const lineTax = taxResult.lines.get(d.line.lineId);
    if (lineTax !== undefined && lineTax.exempted !== 0) {
      // An exempt customer does not pay the tax a tax-inclusive price holds. Taking it off as a
      // discount keeps total = net, and the receipt explains it under the line.
      d.discounts.push({
        source: 'manual',
        scope: 'line',
        description: exemptionText,
        amount: lineTax.exempted,
      });
      d.discount += lineTax.exempted;
    }
    const net = d.gross - d.discount;
    const taxes: readonly LineTax[] = lineTax?.taxes ?? [];
    const taxAmount = lineTax?.tax ?? 0;
    const lineTotal = inclusive ? net : net + taxAmount;
    subtotal += d.gross;
    discount += d.discount;
    tax += taxAmount;
    total += lineTotal;
    const { line, price } = d;
    return {
      lineId: line.lineId,
      productId: line.productId,
      sku: line.sku,
      name: line.name,
      categoryId: line.categoryId,
      taxClassId: line.taxClassId,
      unit: line.unit,
      ...(line.barcode === undefined ? {} : { barcode: line.barcode }),
      quantity: line.quantity,
      unitPrice: price.unitPrice,
      priceSource: price.source,
      ...(price.overriddenFrom === undefined ? {} : { overriddenFrom: price.overriddenFrom }),
      gross: d.gross,
      discounts: d.discounts,
      discount: d.discount,
      net,
      taxes,
      tax: taxAmount,
      total: lineTotal,
    };
  });

  const unknown = new Set(promotions.unknownCoupons);
  const firstDiscount = new Map<string, AppliedDiscount>();
  for (const line of lines) {
    for (const d of line.discounts) {
      if (d.promotionId !== undefined && !firstDiscount.has(d.promotionId))
        firstDiscount.set(d.promotionId, d);
    }
  }
  const applied = promotions.applied.map((p): PricedPromotion => {
    const d = firstDiscount.get(p.promotionId);
    return {
      promotionId: p.promotionId,
      name: p.name,
      description: d?.description ?? p.name,
      ...(d?.couponCode === undefined ? {} : { couponCode: d.couponCode }),
      amount: p.amount,
    };
  });
  return {
    currency: sale.currency,
    pricesIncludeTax: inclusive,
    at: env.at,
    lines,
    subtotal,
    discount,
    tax,
    total,
    taxes: taxResult.taxes,
    promotions: applied,
    couponCodes: sale.couponCodes.filter((c) => !unknown.has(c)),
    unknownCoupons: [...promotions.unknownCoupons],
  };
}

// ---------------------------------------------------------------------------------------------
// Record invariants

// Maximal runs of digits, single spaces or dashes allowed between them (how card numbers are written).
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;
const TRACK_DATA = /%B\d|;\d{12,19}=/;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True when `text` holds magnetic-stripe track data (a swipe read into a text field). */
export function looksLikeTrackData(text: string): boolean {
  return TRACK_DATA.test(text);
}

/**
 * True when `text` holds what could be a payment card number (a run of 13–19 digits, spaces or
 * dashes allowed, passing the Luhn check) or magnetic-stripe track data. The POS must never store
 * one; terminal references are shorter or fail the check.
 */
export function looksLikeCardNumber(text: string): boolean {
  if (looksLikeTrackData(text)) return true;
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

const TENDER_TYPES: ReadonlySet<TenderType> = new Set(['cash', 'card', 'gift_card', 'store_credit']);

/**
 * Throws a RangeError naming the first broken invariant of a SaleRecord (see records.ts). Used by
 * `complete`, by the tests, and by the server on every uploaded sale.
 */
export function assertSaleRecordBalanced(record: SaleRecord): void {
  const fail = (message: string): never => {
    throw new RangeError(`sale ${record.saleId}: ${message}`);
  };
  const isInt = (n: number): boolean => Number.isSafeInteger(n);
  let subtotal = 0;
  let discount = 0;
  let tax = 0;
  let total = 0;
  const lineIds = new Set<string>();
  for (const line of record.lines) {
    const id = line.lineId;
    if (lineIds.has(id)) fail(`line id ${id} appears twice`);
    lineIds.add(id);
    for (const [name, value] of [
      ['quantity', line.quantity],
      ['unitPrice', line.unitPrice],
      ['gross', line.gross],
      ['discount', line.discount],
      ['net', line.net],
      ['tax', line.tax],
      ['total', line.total],
    ] as const) {
      if (!isInt(value)) fail(`line ${id}: ${name} ${value} is not a whole number`);
    }
    if (line.quantity <= 0) fail(`line ${id}: quantity ${line.quantity} is not positive`);
    if (line.unitPrice < 0) fail(`line ${id}: unit price ${line.unitPrice} is negative`);
    // gross = unitPrice × quantity rounded once: within half a minor unit either way (any mode: within one).
    const exact = BigInt(line.unitPrice) * BigInt(line.quantity);
    const scaled = BigInt(line.gross) * BigInt(QUANTITY_SCALE);
    const gap = exact > scaled ? exact - scaled : scaled - exact;
    if (gap >= BigInt(QUANTITY_SCALE)) {
      fail(`line ${id}: gross ${line.gross} is not unit price ${line.unitPrice} × quantity ${line.quantity}`);
    }
    let lineDiscount = 0;
    for (const d of line.discounts) {
      if (!isInt(d.amount) || d.amount <= 0) fail(`line ${id}: discount amount ${d.amount} is not positive`);
      lineDiscount += d.amount;
    }
    if (lineDiscount !== line.discount) {
      fail(`line ${id}: discounts sum to ${lineDiscount}, not discount ${line.discount}`);
    }
    if (line.net !== line.gross - line.discount) {
      fail(`line ${id}: net ${line.net} ≠ gross ${line.gross} − discount ${line.discount}`);
    }
    if (line.net < 0) fail(`line ${id}: net ${line.net} is negative`);
    let lineTax = 0;
    for (const t of line.taxes) {
      if (!isInt(t.amount) || !isInt(t.base)) fail(`line ${id}: tax ${t.taxId} is not in whole minor units`);
      lineTax += t.amount;
    }
    if (lineTax !== line.tax) fail(`line ${id}: taxes sum to ${lineTax}, not tax ${line.tax}`);
    const expectedTotal = record.pricesIncludeTax ? line.net : line.net + line.tax;
    if (line.total !== expectedTotal) {
      fail(
        `line ${id}: total ${line.total} ≠ ${record.pricesIncludeTax ? 'net (tax-inclusive)' : 'net + tax'} ${expectedTotal}`,
      );
    }
    if (line.overriddenFrom !== undefined && line.overriddenFrom < 0)
      fail(`line ${id}: overriddenFrom is negative`);
    subtotal += line.gross;
    discount += line.discount;
    tax += line.tax;
    total += line.total;
  }
  if (subtotal !== record.subtotal) fail(`Σ lines.gross ${subtotal} ≠ subtotal ${record.subtotal}`);
  if (discount !== record.discount) fail(`Σ lines.discount ${discount} ≠ discount ${record.discount}`);
  if (tax !== record.tax) fail(`Σ lines.tax ${tax} ≠ tax ${record.tax}`);
  if (total !== record.total) fail(`Σ lines.total ${total} ≠ total ${record.total}`);
  const summaryTax = record.taxes.reduce((sum, t) => sum + t.amount, 0);
  if (summaryTax !== record.tax) fail(`Σ taxes.amount ${summaryTax} ≠ tax ${record.tax}`);

  let tendered = 0;
  let change = 0;
  let cash = false;
  for (const t of record.tenders) {
    if (!TENDER_TYPES.has(t.type)) fail(`tender ${t.tenderId}: unknown type ${t.type}`);
    if (!isInt(t.amount) || t.amount < 0) fail(`tender ${t.tenderId}: amount ${t.amount} is negative`);
    if (t.type === 'cash') {
      cash = true;
      const received = t.received ?? t.amount;
      if (received < t.amount) fail(`tender ${t.tenderId}: received ${received} < amount ${t.amount}`);
      change += received - t.amount;
    } else {
      if (t.amount === 0) fail(`tender ${t.tenderId}: a ${t.type} tender of zero`);
      if (t.received !== undefined) fail(`tender ${t.tenderId}: only cash has an amount received`);
    }
    if (t.cardLast4 !== undefined && !/^\d{4}$/.test(t.cardLast4)) {
      fail(`tender ${t.tenderId}: cardLast4 is not four digits`);
    }
    // Gift-card numbers are often Luhn-valid digit runs too, so only card tenders are screened.
    const screened =
      t.type === 'card' ? [t.reference, t.approvalCode, t.cardBrand, t.cardLast4] : [t.reference];
    const screen = t.type === 'card' ? looksLikeCardNumber : looksLikeTrackData;
    for (const text of screened) {
      if (text !== undefined && screen(text)) fail(`tender ${t.tenderId}: holds card data`);
    }
    tendered += t.amount;
  }
  if (tendered !== record.total + record.cashRounding) {
    fail(`Σ tenders ${tendered} ≠ total ${record.total} + cash rounding ${record.cashRounding}`);
  }
  if (record.cashRounding !== 0 && !cash) fail(`cash rounding ${record.cashRounding} without a cash tender`);
  if (change !== record.change) fail(`change ${record.change} ≠ Σ cash received − amount ${change}`);
}
