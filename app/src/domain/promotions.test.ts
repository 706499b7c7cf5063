import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { applyRate } from './money.ts';
import {
  applyPromotions,
  buildPromotionIndex,
  describePromotion,
  promotionDescription,
  promotionText,
  readPromotionDescription,
  validatePromotion,
  type ItemSet,
  type Promotion,
  type PromotionContext,
  type PromotionDescription,
  type PromotionLine,
  type PromotionResult,
  type PromotionTarget,
} from './promotions.ts';
import type { Unit } from './records.ts';

const T = Date.UTC(2026, 4, 4, 12, 0);
const H = 3_600_000;
const PCT = 10_000; // one percent in millionths

const COMMON = {
  priority: 0,
  exclusive: false,
  validFrom: null,
  validTo: null,
  storeIds: [],
  customerGroupIds: [],
} as const;

type Extra = Partial<Omit<Promotion, 'kind'>>;

const set = (productIds: string[] = [], categoryIds: string[] = []): ItemSet => ({ productIds, categoryIds });
const items = (productIds: string[] = [], categoryIds: string[] = []): PromotionTarget => ({
  kind: 'items',
  productIds,
  categoryIds,
});
const ORDER: PromotionTarget = { kind: 'order' };

function percentOff(id: string, target: PromotionTarget, percent: number, extra: Extra = {}): Promotion {
  return {
    ...COMMON,
    id,
    name: id,
    kind: 'percent_off',
    target,
    percent: percent * PCT,
    ...extra,
  };
}

function amountOff(id: string, target: PromotionTarget, amount: number, extra: Extra = {}): Promotion {
  return { ...COMMON, id, name: id, kind: 'amount_off', target, amount, ...extra };
}

function buyGet(
  id: string,
  buy: ItemSet,
  buyQuantity: number,
  get: ItemSet,
  getQuantity: number,
  percent = 100,
  extra: Extra = {},
): Promotion {
  return {
    ...COMMON,
    id,
    name: id,
    kind: 'buy_x_get_y',
    buy,
    buyQuantity,
    get,
    getQuantity,
    percent: percent * PCT,
    ...extra,
  };
}

function bundle(id: string, of: ItemSet, quantity: number, price: number, extra: Extra = {}): Promotion {
  return { ...COMMON, id, name: id, kind: 'bundle_price', items: of, quantity, price, ...extra };
}

function spend(
  id: string,
  threshold: number,
  reward: { kind: 'percent'; percent: number } | { kind: 'amount'; amount: number },
  eligible: PromotionTarget = ORDER,
  extra: Extra = {},
): Promotion {
  return {
    ...COMMON,
    id,
    name: id,
    kind: 'spend_threshold',
    eligible,
    threshold,
    reward,
    ...extra,
  };
}

/** `units` whole pieces at `unitPrice`. */
function line(
  lineId: string,
  productId: string,
  categoryId: string,
  units: number,
  unitPrice: number,
  extra: Partial<PromotionLine> = {},
): PromotionLine {
  return {
    lineId,
    productId,
    categoryId,
    quantity: units * 1000,
    unitPrice,
    gross: units * unitPrice,
    manualDiscount: 0,
    eligible: true,
    unit: 'each',
    ...extra,
  };
}

function weighed(
  lineId: string,
  productId: string,
  categoryId: string,
  milli: number,
  gross: number,
  unit: Unit = 'kg',
) {
  return line(lineId, productId, categoryId, 1, 0, { quantity: milli, gross, unitPrice: 0, unit });
}

const CTX: PromotionContext = { at: T, storeId: 's1', customerGroupIds: [], couponCodes: [] };

function run(
  promotions: Promotion[],
  lines: PromotionLine[],
  ctx: Partial<PromotionContext> = {},
): PromotionResult {
  return applyPromotions(promotions, lines, { ...CTX, ...ctx });
}

/** lineId → total discount (lines without one left out). */
function perLine(result: PromotionResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [lineId, discounts] of result.lineDiscounts) {
    const sum = discounts.reduce((s, d) => s + d.amount, 0);
    if (sum > 0) out[lineId] = sum;
  }
  return out;
}

/** lineId → "promotion:amount" list. */
function detail(result: PromotionResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [lineId, discounts] of result.lineDiscounts) {
    if (discounts.length > 0) out[lineId] = discounts.map((d) => `${d.promotionId ?? '?'}:${d.amount}`);
  }
  return out;
}

type Case = [string, Promotion[], PromotionLine[], Record<string, number>];

