/**
 * The promotion engine: which automatic and coupon promotions apply to a cart, and how much each
 * takes off each line. Pure and deterministic: the same promotions, lines (in any order) and
 * context give the same discounts on the till and on the server.
 *
 * Kinds
 * - `percent_off` / `amount_off` on items (products and/or categories): per unit. An amount is taken
 *   off the unit price of each unit (per kg, per m for weighed lines), capped at what the line
 *   still costs. On the whole order: once, on the eligible lines' total, allocated over them.
 * - `buy_x_get_y`: buy X units of set A, get Y units of set B at a percent off (100 % = free). Per
 *   application, the cheapest units of B are the discounted ones (as Shopify and Square do); the
 *   units "bought" are the cheapest remaining units of A, so dearer units stay free for other deals.
 * - `bundle_price`: N units from a set for a fixed price, mix and match, repeatable; bundles are
 *   filled from the dearest units down and only while a bundle actually saves money.
 * - `spend_threshold`: when the eligible lines (all, or a set) cost at least T after item-level
 *   promotions, a percent or amount off those lines.
 *
 * Units: only lines sold by the piece count for count-based kinds (buy X get Y, bundles), in whole
 * units (quantity / 1000, floored). Weighed lines (unit other than 'each', or a fractional quantity
 * when the unit is not given) take percent and amount offs only; for a per-unit cap, a weighed line
 * is one application.
 *
 * Combination rules (the evaluation of a chosen set of promotions runs in these phases):
 *  1. `exclusive` promotions, highest priority first: each takes the lines no earlier exclusive one
 *     took, and every line it discounts (or uses as a "buy" unit) gets no other promotion at all.
 *  2. Buy X get Y and bundles (never stackable): highest priority first, each unit is used by at
 *     most one of them.
 *  3. Non-stackable item percent/amount offs: each remaining unit gets the single best one.
 *  4. `stackable` item percent/amount offs: on top, on what each line still costs (those with a
 *     per-sale cap after the others).
 *  5. Order level: spend thresholds are measured on what the eligible lines cost after phases 1–4;
 *     of the non-stackable order promotions the best one applies, then the stackable ones, each on
 *     what the lines still cost. Order discounts are allocated over their lines (largest remainder,
 *     weights = what each line still costs) and carried on each line with scope 'order'.
 * A line never receives more than gross − manualDiscount, and no discount is negative.
 *
 * Choice: the engine looks for the set of promotions with the largest total discount for the
 * customer; it decides per promotion (on or off), never per application. A promotion whose presence
 * can only add to the total, by the phase order above, is always on. The others are "switchable":
 * exclusive ones, buy X get Y and bundles (they use up units), item offers with a per-sale cap, and
 * item offers on lines a spend threshold counts (they can pull it under its bar).
 *  - Few switchables (2^k evaluations fit a fixed work budget): every subset is evaluated.
 *  - Many: a layered search. (A) With exclusive promotions off, the count-based and capped offers
 *    are split into groups that share no line, and each group is searched alone on its own lines
 *    for the largest item-level discount (every subset if it fits the budget, otherwise greedily:
 *    add in order of standalone gain while the total grows, then drop any whose removal helps).
 *    (B) Exclusive promotions are then searched the same way over the whole cart. (C) A spend
 *    threshold still missed is retried with the item offers on its lines off, kept if that pays
 *    more. This can miss a mix found only by trading a deal in one group against a threshold or an
 *    exclusive elsewhere; it keeps a 100-line cart under 200 live promotions within 2 ms.
 * Ties between equal totals go to the result applying the higher-priority promotion (canonical
 * order: priority descending, then id), so every till makes the same choice.
 *
 * Coupons: a promotion with `couponCode` applies only when that code (trimmed, case-insensitive) is
 * presented. A presented code no live promotion carries (unknown, expired, other store or group) is
 * returned in `unknownCoupons`.
 */
import { DomainError } from './errors.ts';
import {
  allocate,
  applyRate,
  currencyExponent,
  divideRounded,
  formatDecimal,
  mulDiv,
  QUANTITY_SCALE,
  RATE_SCALE,
  type Minor,
} from './money.ts';
import type { AppliedDiscount, Unit } from './records.ts';

/** A set of items: a line is in it when its product or its category is listed. */
export interface ItemSet {
  readonly productIds: readonly string[];
  readonly categoryIds: readonly string[];
}

export type PromotionTarget = { readonly kind: 'order' } | ({ readonly kind: 'items' } & ItemSet);

export type SpendReward =
  | { readonly kind: 'percent'; /** millionths */ readonly percent: number }
  | { readonly kind: 'amount'; readonly amount: Minor };

interface PromotionCommon {
  readonly id: string;
  /** Shown on the receipt. */
  readonly name: string;
  /** Higher applies first where order matters, and wins ties. */
  readonly priority: number;
  /** Lines this promotion discounts get no other promotion. */
  readonly exclusive: boolean;
  /**
   * Percent/amount offs and spend thresholds only: applies on top of the non-stackable promotions
   * (default false: competes with them). Cannot be combined with `exclusive`.
   */
  readonly stackable?: boolean;
  /** Epoch ms, inclusive; null = since always. */
  readonly validFrom: number | null;
  /** Epoch ms, exclusive; null = until further notice. */
  readonly validTo: number | null;
  /** Empty = every store. */
  readonly storeIds: readonly string[];
  /** Empty = every customer, including anonymous ones. */
  readonly customerGroupIds: readonly string[];
  /** Applies only when this code is presented. */
  readonly couponCode?: string;
  /**
   * Per sale: units (a weighed line = 1) for item percent/amount offs, bundles or buy-X-get-Y
   * applications for count-based kinds. Not allowed on order-level promotions (those apply once).
   */
  readonly maxApplications?: number;
}

export interface PercentOffPromotion extends PromotionCommon {
  readonly kind: 'percent_off';
  readonly target: PromotionTarget;
  /** Millionths: 10 % = 100_000. */
  readonly percent: number;
}

export interface AmountOffPromotion extends PromotionCommon {
  readonly kind: 'amount_off';
  /** Items: off each unit's price (per kg for weighed lines). Order: once off the order. */
  readonly target: PromotionTarget;
  readonly amount: Minor;
}

export interface BuyXGetYPromotion extends PromotionCommon {
  readonly kind: 'buy_x_get_y';
  readonly buy: ItemSet;
  readonly buyQuantity: number;
  readonly get: ItemSet;
  readonly getQuantity: number;
  /** Off the "get" units, millionths; RATE_SCALE (100 %) = free. */
  readonly percent: number;
}

export interface BundlePricePromotion extends PromotionCommon {
  readonly kind: 'bundle_price';
  readonly items: ItemSet;
  /** N units … */
  readonly quantity: number;
  /** … for this price together. */
  readonly price: Minor;
}

export interface SpendThresholdPromotion extends PromotionCommon {
  readonly kind: 'spend_threshold';
  /** Lines whose spend counts and which share the reward; `order` = every eligible line. */
  readonly eligible: PromotionTarget;
  readonly threshold: Minor;
  readonly reward: SpendReward;
}

export type Promotion =
  | PercentOffPromotion
  | AmountOffPromotion
  | BuyXGetYPromotion
  | BundlePricePromotion
  | SpendThresholdPromotion;

export type PromotionKind = Promotion['kind'];

export interface PromotionLine {
  readonly lineId: string;
  readonly productId: string;
  readonly categoryId: string;
  /** Thousandths. */
  readonly quantity: number;
  readonly unitPrice: Minor;
  readonly gross: Minor;
  readonly manualDiscount: Minor;
  /** False when the price was overridden or the item is excluded from promotions. */
  readonly eligible: boolean;
  /** The product's unit; tells a weighed 1.000 kg line from one piece. Without it, only a fractional quantity marks a weighed line. */
  readonly unit?: Unit;
}

export interface PromotionContext {
  readonly at: number;
  readonly storeId: string;
  readonly customerGroupIds: readonly string[];
  readonly couponCodes: readonly string[];
  /** For the amounts written in descriptions ("3 for 10.00"); two decimals when absent. */
  readonly currency?: string;
}

export interface AppliedPromotion {
  readonly promotionId: string;
  readonly name: string;
  /** What it offers, as on the first line it discounted (an amount off differs per kg). */
  readonly description: PromotionDescription;
  readonly amount: Minor;
}