describe('percent off', () => {
  it.each<Case>([
    [
      '10 % off a category: 3 × 1.99 = 5.97 → 0.597 → 0.60',
      [percentOff('d', items([], ['dairy']), 10)],
      [line('a', 'milk', 'dairy', 3, 199)],
      { a: 60 },
    ],
    [
      '12.5 % off a product: 9.99 → 1.24875 → 1.25',
      [percentOff('d', items(['wine']), 12.5)],
      [line('a', 'wine', 'drinks', 1, 999)],
      { a: 125 },
    ],
    [
      'only the targeted product',
      [percentOff('d', items(['wine']), 10)],
      [line('a', 'wine', 'x', 1, 1000), line('b', 'beer', 'x', 1, 1000)],
      { a: 100 },
    ],
    [
      'a weighed line: 0.750 kg, 9.00, 15 %',
      [percentOff('d', items(['apple']), 15)],
      [weighed('a', 'apple', 'fruit', 750, 900)],
      { a: 135 },
    ],
    [
      'after a manual discount: (10.00 − 4.00) × 50 %',
      [percentOff('d', items(['x']), 50)],
      [line('a', 'x', 'c', 1, 1000, { manualDiscount: 400 })],
      { a: 300 },
    ],
    [
      '100 % takes the whole line',
      [percentOff('d', items(['x']), 100)],
      [line('a', 'x', 'c', 2, 345)],
      { a: 690 },
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(perLine(run(promotions, lines))).toEqual(expected);
  });

  it('on the order: 10 % of 15.00 split by what each line costs', () => {
    const result = run(
      [percentOff('o', ORDER, 10)],
      [line('a', 'x', 'c', 1, 1000), line('b', 'y', 'c', 1, 500)],
    );
    expect(perLine(result)).toEqual({ a: 100, b: 50 });
    expect(result.lineDiscounts.get('a')?.[0]?.scope).toBe('order');
  });

  it('on the order: 10 % of 10.00 over 3.33 / 3.33 / 3.34 by largest remainder', () => {
    const lines = [line('a', 'x', 'c', 1, 333), line('b', 'y', 'c', 1, 333), line('c', 'z', 'c', 1, 334)];
    expect(perLine(run([percentOff('o', ORDER, 10)], lines))).toEqual({ a: 33, b: 33, c: 34 });
  });
});

describe('amount off', () => {
  it.each<Case>([
    ['0.50 off each: 3 units', [amountOff('d', items(['x']), 50)], [line('a', 'x', 'c', 3, 199)], { a: 150 }],
    [
      'capped at the line: 0.50 off each of 2 × 0.30',
      [amountOff('d', items(['x']), 50)],
      [line('a', 'x', 'c', 2, 30)],
      { a: 60 },
    ],
    [
      'per kg on a weighed line: 1.00 × 0.750 kg',
      [amountOff('d', items(['x']), 100)],
      [weighed('a', 'x', 'c', 750, 900)],
      { a: 75 },
    ],
    [
      'capped after a manual discount',
      [amountOff('d', items(['x']), 50)],
      [line('a', 'x', 'c', 2, 100, { manualDiscount: 150 })],
      { a: 50 },
    ],
    [
      'a capped offer takes 1 unit, the best uncapped one the other 2',
      [amountOff('cap', items(['x']), 50, { maxApplications: 1 }), percentOff('ten', items(['x']), 10)],
      [line('a', 'x', 'c', 3, 100)],
      { a: 70 },
    ],
    [
      'a cap of 2 units goes where a unit saves most',
      [amountOff('d', items(['x', 'y']), 200, { maxApplications: 2 })],
      [line('a', 'x', 'c', 3, 150), line('b', 'y', 'c', 1, 900)],
      { a: 150, b: 200 },
    ],
    [
      '5.00 off the order, split 3.00 / 2.00',
      [amountOff('o', ORDER, 500)],
      [line('a', 'x', 'c', 1, 300), line('b', 'y', 'c', 1, 200)],
      { a: 300, b: 200 },
    ],
    [
      '10.00 off an order of 5.00 takes 5.00',
      [amountOff('o', ORDER, 1000)],
      [line('a', 'x', 'c', 1, 300), line('b', 'y', 'c', 1, 200)],
      { a: 300, b: 200 },
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(perLine(run(promotions, lines))).toEqual(expected);
  });
});

describe('buy X get Y', () => {
  const yog = set(['yog']);
  it.each<Case>([
    [
      'buy 2 get 1 free: 3 × 1.00',
      [buyGet('b', yog, 2, yog, 1)],
      [line('a', 'yog', 'dairy', 3, 100)],
      { a: 100 },
    ],
    [
      '5 units make one application',
      [buyGet('b', yog, 2, yog, 1)],
      [line('a', 'yog', 'dairy', 5, 100)],
      { a: 100 },
    ],
    ['6 units make two', [buyGet('b', yog, 2, yog, 1)], [line('a', 'yog', 'dairy', 6, 100)], { a: 200 }],
    [
      'the cheapest item is free',
      [buyGet('b', set([], ['yogurts']), 2, set([], ['yogurts']), 1)],
      [line('a', 'y1', 'yogurts', 2, 120), line('b', 'y2', 'yogurts', 1, 80)],
      { b: 80 },
    ],
    [
      'the cheapest units overall are the free ones',
      [buyGet('b', set([], ['c']), 2, set([], ['c']), 1)],
      [
        line('a', 'p5', 'c', 1, 500),
        line('b', 'p4', 'c', 1, 400),
        line('c', 'p3', 'c', 1, 300),
        line('d', 'p1', 'c', 3, 100),
      ],
      { d: 200 },
    ],
    [
      'buy 1 get 1 at 50 %',
      [buyGet('b', yog, 1, yog, 1, 50)],
      [line('a', 'yog', 'dairy', 2, 400)],
      { a: 200 },
    ],
    [
      'buy 2 shampoo, get a conditioner free',
      [buyGet('b', set(['sh']), 2, set(['co']), 1)],
      [line('a', 'sh', 'care', 2, 500), line('b', 'co', 'care', 1, 400)],
      { b: 400 },
    ],
    [
      'not enough to buy',
      [buyGet('b', set(['sh']), 2, set(['co']), 1)],
      [line('a', 'sh', 'care', 1, 500), line('b', 'co', 'care', 1, 400)],
      {},
    ],
    [
      'a shared unit is bought so that the other can be free',
      [buyGet('b', set(['a']), 1, set(['a', 'b']), 1)],
      [line('a', 'a', 'c', 1, 100), line('b', 'b', 'c', 1, 200)],
      { b: 200 },
    ],
    [
      'at most one application',
      [buyGet('b', yog, 2, yog, 1, 100, { maxApplications: 1 })],
      [line('a', 'yog', 'dairy', 6, 100)],
      { a: 100 },
    ],
    [
      'weighed lines do not count',
      [buyGet('b', set(['apple']), 2, set(['apple']), 1)],
      [weighed('a', 'apple', 'fruit', 3000, 600)],
      {},
    ],
    [
      'a fractional quantity without a unit is weighed',
      [buyGet('b', set(['apple']), 2, set(['apple']), 1)],
      [
        {
          lineId: 'a',
          productId: 'apple',
          categoryId: 'fruit',
          quantity: 3500,
          unitPrice: 200,
          gross: 700,
          manualDiscount: 0,
          eligible: true,
        },
      ],
      {},
    ],
    [
      'after a manual discount the free unit is worth its share',
      [buyGet('b', yog, 2, yog, 1)],
      [line('a', 'yog', 'dairy', 3, 100, { manualDiscount: 150 })],
      { a: 50 },
    ],
    [
      'a share is rounded half-up: (3.00 − 1.00) ÷ 3 = 0.666… → 0.67',
      [buyGet('b', yog, 2, yog, 1)],
      [line('a', 'yog', 'dairy', 3, 100, { manualDiscount: 100 })],
      { a: 67 },
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(perLine(run(promotions, lines))).toEqual(expected);
  });

  it('explains itself on the receipt', () => {
    const result = run(
      [{ ...buyGet('b', yog, 2, yog, 1), name: 'Yogurt' }],
      [line('a', 'yog', 'dairy', 3, 100)],
    );
    expect(result.lineDiscounts.get('a')).toEqual([
      {
        source: 'promotion',
        promotionId: 'b',
        scope: 'line',
        description: 'Buy 2 get 1 free — Yogurt',
        amount: 100,
      },
    ]);
  });
});

describe('bundle price', () => {
  const snacks = set([], ['snacks']);
  it.each<Case>([
    [
      '3 for 10.00: 3 × 4.00',
      [bundle('m', snacks, 3, 1000)],
      [line('a', 'chips', 'snacks', 3, 400)],
      { a: 200 },
    ],
    [
      'mix and match: 1.50 split 8.00 / 3.50',
      [bundle('m', snacks, 3, 1000)],
      [line('a', 'chips', 'snacks', 2, 400), line('b', 'nuts', 'snacks', 1, 350)],
      { a: 104, b: 46 },
    ],
    [
      'repeatable: 7 units make two bundles',
      [bundle('m', snacks, 3, 1000)],
      [line('a', 'chips', 'snacks', 7, 400)],
      { a: 400 },
    ],
    [
      'no bundle when it would cost more',
      [bundle('m', snacks, 3, 1000)],
      [line('a', 'chips', 'snacks', 3, 300)],
      {},
    ],
    [
      'filled from the dearest units',
      [bundle('m', snacks, 3, 1000)],
      [
        line('a', 'p5', 'snacks', 1, 500),
        line('b', 'p4', 'snacks', 1, 400),
        line('c', 'p3', 'snacks', 1, 300),
        line('d', 'p2', 'snacks', 1, 200),
      ],
      { a: 83, b: 67, c: 50 },
    ],
    [
      'at most one bundle',
      [bundle('m', snacks, 3, 1000, { maxApplications: 1 })],
      [line('a', 'chips', 'snacks', 6, 400)],
      { a: 200 },
    ],
    [
      '2 of 3 units after a manual discount are worth 2.50 × 2/3 = 1.666… → 1.67',
      [bundle('m', snacks, 2, 100)],
      [line('a', 'chips', 'snacks', 3, 100, { manualDiscount: 50 })],
      { a: 67 },
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(perLine(run(promotions, lines))).toEqual(expected);
  });
});

describe('spend threshold', () => {
  it.each<Case>([
    [
      'spend 50.00 save 5.00, split 30 / 25',
      [spend('s', 5000, { kind: 'amount', amount: 500 })],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 2500)],
      { a: 273, b: 227 },
    ],
    [
      '49.99 does not reach 50.00',
      [spend('s', 5000, { kind: 'amount', amount: 500 })],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 1999)],
      {},
    ],
    [
      '10 % reward',
      [spend('s', 5000, { kind: 'percent', percent: 10 * PCT })],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 2500)],
      { a: 300, b: 250 },
    ],
    [
      'only eligible items count',
      [spend('s', 5000, { kind: 'amount', amount: 500 }, items([], ['c1']))],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 4000)],
      {},
    ],
    [
      'and only they share the reward',
      [spend('s', 5000, { kind: 'amount', amount: 500 }, items([], ['c1']))],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c1', 1, 2500), line('c', 'z', 'c2', 1, 4000)],
      { a: 273, b: 227 },
    ],
    [
      'measured after item promotions: 30.00 + 25.00 − 2.50',
      [spend('s', 5000, { kind: 'amount', amount: 500 }), percentOff('i', items(['y']), 10)],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 2500)],
      { a: 286, b: 464 },
    ],
    [
      'an item discount is left off when the threshold pays more',
      [spend('s', 5500, { kind: 'amount', amount: 500 }), amountOff('i', items(['y']), 100)],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 2500)],
      { a: 273, b: 227 },
    ],
    [
      'ineligible lines neither count nor share',
      [spend('s', 5000, { kind: 'amount', amount: 500 })],
      [line('a', 'x', 'c1', 1, 3000), line('b', 'y', 'c2', 1, 2500, { eligible: false })],
      {},
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(perLine(run(promotions, lines))).toEqual(expected);
  });
});

describe('targeting', () => {
  const promo = (extra: Extra): Promotion[] => [percentOff('p', items(['x']), 10, extra)];
  const lines = [line('a', 'x', 'c', 1, 1000)];
  it.each<[string, Extra, Partial<PromotionContext>, number]>([
    ['before the window', { validFrom: T, validTo: T + H }, { at: T - 1 }, 0],
    ['at the start of the window', { validFrom: T, validTo: T + H }, { at: T }, 100],
    ['just before the end', { validFrom: T, validTo: T + H }, { at: T + H - 1 }, 100],
    ['at the end (exclusive)', { validFrom: T, validTo: T + H }, { at: T + H }, 0],
    ['another store', { storeIds: ['s2'] }, { storeId: 's1' }, 0],
    ['its store', { storeIds: ['s2', 's3'] }, { storeId: 's3' }, 100],
    ['group-only, anonymous customer', { customerGroupIds: ['vip'] }, {}, 0],
    ['group-only, member', { customerGroupIds: ['vip'] }, { customerGroupIds: ['staff', 'vip'] }, 100],
    ['coupon not presented', { couponCode: 'SPRING10' }, {}, 0],
    [
      'coupon presented, any case and spacing',
      { couponCode: 'SPRING10' },
      { couponCodes: [' spring10 '] },
      100,
    ],
  ])('%s', (_name, extra, ctx, expected) => {
    expect(run(promo(extra), lines, ctx).total).toBe(expected);
  });

  it('marks coupon discounts and lists unknown coupons', () => {
    const result = run(
      [
        percentOff('p', items(['x']), 10, { couponCode: 'SPRING10', name: 'Spring' }),
        percentOff('old', items(['x']), 50, { couponCode: 'OLD', validTo: T - H }),
        percentOff('shoes', items(['shoe']), 50, { couponCode: 'SHOES' }),
      ],
      lines,
      { couponCodes: ['spring10', 'NOPE', 'old', 'SHOES', 'nope'] },
    );
    expect(result.lineDiscounts.get('a')).toEqual([
      {
        source: 'coupon',
        promotionId: 'p',
        couponCode: 'SPRING10',
        scope: 'line',
        description: '10 % off — Spring',
        amount: 100,
      },
    ]);
    // Expired counts as unknown; a valid code whose items are not in the cart does not.
    expect(result.unknownCoupons).toEqual(['NOPE', 'old']);
  });
});