export interface PromotionResult {
  /** Every input line, with the discounts it receives in application order (empty when none). */
  readonly lineDiscounts: ReadonlyMap<string, readonly AppliedDiscount[]>;
  /** Promotions that took something off, priority order. */
  readonly applied: readonly AppliedPromotion[];
  readonly unknownCoupons: readonly string[];
  /** Σ applied amounts. */
  readonly total: Minor;
}

// ---------------------------------------------------------------------------------------------
// Validation

function describeRef(p: Promotion): string {
  return p.name === '' ? `Promotion ${p.id}` : `Promotion "${p.name}" (${p.id})`;
}

function isWholeCount(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function isRate(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && value <= RATE_SCALE;
}

function isAmount(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0;
}

function isItemSet(set: ItemSet): boolean {
  return set.productIds.length + set.categoryIds.length > 0;
}

function targetProblem(target: PromotionTarget): string | null {
  return target.kind === 'items' && !isItemSet(target) ? 'it targets no product or category' : null;
}

function isOrderLevel(p: Promotion): boolean {
  switch (p.kind) {
    case 'percent_off':
    case 'amount_off':
      return p.target.kind === 'order';
    case 'spend_threshold':
      return true;
    case 'buy_x_get_y':
    case 'bundle_price':
      return false;
  }
}

function promotionProblem(p: Promotion): string | null {
  if (p.id === '') return 'it has no id';
  if (p.name.trim() === '') return 'it has no name to print on the receipt';
  if (!Number.isSafeInteger(p.priority)) return 'its priority is not a whole number';
  if (p.validFrom !== null && !Number.isSafeInteger(p.validFrom)) return 'its start time is invalid';
  if (p.validTo !== null && !Number.isSafeInteger(p.validTo)) return 'its end time is invalid';
  if (p.validFrom !== null && p.validTo !== null && p.validTo <= p.validFrom)
    return 'it ends before it starts';
  if (p.couponCode?.trim() === '') return 'its coupon code is blank';
  if (p.maxApplications !== undefined) {
    if (!isWholeCount(p.maxApplications))
      return 'its maximum number of applications is not a positive whole number';
    if (isOrderLevel(p))
      return 'an order-level promotion applies once; it cannot have a maximum number of applications';
  }
  const stackable = p.stackable === true;
  if (stackable && p.exclusive) return 'it cannot be both exclusive and stackable';
  switch (p.kind) {
    case 'percent_off':
      if (!isRate(p.percent)) return 'its percentage must be more than 0 and at most 100';
      return targetProblem(p.target);
    case 'amount_off':
      if (!isAmount(p.amount)) return 'its amount must be a positive amount';
      return targetProblem(p.target);
    case 'buy_x_get_y':
      if (stackable) return 'buy X get Y uses whole items and cannot stack';
      if (!isWholeCount(p.buyQuantity) || !isWholeCount(p.getQuantity)) {
        return 'its buy and get quantities must be positive whole numbers';
      }
      if (!isRate(p.percent)) return 'its percentage off must be more than 0 and at most 100';
      if (!isItemSet(p.buy) || !isItemSet(p.get)) return 'its buy or get set names no product or category';
      return null;
    case 'bundle_price':
      if (stackable) return 'a bundle price uses whole items and cannot stack';
      if (!isWholeCount(p.quantity)) return 'its bundle size must be a positive whole number';
      if (!Number.isSafeInteger(p.price) || p.price < 0) return 'its bundle price must not be negative';
      if (!isItemSet(p.items)) return 'it names no product or category';
      return null;
    case 'spend_threshold':
      if (!isAmount(p.threshold)) return 'its spend threshold must be a positive amount';
      if (p.reward.kind === 'percent' ? !isRate(p.reward.percent) : !isAmount(p.reward.amount)) {
        return 'its reward must be a percentage up to 100 or a positive amount';
      }
      return targetProblem(p.eligible);
  }
}

function invalidPromotion(p: Promotion, reason: string): DomainError {
  return new DomainError('invalid_promotion', `${describeRef(p)} cannot be used: ${reason}.`, {
    promotionId: p.id,
    reason,
  });
}

/** Refuses ('invalid_promotion') a malformed promotion. */
export function validatePromotion(promotion: Promotion): void {
  const reason = promotionProblem(promotion);
  if (reason !== null) throw invalidPromotion(promotion, reason);
}

// ---------------------------------------------------------------------------------------------
// Index

interface Matcher {
  readonly products: ReadonlySet<string>;
  readonly categories: ReadonlySet<string>;
}

type Phase = 'count' | 'unit' | 'stack' | 'order' | 'order_stack';

interface Entry {
  readonly promotion: Promotion;
  /** Position in canonical order (priority descending, then id ascending). */
  readonly ordinal: number;
  readonly phase: Phase;
  readonly exclusive: boolean;
  readonly coupon: string | null;
  readonly stores: ReadonlySet<string> | null;
  readonly groups: ReadonlySet<string> | null;
  readonly from: number;
  readonly to: number;
  /** Items the promotion looks at (buy set for buy X get Y); null = the whole order. */
  readonly primary: Matcher | null;
  /** The get set of buy X get Y. */
  readonly secondary: Matcher | null;
}

export interface PromotionRejection {
  readonly promotionId: string;
  readonly error: DomainError;
}

export interface PromotionIndex {
  /** Accepted promotions in canonical order (priority descending, then id). */
  readonly promotions: readonly Promotion[];
  /** Promotions left out under `onInvalid: 'skip'`. */
  readonly rejected: readonly PromotionRejection[];
  readonly entries: readonly Entry[];
  readonly byProduct: ReadonlyMap<string, readonly Entry[]>;
  readonly byCategory: ReadonlyMap<string, readonly Entry[]>;
  /** Promotions on the whole order (order target, or a spend threshold on every line). */
  readonly orderWide: readonly Entry[];
  readonly byCoupon: ReadonlyMap<string, readonly Entry[]>;
}

export interface PromotionIndexOptions {
  /** 'throw' (default) refuses the set on the first malformed promotion; 'skip' leaves it out. */
  readonly onInvalid?: 'throw' | 'skip';
}

function normalizeCoupon(code: string): string {
  return code.trim().toUpperCase();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePromotions(a: Promotion, b: Promotion): number {
  return b.priority - a.priority || compareText(a.id, b.id);
}

function matcher(set: ItemSet): Matcher {
  return { products: new Set(set.productIds), categories: new Set(set.categoryIds) };
}

function phaseOf(p: Promotion): Phase {
  const stackable = p.stackable === true;
  switch (p.kind) {
    case 'buy_x_get_y':
    case 'bundle_price':
      return 'count';
    case 'spend_threshold':
      return stackable ? 'order_stack' : 'order';
    case 'percent_off':
    case 'amount_off':
      if (p.target.kind === 'order') return stackable ? 'order_stack' : 'order';
      return stackable ? 'stack' : 'unit';
  }
}

function primarySet(p: Promotion): ItemSet | null {
  switch (p.kind) {
    case 'percent_off':
    case 'amount_off':
      return p.target.kind === 'items' ? p.target : null;
    case 'spend_threshold':
      return p.eligible.kind === 'items' ? p.eligible : null;
    case 'buy_x_get_y':
      return p.buy;
    case 'bundle_price':
      return p.items;
  }
}

/** Validates and indexes promotions by product, category and coupon, so a line only meets its candidates. */
export function buildPromotionIndex(
  promotions: readonly Promotion[],
  options: PromotionIndexOptions = {},
): PromotionIndex {
  const rejected: PromotionRejection[] = [];
  const accepted: Promotion[] = [];
  const seen = new Set<string>();
  for (const p of promotions) {
    const reason = promotionProblem(p) ?? (seen.has(p.id) ? 'another promotion has the same id' : null);
    seen.add(p.id);
    if (reason !== null) {
      const error = invalidPromotion(p, reason);
      if (options.onInvalid !== 'skip') throw error;
      rejected.push({ promotionId: p.id, error });
      continue;
    }
    accepted.push(p);
  }
  accepted.sort(comparePromotions);

  const byProduct = new Map<string, Entry[]>();
  const byCategory = new Map<string, Entry[]>();
  const byCoupon = new Map<string, Entry[]>();
  const orderWide: Entry[] = [];
  const push = (map: Map<string, Entry[]>, key: string, entry: Entry): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [entry]);
    else if (list[list.length - 1] !== entry) list.push(entry);
  };
  const entries = accepted.map((promotion, ordinal): Entry => {
    const primary = primarySet(promotion);
    const secondary = promotion.kind === 'buy_x_get_y' ? promotion.get : null;
    const entry: Entry = {
      promotion,
      ordinal,
      phase: phaseOf(promotion),
      exclusive: promotion.exclusive,
      coupon: promotion.couponCode === undefined ? null : normalizeCoupon(promotion.couponCode),
      stores: promotion.storeIds.length > 0 ? new Set(promotion.storeIds) : null,
      groups: promotion.customerGroupIds.length > 0 ? new Set(promotion.customerGroupIds) : null,
      from: promotion.validFrom ?? -Infinity,
      to: promotion.validTo ?? Infinity,
      primary: primary === null ? null : matcher(primary),
      secondary: secondary === null ? null : matcher(secondary),
    };
    if (primary === null) orderWide.push(entry);
    for (const set of secondary === null ? [primary] : [primary, secondary]) {
      if (set === null) continue;
      for (const id of set.productIds) push(byProduct, id, entry);
      for (const id of set.categoryIds) push(byCategory, id, entry);
    }
    if (entry.coupon !== null) push(byCoupon, entry.coupon, entry);
    return entry;
  });
  return { promotions: accepted, rejected, entries, byProduct, byCategory, orderWide, byCoupon };
}