describe('combination and choice', () => {
  it.each<[string, Promotion[], PromotionLine[], Record<string, string[]>]>([
    [
      'buy 2 get 1 on yogurt and 20 % on the other dairy',
      [buyGet('bogo', set(['yog']), 2, set(['yog']), 1), percentOff('dairy', items([], ['dairy']), 20)],
      [line('y', 'yog', 'dairy', 3, 100), line('m', 'milk', 'dairy', 1, 150)],
      { y: ['bogo:100'], m: ['dairy:30'] },
    ],
    [
      '50 % off beats buy 2 get 1 free',
      [buyGet('bogo', set(['yog']), 2, set(['yog']), 1), percentOff('half', items(['yog']), 50)],
      [line('y', 'yog', 'dairy', 3, 100)],
      { y: ['half:150'] },
    ],
    [
      'the unit left over from buy 2 get 1 takes the percent off',
      [buyGet('bogo', set(['yog']), 2, set(['yog']), 1), percentOff('dairy', items([], ['dairy']), 20)],
      [line('y', 'yog', 'dairy', 4, 100)],
      { y: ['bogo:100', 'dairy:20'] },
    ],
    [
      '20 % beats 3 for 2.50 on 3 × 1.00',
      [bundle('b', set(['x']), 3, 250), percentOff('p', items(['x']), 20)],
      [line('x', 'x', 'c', 3, 100)],
      { x: ['p:60'] },
    ],
    [
      'a stackable percent applies on top: 20 % then 10 % of 8.00',
      [percentOff('base', items(['x']), 20), percentOff('extra', items(['x']), 10, { stackable: true })],
      [line('x', 'x', 'c', 1, 1000)],
      { x: ['base:200', 'extra:80'] },
    ],
    [
      'a stackable amount stops at zero',
      [percentOff('half', items(['x']), 50), amountOff('more', items(['x']), 100, { stackable: true })],
      [line('x', 'x', 'c', 2, 100)],
      { x: ['half:100', 'more:100'] },
    ],
    [
      'an exclusive item discount keeps its line; the order discount takes the rest',
      [percentOff('excl', items([], ['dairy']), 15, { exclusive: true }), percentOff('order', ORDER, 10)],
      [line('m', 'milk', 'dairy', 1, 1000), line('b', 'bread', 'bakery', 1, 500)],
      { m: ['excl:150'], b: ['order:50'] },
    ],
    [
      'an exclusive discount is not taken when the others give more',
      // exclusive + order on y: 150 + 1000; the order discount alone: 1200
      [percentOff('excl', items(['x']), 15, { exclusive: true }), percentOff('order', ORDER, 20)],
      [line('x', 'x', 'c', 1, 1000), line('y', 'y', 'c', 1, 5000)],
      { x: ['order:200'], y: ['order:1000'] },
    ],
    [
      // 10.00 + 2.00 misses the 45.00 bar (38.00 left); without buy 2 get 1: 2.00 + 12.00 on 48.00
      'buy 2 get 1 is forgone when it makes the cart miss a richer spend threshold',
      [
        buyGet('bogo', set(['yog']), 2, set(['yog']), 1),
        percentOff('ten', items(['milk']), 10),
        spend('s', 4500, { kind: 'amount', amount: 1200 }),
      ],
      [line('y', 'yog', 'dairy', 3, 1000), line('m', 'milk', 'dairy', 1, 2000)],
      { y: ['s:750'], m: ['ten:200', 's:450'] },
    ],
    [
      'an exclusive beats a stack that gives less',
      [
        percentOff('excl', items(['x']), 20, { exclusive: true }),
        percentOff('ten', items(['x']), 10),
        percentOff('five', items(['x']), 5, { stackable: true }),
      ],
      [line('x', 'x', 'c', 1, 1000)],
      { x: ['excl:200'] },
    ],
    [
      'an exclusive order discount against buy 2 get 1',
      [percentOff('all', ORDER, 25, { exclusive: true }), buyGet('bogo', set(['yog']), 2, set(['yog']), 1)],
      [line('y', 'yog', 'dairy', 3, 100), line('b', 'bread', 'bakery', 1, 500)],
      { y: ['all:75'], b: ['all:125'] },
    ],
    [
      'of two order discounts only the best applies',
      [percentOff('ten', ORDER, 10), amountOff('five', ORDER, 500)],
      [line('x', 'x', 'c', 1, 3000)],
      { x: ['five:500'] },
    ],
    [
      'a stackable order discount applies after the best one',
      [percentOff('ten', ORDER, 10), amountOff('five', ORDER, 500, { stackable: true })],
      [line('x', 'x', 'c', 1, 3000)],
      { x: ['ten:300', 'five:500'] },
    ],
    [
      'higher priority wins a tie between order discounts',
      [percentOff('z-ten', ORDER, 10, { priority: 1 }), amountOff('a-one', ORDER, 100)],
      [line('x', 'x', 'c', 1, 1000)],
      { x: ['z-ten:100'] },
    ],
    [
      'lower id wins a tie at equal priority',
      [percentOff('z-ten', ORDER, 10), amountOff('a-one', ORDER, 100)],
      [line('x', 'x', 'c', 1, 1000)],
      { x: ['a-one:100'] },
    ],
    [
      'higher priority wins a tie between item discounts',
      [percentOff('a', items(['x']), 10), percentOff('b', items(['x']), 10, { priority: 3 })],
      [line('x', 'x', 'c', 1, 1000)],
      { x: ['b:100'] },
    ],
    [
      'a tie between an exclusive and buy 2 get 1 goes to the higher priority',
      [
        percentOff('all', ORDER, 25, { exclusive: true }),
        buyGet('bogo', set(['yog']), 2, set(['yog']), 1, 100, { priority: 1 }),
      ],
      [line('y', 'yog', 'dairy', 3, 100), line('b', 'bread', 'bakery', 1, 100)],
      { y: ['bogo:100'] },
    ],
    [
      'the higher-priority deal takes shared units first: buy 1 get 1 once, then 2 for 1.50',
      [
        bundle('two', set(['yog']), 2, 150, { priority: 1 }),
        buyGet('bogo', set(['yog']), 1, set(['yog']), 1, 100, { priority: 2, maxApplications: 1 }),
      ],
      [line('y', 'yog', 'dairy', 4, 100)],
      { y: ['bogo:100', 'two:50'] },
    ],
    [
      'the same deals the other way round: 2 for 1.50 takes all four units',
      [
        bundle('two', set(['yog']), 2, 150, { priority: 2 }),
        buyGet('bogo', set(['yog']), 1, set(['yog']), 1, 100, { priority: 1, maxApplications: 1 }),
      ],
      [line('y', 'yog', 'dairy', 4, 100)],
      { y: ['two:100'] },
    ],
    [
      'overridden lines take nothing',
      [percentOff('all', ORDER, 10), percentOff('x', items(['x']), 50)],
      [line('x', 'x', 'c', 1, 1000, { eligible: false }), line('y', 'y', 'c', 1, 1000)],
      { y: ['all:100'] },
    ],
  ])('%s', (_name, promotions, lines, expected) => {
    expect(detail(run(promotions, lines))).toEqual(expected);
  });

  it('lists the applied promotions by priority with their totals', () => {
    const result = run(
      [
        percentOff('dairy', items([], ['dairy']), 20),
        buyGet('bogo', set(['yog']), 2, set(['yog']), 1, 100, { priority: 1 }),
      ],
      [line('y', 'yog', 'dairy', 3, 100), line('m', 'milk', 'dairy', 2, 150)],
    );
    expect(result.applied).toEqual([
      {
        promotionId: 'bogo',
        name: 'bogo',
        description: {
          offer: { kind: 'buy_x_get_y', buyQuantity: 2, getQuantity: 1, percent: 100 * PCT },
          campaign: 'bogo',
        },
        amount: 100,
      },
      {
        promotionId: 'dairy',
        name: 'dairy',
        description: { offer: { kind: 'percent_off', scope: 'items', percent: 20 * PCT }, campaign: 'dairy' },
        amount: 60,
      },
    ]);
    expect(result.total).toBe(160);
  });

  it('keeps finding the independent deals when there are too many to try every combination', () => {
    // 14 buy-1-get-1 deals on 14 products: past the exhaustive limit, each group is solved alone.
    const promotions = Array.from({ length: 14 }, (_, i) =>
      buyGet(`b${i}`, set([`p${i}`]), 1, set([`p${i}`]), 1),
    );
    const lines = Array.from({ length: 14 }, (_, i) =>
      line(`l${String(i).padStart(2, '0')}`, `p${i}`, 'c', 2, 100 + i),
    );
    const withThreshold = [
      ...promotions,
      spend('s', 100_000, { kind: 'amount', amount: 500 }),
      percentOff('o', ORDER, 1),
    ];
    const result = run(withThreshold, lines);
    // Σ (100 + i) for i = 0..13 = 1491; then 1 % of what is left (2 × Σ(100+i) − 1491 = 1491) = 14.91 → 15.
    expect(result.total).toBe(1491 + 15);
    expect(run(withThreshold, [...lines].reverse()).lineDiscounts).toEqual(result.lineDiscounts);
  });

  it('ignores lines that are not promotable', () => {
    const result = run(
      [percentOff('all', ORDER, 10)],
      [
        line('a', 'x', 'c', 1, 1000, { manualDiscount: 1000 }),
        line('b', 'y', 'c', 1, 1000, { eligible: false }),
      ],
    );
    expect(result.total).toBe(0);
    expect(result.lineDiscounts.get('a')).toEqual([]);
    expect(result.lineDiscounts.get('b')).toEqual([]);
  });

  it('accepts an index built once', () => {
    const index = buildPromotionIndex([percentOff('p', items(['x']), 10)]);
    expect(applyPromotions(index, [line('a', 'x', 'c', 1, 1000)], CTX).total).toBe(100);
  });
});