const indexCache = new WeakMap<readonly Promotion[], PromotionIndex>();

function indexOf(promotions: readonly Promotion[] | PromotionIndex): PromotionIndex {
  if (!Array.isArray(promotions)) return promotions as PromotionIndex;
  const list = promotions as readonly Promotion[];
  let index = indexCache.get(list);
  if (index === undefined) {
    index = buildPromotionIndex(list);
    indexCache.set(list, index);
  }
  return index;
}

function isLive(e: Entry, ctx: PromotionContext, coupons: ReadonlySet<string> | null): boolean {
  if (ctx.at < e.from || ctx.at >= e.to) return false;
  if (e.stores !== null && !e.stores.has(ctx.storeId)) return false;
  if (e.groups !== null) {
    let member = false;
    for (const g of ctx.customerGroupIds) if (e.groups.has(g)) member = true;
    if (!member) return false;
  }
  return coupons === null || e.coupon === null || coupons.has(e.coupon);
}

// ---------------------------------------------------------------------------------------------
// Descriptions

function formatPercent(rate: number): string {
  const text = formatDecimal(rate, 4); // millionths are hundredths of a percent… times 100: 4 decimals
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * What a promotion offers, without words: the kind and its parameters, so each screen and the paper
 * can say it in its own language and number format. Amounts are minor units of the sale's currency,
 * percents millionths (RATE_SCALE = 100 %).
 */
export type PromotionOffer =
  | { readonly kind: 'percent_off'; readonly scope: 'items' | 'order'; readonly percent: number }
  | { readonly kind: 'amount_off'; readonly scope: 'each'; readonly amount: Minor }
  | { readonly kind: 'amount_off'; readonly scope: 'order'; readonly amount: Minor }
  /** Off the price per kg (m, lb …) of a weighed line. */
  | { readonly kind: 'amount_off'; readonly scope: 'per_unit'; readonly amount: Minor; readonly unit: Unit }
  /** `percent` RATE_SCALE: the "get" units are free. */
  | {
      readonly kind: 'buy_x_get_y';
      readonly buyQuantity: number;
      readonly getQuantity: number;
      readonly percent: number;
    }
  | { readonly kind: 'bundle_price'; readonly quantity: number; readonly price: Minor }
  | { readonly kind: 'spend_threshold'; readonly threshold: Minor; readonly reward: SpendReward };

/** A promotion as the customer is told about it: the offer and the campaign's name. */
export interface PromotionDescription {
  readonly offer: PromotionOffer;
  /** The campaign name HQ gave the promotion; empty on texts recorded before campaigns were named. */
  readonly campaign: string;
}

/** The structured description of `p` as applied to a line sold in `unit` (amount offs differ per kg). */
export function promotionDescription(p: Promotion, unit?: Unit): PromotionDescription {
  let offer: PromotionOffer;
  switch (p.kind) {
    case 'percent_off':
      offer = {
        kind: 'percent_off',
        scope: p.target.kind === 'order' ? 'order' : 'items',
        percent: p.percent,
      };
      break;
    case 'amount_off':
      if (p.target.kind === 'order') offer = { kind: 'amount_off', scope: 'order', amount: p.amount };
      else if (unit === undefined || unit === 'each')
        offer = { kind: 'amount_off', scope: 'each', amount: p.amount };
      else offer = { kind: 'amount_off', scope: 'per_unit', amount: p.amount, unit };
      break;
    case 'buy_x_get_y':
      offer = {
        kind: 'buy_x_get_y',
        buyQuantity: p.buyQuantity,
        getQuantity: p.getQuantity,
        percent: p.percent,
      };
      break;
    case 'bundle_price':
      offer = { kind: 'bundle_price', quantity: p.quantity, price: p.price };
      break;
    case 'spend_threshold':
      offer = { kind: 'spend_threshold', threshold: p.threshold, reward: p.reward };
      break;
  }
  return { offer, campaign: p.name };
}

/**
 * The English text of a description, as records and events store it ("Buy 2 get 1 free — Yogurt",
 * "3 for 10.00 — Snacks"): amounts in the plain decimal form of `currency` (two decimals without).
 */
export function promotionText(description: PromotionDescription, currency?: string): string {
  const exponent = currency === undefined ? 2 : currencyExponent(currency);
  const money = (amount: Minor): string => formatDecimal(amount, exponent);
  const { offer } = description;
  let what: string;
  switch (offer.kind) {
    case 'percent_off':
      what = `${formatPercent(offer.percent)} % off${offer.scope === 'order' ? ' the order' : ''}`;
      break;
    case 'amount_off':
      if (offer.scope === 'order') what = `${money(offer.amount)} off the order`;
      else if (offer.scope === 'each') what = `${money(offer.amount)} off each`;
      else what = `${money(offer.amount)} off per ${offer.unit}`;
      break;
    case 'buy_x_get_y':
      what =
        offer.percent === RATE_SCALE
          ? `Buy ${offer.buyQuantity} get ${offer.getQuantity} free`
          : `Buy ${offer.buyQuantity} get ${offer.getQuantity} at ${formatPercent(offer.percent)} % off`;
      break;
    case 'bundle_price':
      what = `${offer.quantity} for ${money(offer.price)}`;
      break;
    case 'spend_threshold':
      what =
        offer.reward.kind === 'percent'
          ? `Spend ${money(offer.threshold)}, save ${formatPercent(offer.reward.percent)} %`
          : `Spend ${money(offer.threshold)}, save ${money(offer.reward.amount)}`;
      break;
  }
  return description.campaign === '' ? what : `${what} — ${description.campaign}`;
}

/** The receipt text of a promotion ("Buy 2 get 1 free — Yogurt", "3 for 10.00 — Snacks"), in English. */
export function describePromotion(p: Promotion, currency?: string, unit?: Unit): string {
  return promotionText(promotionDescription(p, unit), currency);
}

const UNITS: ReadonlySet<string> = new Set<Unit>(['each', 'kg', 'g', 'lb', 'm']);

/**
 * Reads back a text `promotionText` wrote. Sales, returns, events and parked carts store only the
 * English text (their schemas are fixed and shared with the server), so a screen or a receipt in
 * another language recovers the offer from it. Undefined for any other text (a manual discount, a
 * text from another system): the caller shows it as it is. `currency` must be the sale's: it fixes
 * how many decimals the amounts were written with.
 */
export function readPromotionDescription(text: string, currency?: string): PromotionDescription | undefined {
  const exponent = currency === undefined ? 2 : currencyExponent(currency);
  // The offer never contains " — "; a campaign name may.
  const cut = text.indexOf(' — ');
  const what = cut < 0 ? text : text.slice(0, cut);
  const campaign = cut < 0 ? '' : text.slice(cut + 3);
  const decimals = exponent === 0 ? '\\d+' : `\\d+\\.\\d{${exponent}}`;
  const amount = (s: string): Minor => Number(s.replace('.', ''));
  const percent = (s: string): number => {
    const [whole = '0', fraction = ''] = s.split('.');
    return Number(whole) * 10_000 + Number(fraction.padEnd(4, '0'));
  };
  const pct = '(\\d+(?:\\.\\d{1,4})?) %';
  const count = '([1-9]\\d*)';
  const match = (pattern: string): RegExpExecArray | null => new RegExp(`^${pattern}$`).exec(what);
  const offer = ((): PromotionOffer | undefined => {
    let m = match(`${pct} off( the order)?`);
    if (m !== null) {
      return {
        kind: 'percent_off',
        scope: m[2] === undefined ? 'items' : 'order',
        percent: percent(m[1] ?? ''),
      };
    }
    m = match(`(${decimals}) off (the order|each|per (\\w+))`);
    if (m !== null) {
      const value = amount(m[1] ?? '');
      if (m[2] === 'the order') return { kind: 'amount_off', scope: 'order', amount: value };
      if (m[2] === 'each') return { kind: 'amount_off', scope: 'each', amount: value };
      const unit = m[3] ?? '';
      return UNITS.has(unit)
        ? { kind: 'amount_off', scope: 'per_unit', amount: value, unit: unit as Unit }
        : undefined;
    }
    m = match(`Buy ${count} get ${count} (?:free|at ${pct} off)`);
    if (m !== null) {
      return {
        kind: 'buy_x_get_y',
        buyQuantity: Number(m[1]),
        getQuantity: Number(m[2]),
        percent: m[3] === undefined ? RATE_SCALE : percent(m[3]),
      };
    }
    m = match(`${count} for (${decimals})`);
    if (m !== null) return { kind: 'bundle_price', quantity: Number(m[1]), price: amount(m[2] ?? '') };
    m = match(`Spend (${decimals}), save (?:${pct}|(${decimals}))`);
    if (m !== null) {
      const threshold = amount(m[1] ?? '');
      return m[2] === undefined
        ? { kind: 'spend_threshold', threshold, reward: { kind: 'amount', amount: amount(m[3] ?? '') } }
        : { kind: 'spend_threshold', threshold, reward: { kind: 'percent', percent: percent(m[2]) } };
    }
    return undefined;
  })();
  return offer === undefined ? undefined : { offer, campaign };
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** amount × part ÷ whole, half-up (a share of a line's amount for some of its quantity). */
function shareOf(amount: Minor, part: number, whole: number): Minor {
  return part === whole ? amount : mulDiv(amount, part, whole, 'half-up');
}

/** amount × part ÷ whole × rate, rounded once. */
function rateOfShare(amount: Minor, part: number, whole: number, rate: number): Minor {
  if (part === whole) return applyRate(amount, rate, 'half-up');
  const scaled = amount * part;
  if (Number.isSafeInteger(scaled)) return mulDiv(scaled, rate, whole * RATE_SCALE, 'half-up');
  return Number(
    divideRounded(
      BigInt(amount) * BigInt(part) * BigInt(rate),
      BigInt(whole) * BigInt(RATE_SCALE),
      'half-up',
    ),
  );
}

interface PLine {
  readonly line: PromotionLine;
  /** Position in lineId order: the tie-breaker everywhere, so input order never matters. */
  readonly pos: number;
  /** gross − manualDiscount: the most promotions may take. */
  readonly base: Minor;
  readonly qty: number;
  readonly weighed: boolean;
  /** Applications for a per-unit cap: whole units (rounded up), 1 for a weighed line. */
  readonly apps: number;
  /** base per thousandth; orders units by price (ordering only, never an amount). */
  readonly unitValue: number;
  /** Phase-3 candidates touching this line, canonical order. */
  readonly unitCands: Cand[];
  /** unitCands[j]'s discount on the whole line (−1 = not computed yet); the search asks often. */
  unitCache: number[];
  /** unitCands[j]'s discount on the free quantity `partialIn[j]` (the last one asked). */
  partialIn: number[];
  partialOut: number[];
  /** Stackable item offers without a cap touching this line, canonical order. */
  readonly stackCands: Cand[];
  /** stackCands[j]'s discount on the amount `stackIn[j]` (the last one asked). */
  stackIn: number[];
  stackOut: number[];
  // evaluation state
  rem: number;
  free: number;
  locked: boolean;
  scratch: number;
  readonly records: { cand: Cand; amount: Minor }[];
}

interface Member {
  readonly pl: PLine;
  /** buy X get Y: 1 = buy set, 2 = get set, 3 = both (bundles: always 3). */
  readonly role: number;
}

interface Cand {
  readonly entry: Entry;
  readonly promotion: Promotion;
  lines: PLine[];
  /** Count-based: members by unit price ascending (then line). */
  asc: Member[];
  readonly capped: boolean;
  readonly max: number;
  /** Covers every line of the cart. */
  wholeOrder: boolean;
  /** Bundle splits already computed in this call (see Engine.bundleSplit). */
  splits: Map<string, readonly Minor[]> | null;
  /** The order amount for `lastBase` (the last one asked). */
  lastBase: number;
  lastAmount: number;
  on: boolean;
  switchable: boolean;
  // evaluation state
  appsLeft: number;
  spend: number;
  total: number;
  /** The evaluation in which it last gave something. */
  hit: number;
}

/** What one evaluation covers: the whole cart, or one independent group of lines in the search. */
interface Scope {
  readonly lines: readonly PLine[];
  readonly exclusives: readonly Cand[];
  readonly counts: readonly Cand[];
  readonly cappedUnits: readonly Cand[];
  readonly cappedStacks: readonly Cand[];
  readonly orders: boolean;
  /** Rough cost of one evaluation (line and candidate visits). */
  readonly work: number;
}

/** Joint exhaustive search while 2^k × work stays under this (work ≈ line and candidate visits). */
const EXACT_WORK_BUDGET = 12_000;
/** The same, per group of lines in the layered search. */
const GROUP_WORK_BUDGET = 8_000;
const EXACT_SEARCH_LIMIT = 12;
/**
 * Total work one search may spend. Only pathological carts (dozens of overlapping multi-buys on the
 * same lines) reach it; the greedy passes then stop where they are. Counted in work units, not
 * time, so every till stops at the same point and makes the same choice.
 */
const SEARCH_WORK_LIMIT = 1_000_000;

type OrderMode = 'allocate' | 'pending' | 'locked';

class Engine {
  readonly lines: PLine[];
  readonly cands: Cand[];
  readonly exclusives: Cand[];
  readonly counts: Cand[];
  readonly units: Cand[];
  readonly stacks: Cand[];
  readonly orders: Cand[];
  readonly orderStacks: Cand[];
  readonly full: Scope;
  record = false;
  total = 0;
  evaluation = 0;
  /** Work spent by the search so far (see SEARCH_WORK_LIMIT). */
  spent = 0;
  /** Order discounts the search did not spread over lines (only whole-order promotions read it). */
  pendingOrder = 0;
  /** Σ rem over unlocked lines while only whole-order discounts run unspread (−1 = not known). */
  wholeSum = -1;
  readonly touched: PLine[] = [];
  // scratch lists of applyBundle, reused across evaluations
  readonly openLines: PLine[] = [];
  readonly openUnits: number[] = [];
  readonly taken: PLine[] = [];

  constructor(lines: PLine[], cands: Cand[]) {
    this.lines = lines;
    this.cands = cands;
    this.exclusives = cands.filter((c) => c.entry.exclusive);
    const shared = cands.filter((c) => !c.entry.exclusive);
    this.counts = shared.filter((c) => c.entry.phase === 'count');
    this.units = shared.filter((c) => c.entry.phase === 'unit');
    this.stacks = shared.filter((c) => c.entry.phase === 'stack');
    this.orders = shared.filter((c) => c.entry.phase === 'order');
    this.orderStacks = shared.filter((c) => c.entry.phase === 'order_stack');
    for (const c of cands) c.wholeOrder = c.lines.length === lines.length;
    for (const c of this.units) for (const pl of c.lines) pl.unitCands.push(c);
    for (const c of this.stacks) if (!c.capped) for (const pl of c.lines) pl.stackCands.push(c);
    for (const pl of lines) {
      const units = pl.unitCands.length;
      if (units > 0) {
        pl.unitCache = new Array<number>(units).fill(-1);
        pl.partialIn = new Array<number>(units).fill(-1);
        pl.partialOut = new Array<number>(units).fill(0);
      }
      const stacks = pl.stackCands.length;
      if (stacks > 0) {
        pl.stackIn = new Array<number>(stacks).fill(-1);
        pl.stackOut = new Array<number>(stacks).fill(0);
      }
    }
    this.full = this.scope({
      lines,
      exclusives: this.exclusives,
      counts: this.counts,
      cappedUnits: this.units.filter((c) => c.capped),
      cappedStacks: this.stacks.filter((c) => c.capped),
      orders: true,
    });
  }

  scope(parts: Omit<Scope, 'work'>): Scope {
    let work = 0;
    for (const pl of parts.lines) work += 1 + pl.unitCands.length + pl.stackCands.length;
    for (const c of parts.exclusives) work += c.lines.length;
    for (const c of parts.counts) work += c.lines.length;
    for (const c of parts.cappedUnits) work += c.lines.length;
    for (const c of parts.cappedStacks) work += c.lines.length;
    if (parts.orders) {
      for (const c of this.orders) work += c.lines.length;
      for (const c of this.orderStacks) work += c.lines.length;
    }
    return { ...parts, work };
  }

  /** Which candidates gave something in the last evaluation, canonical order. */
  applied(): boolean[] {
    return this.cands.map((c) => c.hit === this.evaluation);
  }

  /**
   * Tie-break between equal totals: true when the last evaluation applied the highest-priority
   * promotion (canonical order) in which it differs from `other`.
   */
  appliedBefore(other: readonly boolean[]): boolean {
    for (let i = 0; i < this.cands.length; i++) {
      const mine = this.cands[i]?.hit === this.evaluation;
      if (mine !== other[i]) return mine;
    }
    return false;
  }

  give(pl: PLine, c: Cand, amount: Minor): Minor {
    const taken = amount < pl.rem ? amount : pl.rem;
    if (taken <= 0) return 0;
    pl.rem -= taken;
    this.total += taken;
    c.hit = this.evaluation;
    if (this.record) {
      c.total += taken;
      pl.records.push({ cand: c, amount: taken });
    }
    return taken;
  }

  /** The total discount of the promotions switched on, over `scope`; `record` keeps the per-line detail. */
  evaluate(scope: Scope, record: boolean): Minor {
    this.record = record;
    this.evaluation += 1;
    if (!record) this.spent += scope.work;
    this.total = 0;
    this.pendingOrder = 0;
    this.wholeSum = -1;
    for (const pl of scope.lines) {
      pl.rem = pl.base;
      pl.free = pl.qty;
      pl.locked = false;
      if (record) pl.records.length = 0;
    }
    if (record) for (const c of this.cands) c.total = 0;
    for (const c of scope.exclusives) c.appsLeft = c.max;
    for (const c of scope.counts) c.appsLeft = c.max;
    for (const c of scope.cappedUnits) c.appsLeft = c.max;
    for (const c of scope.cappedStacks) c.appsLeft = c.max;
    // 1. exclusive promotions take their lines for themselves
    for (const c of scope.exclusives) {
      if (!c.on) continue;
      this.touched.length = 0;
      if (this.apply(c, this.touched) > 0) for (const pl of this.touched) pl.locked = true;
    }
    // 2. buy X get Y and bundles, each unit used once
    for (const c of scope.counts) if (c.on) this.apply(c, null);
    // 3. the best item offer on each unit left
    this.unitPhase(scope);
    // 4. stackable item offers on top
    for (const pl of scope.lines) {
      const cands = pl.stackCands;
      if (pl.locked || cands.length === 0) continue;
      for (let j = 0; j < cands.length; j++) {
        const c = cands[j];
        if (c?.on !== true) continue;
        let amount: number;
        if (pl.stackIn[j] === pl.rem) amount = pl.stackOut[j] ?? 0;
        else {
          amount = this.unitDiscount(c, pl.rem, pl.qty, pl.qty);
          pl.stackIn[j] = pl.rem;
          pl.stackOut[j] = amount;
        }
        this.give(pl, c, amount);
      }
    }
    for (const c of scope.cappedStacks) if (c.on) this.applyUnitWhole(c, null);
    // 5. order level
    if (scope.orders) this.orderPhase();
    return this.total;
  }

  apply(c: Cand, touched: PLine[] | null): Minor {
    switch (c.entry.phase) {
      case 'count':
        return c.promotion.kind === 'buy_x_get_y'
          ? this.applyBuyGet(c, touched)
          : this.applyBundle(c, touched);
      case 'unit':
      case 'stack':
        return this.applyUnitWhole(c, touched);
      case 'order':
      case 'order_stack':
        c.spend = this.orderBase(c);
        return this.applyOrder(c, this.orderAmount(c), 'locked', touched);
    }
  }

  /** Discount of an item percent/amount off on `take` of `whole` quantity worth `amount`. */
  unitDiscount(c: Cand, amount: Minor, whole: number, take: number): Minor {
    const p = c.promotion;
    if (p.kind === 'percent_off') return rateOfShare(amount, take, whole, p.percent);
    if (p.kind !== 'amount_off') return 0;
    const cap = shareOf(amount, take, whole);
    const off =
      take % QUANTITY_SCALE === 0
        ? p.amount * (take / QUANTITY_SCALE)
        : mulDiv(p.amount, take, QUANTITY_SCALE, 'half-up');
    return off < cap ? off : cap;
  }

  /** Exclusive or stackable item percent/amount off, on what each line still costs. */
  applyUnitWhole(c: Cand, touched: PLine[] | null): Minor {
    let got = 0;
    let list = c.lines;
    if (c.capped) {
      // A cap hands its units to the lines where one unit saves the most.
      const value = (pl: PLine): number =>
        this.unitDiscount(c, pl.rem, pl.qty, pl.weighed ? pl.qty : Math.min(pl.qty, QUANTITY_SCALE));
      list = c.lines
        .filter((pl) => !pl.locked && pl.rem > 0)
        .map((pl) => ({ pl, v: value(pl) }))
        .sort((a, b) => b.v - a.v || a.pl.pos - b.pl.pos)
        .map((x) => x.pl);
    }
    for (const pl of list) {
      if (pl.locked || pl.rem <= 0) continue;
      let take = pl.qty;
      if (c.capped) {
        if (c.appsLeft <= 0) break;
        const k = Math.min(pl.apps, c.appsLeft);
        c.appsLeft -= k;
        if (!pl.weighed) take = Math.min(pl.qty, k * QUANTITY_SCALE);
      }
      const given = this.give(pl, c, this.unitDiscount(c, pl.rem, pl.qty, take));
      got += given;
      if (given > 0) touched?.push(pl);
    }
    return got;
  }

  /** Phase 3: each unit no count-based deal used gets the best non-stackable item offer. */
  unitPhase(scope: Scope): void {
    let capped = false;
    for (const c of scope.cappedUnits) if (c.on) capped = true;
    if (!capped) {
      for (const pl of scope.lines) this.bestForLine(pl);
      return;
    }
    // A per-sale cap ties the lines that share it: hand their units out best-first. Lines without
    // an active capped offer are unaffected and choose alone.
    const options: { pl: PLine; c: Cand; v: number }[] = [];
    for (const pl of scope.lines) {
      if (pl.locked || pl.free <= 0) continue;
      let shared = false;
      for (const c of pl.unitCands) if (c.on && c.capped) shared = true;
      if (!shared) {
        this.bestForLine(pl);
        continue;
      }
      const one = pl.weighed ? pl.free : Math.min(pl.free, QUANTITY_SCALE);
      for (const c of pl.unitCands) {
        if (c.on) options.push({ pl, c, v: this.unitDiscount(c, pl.base, pl.qty, one) });
      }
    }
    options.sort((a, b) => b.v - a.v || a.c.entry.ordinal - b.c.entry.ordinal || a.pl.pos - b.pl.pos);
    for (const { pl, c, v } of options) {
      if (v <= 0 || pl.free <= 0 || c.appsLeft <= 0) continue;
      const apps = pl.weighed ? 1 : Math.ceil(pl.free / QUANTITY_SCALE);
      const k = Math.min(apps, c.appsLeft);
      const take = pl.weighed ? pl.free : Math.min(pl.free, k * QUANTITY_SCALE);
      c.appsLeft -= k;
      this.give(pl, c, this.unitDiscount(c, pl.base, pl.qty, take));
      pl.free -= take;
    }
  }

  /** The single best uncapped item offer on a line's free units (the search asks often: cached). */
  bestForLine(pl: PLine): void {
    const cands = pl.unitCands;
    if (pl.locked || pl.free <= 0 || cands.length === 0) return;
    const whole = pl.free === pl.qty;
    let best: Cand | null = null;
    let bestAmount = 0;
    for (let j = 0; j < cands.length; j++) {
      const c = cands[j];
      if (c?.on !== true) continue;
      let amount: number;
      if (whole) {
        amount = pl.unitCache[j] ?? -1;
        if (amount < 0) {
          amount = this.unitDiscount(c, pl.base, pl.qty, pl.qty);
          pl.unitCache[j] = amount;
        }
      } else if (pl.partialIn[j] === pl.free) {
        amount = pl.partialOut[j] ?? 0;
      } else {
        amount = this.unitDiscount(c, pl.base, pl.qty, pl.free);
        pl.partialIn[j] = pl.free;
        pl.partialOut[j] = amount;
      }
      if (amount > bestAmount) {
        best = c;
        bestAmount = amount;
      }
    }
    if (best !== null) this.give(pl, best, bestAmount);
  }

  unitsFree(pl: PLine): number {
    return pl.locked || pl.weighed ? 0 : Math.floor(pl.free / QUANTITY_SCALE);
  }

  applyBuyGet(c: Cand, touched: PLine[] | null): Minor {
    const p = c.promotion;
    if (p.kind !== 'buy_x_get_y') return 0;
    let onlyBuy = 0;
    let onlyGet = 0;
    let both = 0;
    for (const m of c.asc) {
      const units = this.unitsFree(m.pl);
      if (m.role === 3) both += units;
      else if (m.role === 1) onlyBuy += units;
      else onlyGet += units;
    }
    const x = p.buyQuantity;
    const y = p.getQuantity;
    const n = Math.min(
      Math.floor((onlyGet + both) / y),
      Math.floor((onlyBuy + both) / x),
      Math.floor((onlyBuy + onlyGet + both) / (x + y)),
      c.appsLeft,
    );
    if (n <= 0) return 0;
    c.appsLeft -= n;
    // The get units are the cheapest of the get set that still leave enough units to buy.
    let needGet = n * y;
    let bothQuota = both - Math.max(0, n * x - onlyBuy);
    for (const m of c.asc) {
      if (needGet === 0) break;
      if ((m.role & 2) === 0) continue;
      let take = Math.min(this.unitsFree(m.pl), needGet);
      if (m.role === 3) {
        take = Math.min(take, bothQuota);
        bothQuota -= take;
      }
      m.pl.scratch = take;
      needGet -= take;
    }
    let needBuy = n * x;
    for (const m of c.asc) {
      if (needBuy === 0) break;
      if ((m.role & 1) === 0) continue;
      const take = Math.min(this.unitsFree(m.pl) - m.pl.scratch, needBuy);
      if (take > 0) {
        needBuy -= take;
        m.pl.free -= take * QUANTITY_SCALE;
        touched?.push(m.pl);
      }
    }
    let got = 0;
    for (const m of c.asc) {
      const take = m.pl.scratch;
      if (take <= 0) continue;
      m.pl.scratch = 0;
      got += this.give(m.pl, c, rateOfShare(m.pl.base, take * QUANTITY_SCALE, m.pl.qty, p.percent));
      m.pl.free -= take * QUANTITY_SCALE;
      touched?.push(m.pl);
    }
    return got;
  }

  applyBundle(c: Cand, touched: PLine[] | null): Minor {
    const p = c.promotion;
    if (p.kind !== 'bundle_price') return 0;
    // Fill bundles from the dearest units down; stop at the first bundle that saves nothing.
    // The scratch lists are reused with counters: truncating them would free their storage.
    const { openLines, openUnits, taken } = this;
    let open = 0;
    let takenCount = 0;
    let discount = 0;
    let bundles = 0;
    let inBundle = 0;
    let bundleValue = 0;
    outer: for (let i = c.asc.length - 1; i >= 0; i--) {
      const pl = c.asc[i]?.pl;
      if (pl === undefined) continue;
      let units = this.unitsFree(pl);
      while (units > 0) {
        if (bundles >= c.appsLeft) break outer;
        const take = Math.min(units, p.quantity - inBundle);
        units -= take;
        inBundle += take;
        bundleValue += shareOf(pl.base, take * QUANTITY_SCALE, pl.qty);
        openLines[open] = pl;
        openUnits[open] = take;
        open += 1;
        if (inBundle < p.quantity) continue;
        if (bundleValue <= p.price) break outer;
        discount += bundleValue - p.price;
        bundles += 1;
        for (let j = 0; j < open; j++) {
          const line = openLines[j];
          if (line === undefined) continue;
          if (line.scratch === 0) taken[takenCount++] = line;
          line.scratch += openUnits[j] ?? 0;
        }
        open = 0;
        inBundle = 0;
        bundleValue = 0;
      }
    }
    if (bundles === 0) return 0;
    c.appsLeft -= bundles;
    const parts = this.bundleSplit(c, taken, takenCount, discount);
    let got = 0;
    for (let j = 0; j < takenCount; j++) {
      const pl = taken[j];
      if (pl === undefined) continue;
      got += this.give(pl, c, parts[j] ?? 0);
      pl.free -= pl.scratch * QUANTITY_SCALE;
      pl.scratch = 0;
      touched?.push(pl);
    }
    return got;
  }

  /**
   * The bundle discount split over the lines that filled the bundles, by the value each put in. The
   * search meets the same fill again and again, so splits are remembered per promotion.
   */
  bundleSplit(c: Cand, taken: readonly PLine[], count: number, discount: Minor): readonly Minor[] {
    if (count === 1) {
      const pl = taken[0];
      return pl === undefined
        ? []
        : [Math.min(discount, shareOf(pl.base, pl.scratch * QUANTITY_SCALE, pl.qty))];
    }
    let key = String(discount);
    for (let j = 0; j < count; j++) key += `,${taken[j]?.pos ?? -1}:${taken[j]?.scratch ?? 0}`;
    c.splits ??= new Map();
    const known = c.splits.get(key);
    if (known !== undefined) return known;
    const weights = taken.slice(0, count).map((pl) => shareOf(pl.base, pl.scratch * QUANTITY_SCALE, pl.qty));
    const cap = weights.reduce((sum, w) => sum + w, 0);
    const parts = allocate(Math.min(discount, cap), weights);
    c.splits.set(key, parts);
    return parts;
  }

  /** What the promotion's lines still cost. */
  orderBase(c: Cand): Minor {
    if (c.wholeOrder && this.wholeSum >= 0) return this.wholeSum - this.pendingOrder;
    let base = 0;
    for (const pl of c.lines) if (!pl.locked) base += pl.rem;
    return c.wholeOrder ? base - this.pendingOrder : base;
  }

  orderAmount(c: Cand): Minor {
    const base = this.orderBase(c);
    if (base <= 0) return 0;
    const p = c.promotion;
    if (p.kind === 'spend_threshold' && c.spend < p.threshold) return 0;
    if (c.lastBase === base) return c.lastAmount;
    const amount = this.orderAmountOf(p, base);
    c.lastBase = base;
    c.lastAmount = amount;
    return amount;
  }

  orderAmountOf(p: Promotion, base: Minor): Minor {
    let amount: Minor;
    switch (p.kind) {
      case 'percent_off':
        amount = applyRate(base, p.percent, 'half-up');
        break;
      case 'amount_off':
        amount = p.amount;
        break;
      case 'spend_threshold':
        amount = p.reward.kind === 'percent' ? applyRate(base, p.reward.percent, 'half-up') : p.reward.amount;
        break;
      case 'buy_x_get_y':
      case 'bundle_price':
        return 0;
    }
    return amount < base ? amount : base;
  }

  /**
   * Spreads an order discount over its lines by what each still costs. In the search, a split nobody
   * reads later is skipped: 'locked' (an exclusive's lines are never read again) or 'pending' (only
   * whole-order promotions follow, and they subtract the total).
   */
  applyOrder(c: Cand, amount: Minor, mode: OrderMode, touched: PLine[] | null): Minor {
    if (amount <= 0) return 0;
    if (touched !== null) for (const pl of c.lines) if (!pl.locked && pl.rem > 0) touched.push(pl);
    if (!this.record && mode !== 'allocate') {
      this.total += amount;
      c.hit = this.evaluation;
      if (mode === 'pending') this.pendingOrder += amount;
      return amount;
    }
    const lines: PLine[] = [];
    const weights: number[] = [];
    for (const pl of c.lines) {
      if (pl.locked || pl.rem <= 0) continue;
      lines.push(pl);
      weights.push(pl.rem);
    }
    const parts = allocate(amount, weights);
    let got = 0;
    lines.forEach((pl, i) => {
      got += this.give(pl, c, parts[i] ?? 0);
    });
    return got;
  }

  orderPhase(): void {
    let any = false;
    let mode: OrderMode = 'pending';
    for (const c of this.orders) if (c.on) any = true;
    for (const c of this.orderStacks) {
      if (!c.on) continue;
      any = true;
      if (!c.wholeOrder) mode = 'allocate';
    }
    if (!any) return;
    if (mode === 'pending' && !this.record) {
      let sum = 0;
      for (const pl of this.lines) if (!pl.locked) sum += pl.rem;
      this.wholeSum = sum;
    }
    // Thresholds are measured on what the lines cost after the item-level phases.
    for (const c of this.orders) if (c.on) c.spend = this.orderBase(c);
    for (const c of this.orderStacks) if (c.on) c.spend = this.orderBase(c);
    let best: Cand | null = null;
    let bestAmount = 0;
    for (const c of this.orders) {
      if (!c.on) continue;
      const amount = this.orderAmount(c);
      if (amount > bestAmount) {
        best = c;
        bestAmount = amount;
      }
    }
    if (best !== null) this.applyOrder(best, bestAmount, mode, null);
    for (const c of this.orderStacks) if (c.on) this.applyOrder(c, this.orderAmount(c), mode, null);
  }
}

function isWeighed(line: PromotionLine): boolean {
  return line.unit === undefined ? line.quantity % QUANTITY_SCALE !== 0 : line.unit !== 'each';
}

/** Buy X get Y / bundle with every unit free: can it apply at all? */
function countCanApply(c: Cand): boolean {
  const p = c.promotion;
  let onlyBuy = 0;
  let onlyGet = 0;
  let both = 0;
  for (const m of c.asc) {
    if (m.pl.weighed) continue;
    const units = Math.floor(m.pl.qty / QUANTITY_SCALE);
    if (m.role === 3) both += units;
    else if (m.role === 1) onlyBuy += units;
    else onlyGet += units;
  }
  if (p.kind === 'buy_x_get_y') {
    return (
      onlyGet + both >= p.getQuantity &&
      onlyBuy + both >= p.buyQuantity &&
      onlyBuy + onlyGet + both >= p.buyQuantity + p.getQuantity
    );
  }
  return p.kind !== 'bundle_price' || both >= p.quantity;
}

function spendCanReach(c: Cand): boolean {
  const p = c.promotion;
  if (p.kind !== 'spend_threshold') return true;
  let spend = 0;
  for (const pl of c.lines) spend += pl.base;
  return spend >= p.threshold;
}

function canonicalLines(lines: readonly PromotionLine[]): PromotionLine[] {
  const sorted = [...lines].sort((a, b) => compareText(a.lineId, b.lineId));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.lineId === sorted[i - 1]?.lineId) {
      throw new RangeError(`duplicate promotion line id ${sorted[i]?.lineId ?? ''}`);
    }
  }
  return sorted;
}

const NO_ENTRIES: readonly Entry[] = [];
const NO_DISCOUNTS: readonly AppliedDiscount[] = Object.freeze([]);
/** Shared by lines without candidates; never written, since nothing indexes past its length. */
const NO_NUMBERS: number[] = [];

function collectCandidates(index: PromotionIndex, lines: PLine[], ctx: PromotionContext): Cand[] {
  const coupons = new Set(ctx.couponCodes.map(normalizeCoupon));
  const live = new Int8Array(index.entries.length); // 0 unknown, 1 live, 2 not live
  const stamp = new Int32Array(index.entries.length);
  const byOrdinal: (Cand | undefined)[] = [];

  const consider = (e: Entry, pl: PLine): void => {
    if (stamp[e.ordinal] === pl.pos + 1) return;
    stamp[e.ordinal] = pl.pos + 1;
    let state = live[e.ordinal];
    if (state === 0) {
      state = isLive(e, ctx, coupons) ? 1 : 2;
      live[e.ordinal] = state;
    }
    if (state !== 1) return;
    // The index found this entry through the line's product or category, so only buy X get Y (two
    // sets) needs to ask which of its sets the line is in.
    const line = pl.line;
    const inPrimary =
      e.secondary === null ||
      e.primary === null ||
      e.primary.products.has(line.productId) ||
      e.primary.categories.has(line.categoryId);
    const inSecondary =
      e.secondary !== null &&
      (e.secondary.products.has(line.productId) || e.secondary.categories.has(line.categoryId));
    if (!inPrimary && !inSecondary) return;
    let c = byOrdinal[e.ordinal];
    if (c === undefined) {
      const max = e.promotion.maxApplications;
      c = {
        entry: e,
        promotion: e.promotion,
        lines: [],
        asc: [],
        capped: max !== undefined,
        max: max ?? Infinity,
        wholeOrder: false,
        splits: null,
        lastBase: -1,
        lastAmount: 0,
        on: true,
        switchable: false,
        // Only capped candidates are reset per evaluation; an uncapped one keeps Infinity.
        appsLeft: max ?? Infinity,
        spend: 0,
        total: 0,
        hit: 0,
      };
      byOrdinal[e.ordinal] = c;
    }
    c.lines.push(pl);
    if (e.phase === 'count') {
      const role = e.promotion.kind === 'buy_x_get_y' ? (inPrimary ? 1 : 0) | (inSecondary ? 2 : 0) : 3;
      c.asc.push({ pl, role });
    }
  };

  for (const pl of lines) {
    for (const e of index.byProduct.get(pl.line.productId) ?? NO_ENTRIES) consider(e, pl);
    for (const e of index.byCategory.get(pl.line.categoryId) ?? NO_ENTRIES) consider(e, pl);
  }
  // Whole-order promotions see every line: one liveness check each, not one per line.
  if (lines.length > 0) {
    for (const e of index.orderWide) {
      const first = lines[0];
      if (first !== undefined) consider(e, first);
      const c = byOrdinal[e.ordinal];
      if (c !== undefined) c.lines = lines; // shared: nothing adds to it from here on
    }
  }
  const cands: Cand[] = [];
  for (const c of byOrdinal) {
    if (c === undefined) continue;
    c.asc.sort((a, b) => a.pl.unitValue - b.pl.unitValue || a.pl.pos - b.pl.pos);
    if (!countCanApply(c) || !spendCanReach(c)) continue;
    cands.push(c);
  }
  return cands;
}

/**
 * Which promotions the search switches on and off; the rest are always on because, by the phase
 * order, their presence can only add to the total (see the file comment).
 */
function markSwitchable(engine: Engine): Cand[] {
  for (const c of engine.exclusives) c.switchable = true;
  for (const c of engine.counts) c.switchable = true;
  for (const c of engine.units) if (c.capped) c.switchable = true;
  // An item discount can pull a spend threshold under its bar: then leaving it off may pay more.
  const thresholdLines = new Set<PLine>();
  for (const c of [...engine.orders, ...engine.orderStacks]) {
    if (c.promotion.kind === 'spend_threshold') for (const pl of c.lines) thresholdLines.add(pl);
  }
  if (thresholdLines.size > 0) {
    for (const c of [...engine.units, ...engine.stacks]) {
      if (c.lines.some((pl) => thresholdLines.has(pl))) c.switchable = true;
    }
  }
  return engine.cands.filter((c) => c.switchable);
}

function fitsExhaustive(k: number, work: number, budget: number): boolean {
  return k <= EXACT_SEARCH_LIMIT && 2 ** k * Math.max(1, work) <= budget;
}

/** Every subset of `switchable`; ties go to the result applying higher-priority promotions. */
function exhaustive(engine: Engine, scope: Scope, switchable: readonly Cand[]): void {
  const k = switchable.length;
  let best = -1;
  let bestMask = 0;
  let bestApplied: boolean[] = [];
  for (let mask = 2 ** k - 1; mask >= 0; mask--) {
    switchable.forEach((c, j) => {
      c.on = ((mask >> (k - 1 - j)) & 1) === 1;
    });
    const total = engine.evaluate(scope, false);
    if (total > best) {
      best = total;
      bestMask = mask;
      bestApplied = engine.applied();
    } else if (total === best && engine.appliedBefore(bestApplied)) {
      bestMask = mask;
      bestApplied = engine.applied();
    }
  }
  switchable.forEach((c, j) => {
    c.on = ((bestMask >> (k - 1 - j)) & 1) === 1;
  });
}

/**
 * Adds promotions in order of standalone gain (ties: priority, id) while the total grows, then drops
 * any whose removal raises it.
 */
function greedy(engine: Engine, scope: Scope, switchable: readonly Cand[]): void {
  const exhausted = (): boolean => engine.spent > SEARCH_WORK_LIMIT;
  for (const c of switchable) c.on = false;
  let current = engine.evaluate(scope, false);
  const gains = switchable.map((c) => {
    if (exhausted()) return { c, gain: 0 };
    c.on = true;
    const gain = engine.evaluate(scope, false) - current;
    c.on = false;
    return { c, gain };
  });
  gains.sort((a, b) => b.gain - a.gain || a.c.entry.ordinal - b.c.entry.ordinal);
  for (const { c, gain } of gains) {
    if (gain <= 0 || exhausted()) break;
    c.on = true;
    const total = engine.evaluate(scope, false);
    if (total > current) current = total;
    else c.on = false;
  }
  for (let j = switchable.length - 1; j >= 0 && !exhausted(); j--) {
    const c = switchable[j];
    if (c?.on !== true) continue;
    c.on = false;
    const total = engine.evaluate(scope, false);
    if (total > current) current = total;
    else c.on = true;
  }
}

function searchIn(engine: Engine, scope: Scope, switchable: readonly Cand[], budget: number): void {
  if (switchable.length === 0) return;
  const room = Math.min(budget, SEARCH_WORK_LIMIT - engine.spent);
  if (fitsExhaustive(switchable.length, scope.work, room)) exhaustive(engine, scope, switchable);
  else greedy(engine, scope, switchable);
}

/** Groups of count-based and capped promotions that share no line with another group. */
function independentGroups(members: readonly Cand[]): Cand[][] {
  const parent = members.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] ?? root;
    return root;
  };
  const owner = new Map<PLine, number>();
  members.forEach((c, i) => {
    for (const pl of c.lines) {
      const other = owner.get(pl);
      if (other === undefined) owner.set(pl, i);
      else parent[find(i)] = find(other);
    }
  });
  const groups = new Map<number, Cand[]>();
  members.forEach((c, i) => {
    const root = find(i);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, [c]);
    else group.push(c);
  });
  return [...groups.values()];
}