describe('validation', () => {
  it.each<[string, Promotion]>([
    ['no id', percentOff('', ORDER, 10)],
    ['a blank name', { ...percentOff('p', ORDER, 10), name: '  ' }],
    ['ending before it starts', percentOff('p', ORDER, 10, { validFrom: T, validTo: T })],
    ['0 %', percentOff('p', ORDER, 0)],
    ['more than 100 %', percentOff('p', ORDER, 101)],
    ['a zero amount', amountOff('p', ORDER, 0)],
    ['a negative amount', amountOff('p', items(['x']), -5)],
    ['an empty item target', percentOff('p', items(), 10)],
    ['buy 0 get 1', buyGet('p', set(['x']), 0, set(['x']), 1)],
    ['buy 1.5', buyGet('p', set(['x']), 1.5, set(['x']), 1)],
    ['a stackable buy X get Y', buyGet('p', set(['x']), 1, set(['x']), 1, 100, { stackable: true })],
    ['a bundle of 0', bundle('p', set(['x']), 0, 100)],
    ['a negative bundle price', bundle('p', set(['x']), 2, -1)],
    ['a stackable bundle', bundle('p', set(['x']), 2, 100, { stackable: true })],
    ['a zero threshold', spend('p', 0, { kind: 'amount', amount: 100 })],
    ['a 0 % reward', spend('p', 100, { kind: 'percent', percent: 0 })],
    ['exclusive and stackable', percentOff('p', items(['x']), 10, { exclusive: true, stackable: true })],
    ['a zero cap', percentOff('p', items(['x']), 10, { maxApplications: 0 })],
    ['a cap on an order discount', percentOff('p', ORDER, 10, { maxApplications: 2 })],
    ['a blank coupon code', percentOff('p', ORDER, 10, { couponCode: ' ' })],
    ['a fractional priority', percentOff('p', ORDER, 10, { priority: 1.5 })],
  ])('refuses %s', (_name, promotion) => {
    let error: unknown;
    try {
      validatePromotion(promotion);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('invalid_promotion');
  });

  it('says which promotion and why', () => {
    expect(() => {
      validatePromotion({ ...percentOff('p7', ORDER, 0), name: 'Summer' });
    }).toThrow('Promotion "Summer" (p7) cannot be used: its percentage must be more than 0 and at most 100.');
  });

  it('refuses duplicate ids, or leaves bad promotions out when asked', () => {
    const good = percentOff('good', items(['x']), 10);
    expect(() => buildPromotionIndex([good, good])).toThrow(/same id/);
    const index = buildPromotionIndex([good, percentOff('bad', ORDER, 0)], { onInvalid: 'skip' });
    expect(index.rejected.map((r) => r.promotionId)).toEqual(['bad']);
    expect(applyPromotions(index, [line('a', 'x', 'c', 1, 1000)], CTX).total).toBe(100);
  });
});

describe('descriptions', () => {
  it.each<[Promotion, string | undefined, Unit | undefined, string]>([
    [
      { ...buyGet('p', set(['x']), 2, set(['x']), 1), name: 'Yogurt' },
      undefined,
      undefined,
      'Buy 2 get 1 free — Yogurt',
    ],
    [
      { ...buyGet('p', set(['x']), 1, set(['x']), 1, 50), name: 'Socks' },
      undefined,
      undefined,
      'Buy 1 get 1 at 50 % off — Socks',
    ],
    [{ ...bundle('p', set(['x']), 3, 1000), name: 'Snacks' }, 'EUR', undefined, '3 for 10.00 — Snacks'],
    [{ ...bundle('p', set(['x']), 3, 1000), name: 'Snacks' }, 'JPY', undefined, '3 for 1000 — Snacks'],
    [{ ...percentOff('p', items(['x']), 12.5), name: 'Dairy' }, undefined, undefined, '12.5 % off — Dairy'],
    [{ ...percentOff('p', ORDER, 10), name: 'Staff' }, undefined, undefined, '10 % off the order — Staff'],
    [{ ...amountOff('p', items(['x']), 50), name: 'Tins' }, 'EUR', 'each', '0.50 off each — Tins'],
    [{ ...amountOff('p', items(['x']), 100), name: 'Ham' }, 'EUR', 'kg', '1.00 off per kg — Ham'],
    [{ ...amountOff('p', ORDER, 500), name: 'Welcome' }, 'EUR', undefined, '5.00 off the order — Welcome'],
    [
      { ...spend('p', 5000, { kind: 'amount', amount: 500 }), name: 'Big shop' },
      'EUR',
      undefined,
      'Spend 50.00, save 5.00 — Big shop',
    ],
    [
      { ...spend('p', 5000, { kind: 'percent', percent: 10 * PCT }), name: 'Big shop' },
      'EUR',
      undefined,
      'Spend 50.00, save 10 % — Big shop',
    ],
  ])('%#: %s', (promotion, currency, unit, expected) => {
    expect(describePromotion(promotion, currency, unit)).toBe(expected);
  });
});

describe('structured descriptions', () => {
  // The offer without words, and the English text records keep, for each kind.
  it.each<[string, Promotion, string | undefined, Unit | undefined, PromotionDescription, string]>([
    [
      'buy X get Y free',
      { ...buyGet('p', set(['x']), 2, set(['x']), 1), name: 'Yogurt' },
      undefined,
      undefined,
      {
        offer: { kind: 'buy_x_get_y', buyQuantity: 2, getQuantity: 1, percent: 100 * PCT },
        campaign: 'Yogurt',
      },
      'Buy 2 get 1 free — Yogurt',
    ],
    [
      'buy X get Y at a percent off',
      { ...buyGet('p', set(['x']), 1, set(['x']), 1, 50), name: 'Socks' },
      'EUR',
      'each',
      {
        offer: { kind: 'buy_x_get_y', buyQuantity: 1, getQuantity: 1, percent: 50 * PCT },
        campaign: 'Socks',
      },
      'Buy 1 get 1 at 50 % off — Socks',
    ],
    [
      'bundle',
      { ...bundle('p', set(['x']), 3, 500), name: 'Snacks' },
      'EUR',
      undefined,
      { offer: { kind: 'bundle_price', quantity: 3, price: 500 }, campaign: 'Snacks' },
      '3 for 5.00 — Snacks',
    ],
    [
      'bundle in a currency without decimals',
      { ...bundle('p', set(['x']), 3, 1000), name: 'Snacks' },
      'JPY',
      undefined,
      { offer: { kind: 'bundle_price', quantity: 3, price: 1000 }, campaign: 'Snacks' },
      '3 for 1000 — Snacks',
    ],
    [
      'percent off items',
      { ...percentOff('p', items(['x']), 12.5), name: 'Grocery week' },
      undefined,
      undefined,
      { offer: { kind: 'percent_off', scope: 'items', percent: 125_000 }, campaign: 'Grocery week' },
      '12.5 % off — Grocery week',
    ],
    [
      'percent off the order',
      { ...percentOff('p', ORDER, 10), name: 'Staff' },
      undefined,
      undefined,
      { offer: { kind: 'percent_off', scope: 'order', percent: 10 * PCT }, campaign: 'Staff' },
      '10 % off the order — Staff',
    ],
    [
      'amount off each',
      { ...amountOff('p', items(['x']), 50), name: 'Tins' },
      'EUR',
      'each',
      { offer: { kind: 'amount_off', scope: 'each', amount: 50 }, campaign: 'Tins' },
      '0.50 off each — Tins',
    ],
    [
      'amount off per kg',
      { ...amountOff('p', items(['x']), 100), name: 'Ham' },
      'EUR',
      'kg',
      { offer: { kind: 'amount_off', scope: 'per_unit', amount: 100, unit: 'kg' }, campaign: 'Ham' },
      '1.00 off per kg — Ham',
    ],
    [
      'amount off the order, three decimals',
      { ...amountOff('p', ORDER, 5000), name: 'Welcome' },
      'KWD',
      undefined,
      { offer: { kind: 'amount_off', scope: 'order', amount: 5000 }, campaign: 'Welcome' },
      '5.000 off the order — Welcome',
    ],
    [
      'spend, save an amount',
      { ...spend('p', 5000, { kind: 'amount', amount: 500 }), name: 'Big shop' },
      'EUR',
      undefined,
      {
        offer: { kind: 'spend_threshold', threshold: 5000, reward: { kind: 'amount', amount: 500 } },
        campaign: 'Big shop',
      },
      'Spend 50.00, save 5.00 — Big shop',
    ],
    [
      'spend, save a percent',
      { ...spend('p', 5000, { kind: 'percent', percent: 10 * PCT }), name: 'Big — shop' },
      'EUR',
      undefined,
      {
        offer: { kind: 'spend_threshold', threshold: 5000, reward: { kind: 'percent', percent: 10 * PCT } },
        campaign: 'Big — shop',
      },
      'Spend 50.00, save 10 % — Big — shop',
    ],
  ])('%s', (_name, promotion, currency, unit, structured, text) => {
    expect(promotionDescription(promotion, unit)).toEqual(structured);
    expect(promotionText(structured, currency)).toBe(text);
    expect(describePromotion(promotion, currency, unit)).toBe(text);
    // What a record stores reads back to the same offer and campaign.
    expect(readPromotionDescription(text, currency)).toEqual(structured);
  });

  it.each([
    ['3 for 3.50', 'EUR', { offer: { kind: 'bundle_price', quantity: 3, price: 350 }, campaign: '' }],
    ['Discount 10 %', 'EUR', undefined],
    ['Staff discount — Anna', 'EUR', undefined],
    ['1.00 off per parsec — Space', 'EUR', undefined],
    ['3 for 3.5 — Snacks', 'EUR', undefined],
    ['', 'EUR', undefined],
  ])('reads %j: recorded before campaigns, or not a promotion text', (text, currency, expected) => {
    expect(readPromotionDescription(text, currency)).toEqual(expected);
  });

  it('carries the structured description of each applied promotion, per kg for a weighed line', () => {
    const result = run(
      [{ ...amountOff('ham', items(['ham']), 100), name: 'Ham week' }],
      [line('h', 'ham', 'deli', 1, 2000, { quantity: 1500, gross: 3000, unit: 'kg' })],
    );
    expect(result.applied.map((a) => a.description)).toEqual([
      { offer: { kind: 'amount_off', scope: 'per_unit', amount: 100, unit: 'kg' }, campaign: 'Ham week' },
    ]);
    expect(result.lineDiscounts.get('h')?.map((d) => d.description)).toEqual(['1.00 off per kg — Ham week']);
  });

  it('reads back every text it writes', () => {
    const money = fc.integer({ min: 1, max: 10_000_000 });
    const rate = fc.integer({ min: 1, max: 1_000_000 });
    const count = fc.integer({ min: 1, max: 99 });
    const campaign = fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 30 }));
    const target = fc.constantFrom<PromotionTarget>(ORDER, items(['x']));
    const promotion = fc.oneof(
      fc.tuple(target, rate).map(([t, r]) => ({ ...percentOff('p', t, 1), percent: r })),
      fc.tuple(target, money).map(([t, a]) => amountOff('p', t, a)),
      fc
        .tuple(count, count, rate)
        .map(([b, g, r]) => ({ ...buyGet('p', set(['x']), b, set(['x']), g), percent: r })),
      fc.tuple(count, money).map(([q, p]) => bundle('p', set(['x']), q, p)),
      fc
        .tuple(
          money,
          fc.oneof(
            rate.map((percent) => ({ kind: 'percent' as const, percent })),
            money.map((amount) => ({ kind: 'amount' as const, amount })),
          ),
        )
        .map(([t, reward]) => spend('p', t, reward)),
    );
    fc.assert(
      fc.property(
        promotion,
        campaign,
        fc.constantFrom('EUR', 'JPY', 'KWD'),
        fc.constantFrom<Unit>('each', 'kg', 'm'),
        (p, name, currency, unit) => {
          const named = { ...p, name };
          const text = describePromotion(named, currency, unit);
          // A campaign name is read from the first " — "; the offer never contains one.
          expect(readPromotionDescription(text, currency)).toEqual(promotionDescription(named, unit));
        },
      ),
    );
  });
});