/**
 * The search for many switchable promotions, in three documented steps:
 *  A. with exclusive promotions off, each independent group of count-based and capped item
 *     promotions is searched on its own lines for the largest item-level discount;
 *  B. exclusive promotions are then searched over the whole cart;
 *  C. a spend threshold missed after A and B is retried with the item offers on its lines off.
 */
function layeredSearch(engine: Engine): void {
  for (const c of engine.cands) c.on = !c.entry.exclusive;
  const members = [...engine.counts, ...engine.units.filter((c) => c.capped)].sort(
    (a, b) => a.entry.ordinal - b.entry.ordinal,
  );
  for (const group of independentGroups(members)) {
    const lines = [...new Set(group.flatMap((c) => c.lines))].sort((a, b) => a.pos - b.pos);
    const scope = engine.scope({
      lines,
      exclusives: [],
      counts: group.filter((c) => c.entry.phase === 'count'),
      cappedUnits: group.filter((c) => c.entry.phase === 'unit'),
      cappedStacks: [],
      orders: false,
    });
    searchIn(engine, scope, group, GROUP_WORK_BUDGET);
  }
  searchIn(engine, engine.full, engine.exclusives, EXACT_WORK_BUDGET);

  let current = engine.evaluate(engine.full, false);
  for (const t of [...engine.orders, ...engine.orderStacks]) {
    const p = t.promotion;
    if (p.kind !== 'spend_threshold' || !t.on || t.spend >= p.threshold) continue;
    const lines = new Set(t.lines);
    const off = [...engine.counts, ...engine.units, ...engine.stacks].filter(
      (c) => c.on && c.lines.some((pl) => lines.has(pl)),
    );
    for (const c of off) c.on = false;
    const total = engine.evaluate(engine.full, false);
    if (total > current) current = total;
    else for (const c of off) c.on = true;
  }
}