// ---- properties ----

const PRODUCTS = ['p1', 'p2', 'p3', 'p4'];
const CATEGORIES = ['c1', 'c2'];

const lineArb = fc
  .record({
    productId: fc.constantFrom(...PRODUCTS),
    categoryId: fc.constantFrom(...CATEGORIES),
    weighed: fc.boolean(),
    units: fc.integer({ min: 1, max: 5 }),
    milli: fc.integer({ min: 50, max: 3000 }),
    unitPrice: fc.integer({ min: 1, max: 2000 }),
    manualShare: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100 })),
    eligible: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(true), fc.constant(false)),
  })
  .map((l): Omit<PromotionLine, 'lineId'> => {
    const quantity = l.weighed ? l.milli : l.units * 1000;
    const gross = Math.round((l.unitPrice * quantity) / 1000);
    return {
      productId: l.productId,
      categoryId: l.categoryId,
      quantity,
      unitPrice: l.unitPrice,
      gross,
      manualDiscount: Math.floor((gross * l.manualShare) / 100),
      eligible: l.eligible,
      unit: l.weighed ? 'kg' : 'each',
    };
  });

const linesArb = fc
  .array(lineArb, { minLength: 1, maxLength: 7 })
  .map((lines) => lines.map((l, i) => ({ ...l, lineId: `L${i}` })));

const setArb = fc
  .record({ productIds: fc.subarray(PRODUCTS), categoryIds: fc.subarray(CATEGORIES) })
  .filter((s) => s.productIds.length + s.categoryIds.length > 0);
const targetArb: fc.Arbitrary<PromotionTarget> = fc.oneof(
  setArb.map((s) => ({ kind: 'items' as const, ...s })),
  fc.constant({ kind: 'order' as const }),
);

/** A promotion without its id (distributes over the union, unlike a plain Omit). */
type Draft = Promotion extends infer P ? (P extends Promotion ? Omit<P, 'id'> : never) : never;

const promotionArb: fc.Arbitrary<Draft> = fc
  .record({
    kind: fc.constantFrom('percent_off', 'amount_off', 'buy_x_get_y', 'bundle_price', 'spend_threshold'),
    priority: fc.integer({ min: 0, max: 2 }),
    flag: fc.constantFrom('none', 'none', 'exclusive', 'stackable'),
    capped: fc.boolean(),
    target: targetArb,
    set: setArb,
    set2: setArb,
    percent: fc.integer({ min: 1, max: 100 }).map((p) => p * PCT),
    amount: fc.integer({ min: 1, max: 3000 }),
    count: fc.integer({ min: 1, max: 3 }),
    count2: fc.integer({ min: 1, max: 2 }),
    reward: fc.oneof(
      fc.integer({ min: 1, max: 50 }).map((p) => ({ kind: 'percent' as const, percent: p * PCT })),
      fc.integer({ min: 1, max: 2000 }).map((a) => ({ kind: 'amount' as const, amount: a })),
    ),
  })
  .map((r): Draft => {
    const countBased = r.kind === 'buy_x_get_y' || r.kind === 'bundle_price';
    const orderLevel = r.kind === 'spend_threshold' || (!countBased && r.target.kind === 'order');
    const common = {
      ...COMMON,
      name: 'promo',
      priority: r.priority,
      exclusive: r.flag === 'exclusive',
      ...(r.flag === 'stackable' && !countBased ? { stackable: true } : {}),
      ...(r.capped && !orderLevel ? { maxApplications: r.count } : {}),
    };
    switch (r.kind) {
      case 'percent_off':
        return { ...common, kind: r.kind, target: r.target, percent: r.percent };
      case 'amount_off':
        return { ...common, kind: r.kind, target: r.target, amount: r.amount };
      case 'buy_x_get_y':
        return {
          ...common,
          kind: r.kind,
          buy: r.set,
          buyQuantity: r.count,
          get: r.set2,
          getQuantity: r.count2,
          percent: r.percent,
        };
      case 'bundle_price':
        return { ...common, kind: r.kind, items: r.set, quantity: r.count + 1, price: r.amount };
      case 'spend_threshold':
        return { ...common, kind: r.kind, eligible: r.target, threshold: r.amount * 2, reward: r.reward };
    }
  });