function search(engine: Engine): void {
  const switchable = markSwitchable(engine);
  if (switchable.length === 0) return;
  if (fitsExhaustive(switchable.length, engine.full.work, EXACT_WORK_BUDGET)) {
    exhaustive(engine, engine.full, switchable);
  } else {
    layeredSearch(engine);
  }
}

function unknownCoupons(index: PromotionIndex, ctx: PromotionContext): string[] {
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const code of ctx.couponCodes) {
    const key = normalizeCoupon(code);
    if (seen.has(key)) continue;
    seen.add(key);
    const entries = index.byCoupon.get(key) ?? [];
    if (!entries.some((e) => isLive(e, ctx, null))) unknown.push(code);
  }
  return unknown;
}

/**
 * Applies the best combination of live promotions to the lines (see the rules at the top of this
 * file). Pass a `PromotionIndex` (built once per promotion sync) for speed; a plain array is indexed
 * once and remembered.
 */
export function applyPromotions(
  promotions: readonly Promotion[] | PromotionIndex,
  lines: readonly PromotionLine[],
  ctx: PromotionContext,
): PromotionResult {
  const index = indexOf(promotions);
  const ordered = canonicalLines(lines);
  const plines: PLine[] = [];
  for (const line of ordered) {
    const base = line.gross - line.manualDiscount;
    if (!line.eligible || line.quantity <= 0 || base <= 0) continue;
    const weighed = isWeighed(line);
    plines.push({
      line,
      pos: plines.length,
      base,
      qty: line.quantity,
      weighed,
      apps: weighed ? 1 : Math.ceil(line.quantity / QUANTITY_SCALE),
      unitValue: base / line.quantity,
      unitCands: [],
      unitCache: NO_NUMBERS,
      partialIn: NO_NUMBERS,
      partialOut: NO_NUMBERS,
      stackCands: [],
      stackIn: NO_NUMBERS,
      stackOut: NO_NUMBERS,
      rem: base,
      free: line.quantity,
      locked: false,
      scratch: 0,
      records: [],
    });
  }
  const engine = new Engine(plines, collectCandidates(index, plines, ctx));
  search(engine);
  const total = engine.evaluate(engine.full, true);

  const descriptions = new Map<string, string>();
  const structured = new Map<string, PromotionDescription>();
  const lineDiscounts = new Map<string, readonly AppliedDiscount[]>();
  for (const line of ordered) lineDiscounts.set(line.lineId, NO_DISCOUNTS);
  for (const pl of plines) {
    const records = pl.records;
    if (records.length === 0) continue;
    const list: AppliedDiscount[] = [];
    lineDiscounts.set(pl.line.lineId, list);
    for (let i = 0; i < records.length; i++) {
      const c = records[i]?.cand;
      if (c === undefined || records.findIndex((r) => r.cand === c) < i) continue; // merged below
      let amount = 0;
      for (let j = i; j < records.length; j++) if (records[j]?.cand === c) amount += records[j]?.amount ?? 0;
      const p = c.promotion;
      const unit = pl.line.unit ?? (pl.weighed ? undefined : 'each');
      const key = p.kind === 'amount_off' ? `${p.id}\n${unit ?? ''}` : p.id;
      let description = descriptions.get(key);
      if (description === undefined) {
        const described = promotionDescription(p, unit);
        if (!structured.has(p.id)) structured.set(p.id, described);
        description = promotionText(described, ctx.currency);
        descriptions.set(key, description);
      }
      list.push({
        source: p.couponCode === undefined ? 'promotion' : 'coupon',
        promotionId: p.id,
        ...(p.couponCode === undefined ? {} : { couponCode: p.couponCode }),
        scope: c.entry.phase === 'order' || c.entry.phase === 'order_stack' ? 'order' : 'line',
        description,
        amount,
      });
    }
  }
  const applied = engine.cands
    .filter((c) => c.total > 0)
    .map((c) => ({
      promotionId: c.promotion.id,
      name: c.promotion.name,
      description: structured.get(c.promotion.id) ?? promotionDescription(c.promotion),
      amount: c.total,
    }));
  return { lineDiscounts, applied, unknownCoupons: unknownCoupons(index, ctx), total };
}