const promotionsArb = (max: number): fc.Arbitrary<Promotion[]> =>
  fc.array(promotionArb, { maxLength: max }).map((list) => list.map((p, i) => ({ ...p, id: `P${i}` })));

function shuffle<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('properties', () => {
  it('never takes a line below zero nor more than gross − manual discount', () => {
    fc.assert(
      fc.property(promotionsArb(6), linesArb, (promotions, lines) => {
        const result = applyPromotions(promotions, lines, CTX);
        for (const l of lines) {
          const discounts = result.lineDiscounts.get(l.lineId) ?? [];
          const sum = discounts.reduce((s, d) => s + d.amount, 0);
          for (const d of discounts) expect(Number.isSafeInteger(d.amount) && d.amount > 0).toBe(true);
          if (!l.eligible) expect(sum).toBe(0);
          expect(sum).toBeLessThanOrEqual(Math.max(0, l.gross - l.manualDiscount));
        }
      }),
    );
  });

  it('totals agree: Σ line discounts = Σ applied = total ≥ 0', () => {
    fc.assert(
      fc.property(promotionsArb(6), linesArb, (promotions, lines) => {
        const result = applyPromotions(promotions, lines, CTX);
        let lineSum = 0;
        for (const discounts of result.lineDiscounts.values()) for (const d of discounts) lineSum += d.amount;
        expect(result.total).toBeGreaterThanOrEqual(0);
        expect(lineSum).toBe(result.total);
        expect(result.applied.reduce((s, a) => s + a.amount, 0)).toBe(result.total);
      }),
    );
  });

  it('is deterministic: shuffled lines and promotions give the same discounts', () => {
    fc.assert(
      fc.property(promotionsArb(6), linesArb, fc.nat(), (promotions, lines, seed) => {
        const a = applyPromotions(promotions, lines, CTX);
        const b = applyPromotions(shuffle(promotions, seed), shuffle(lines, seed + 1), CTX);
        for (const l of lines) expect(b.lineDiscounts.get(l.lineId)).toEqual(a.lineDiscounts.get(l.lineId));
        expect(b.applied).toEqual(a.applied);
      }),
    );
  });

  it('one more promotion never leaves the customer worse off', () => {
    fc.assert(
      fc.property(promotionsArb(4), promotionArb, linesArb, (promotions, extra, lines) => {
        const before = applyPromotions(promotions, lines, CTX).total;
        const after = applyPromotions([...promotions, { ...extra, id: 'EXTRA' }], lines, CTX).total;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('an order discount is split exactly: parts sum to it and none exceeds its line', () => {
    fc.assert(
      fc.property(
        linesArb,
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.boolean(),
        (lines, percent, amount, usePercent) => {
          const promotion = usePercent ? percentOff('o', ORDER, percent) : amountOff('o', ORDER, amount);
          const result = applyPromotions([promotion], lines, CTX);
          const base = lines
            .filter((l) => l.eligible)
            .reduce((s, l) => s + Math.max(0, l.gross - l.manualDiscount), 0);
          const expected = usePercent ? applyRate(base, percent * PCT, 'half-up') : Math.min(amount, base);
          let parts = 0;
          for (const l of lines) {
            for (const d of result.lineDiscounts.get(l.lineId) ?? []) {
              expect(d.scope).toBe('order');
              expect(d.amount).toBeLessThanOrEqual(l.gross - l.manualDiscount);
              parts += d.amount;
            }
          }
          expect(parts).toBe(expected);
        },
      ),
    );
  });
});
