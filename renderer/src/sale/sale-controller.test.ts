import { productRows } from '@pos/app';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appleLabel,
  approvals,
  CODES,
  removeTestTills,
  saleState,
  testTill,
  ean13,
  eventually,
  HOUR,
  MANAGER,
  priceDoc,
  PRODUCTS,
  T0,
} from '../app/till-fixture.test-helper.ts';
import { BUSY_AFTER_MS } from './sale-controller.ts';

const till = testTill;
const state = saleState;

afterEach(removeTestTills);
const T0String = new Date(T0).toISOString();

describe('scanning', () => {
  it('prices scanned items with VAT included and merges a repeated scan into the last line', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    const { sale, priced } = state(t);
    expect(sale?.lines.map((l) => [l.name, l.quantity])).toEqual([
      ['Whole milk 1 l', 2000],
      ['Sourdough bread', 1000],
    ]);
    // 2 × 1.50 + 2.40 = 5.40; VAT 20 % included: 3.00 × 0.2 / 1.2 = 0.50, 2.40 × 0.2 / 1.2 = 0.40.
    expect(priced?.total).toBe(540);
    expect(priced?.tax).toBe(90);
    expect(state(t).selectedLineId).toBe(sale?.lines[1]?.lineId);
  });

  it('applies the 3-for-2.00 chocolate promotion and lists it', async () => {
    const t = await till();
    for (let i = 0; i < 3; i++) await t.runtime.sale.scan(CODES.choc);
    const { priced } = state(t);
    // 3 × 1.00 = 3.00, bundle price 2.00: 1.00 off; VAT 2.00 × 0.2 / 1.2 = 0.333 → 0.33.
    expect(priced?.subtotal).toBe(300);
    expect(priced?.discount).toBe(100);
    expect(priced?.total).toBe(200);
    expect(priced?.tax).toBe(33);
    expect(priced?.promotions.map((p) => [p.name, p.amount])).toEqual([['Chocolate 3 for 2.00', 100]]);
  });

  it('shows busy only while a lookup takes longer than BUSY_AFTER_MS', async () => {
    const t = await till();
    const seen: boolean[] = [];
    t.runtime.saleStore.subscribe((s) => seen.push(s.busy));
    await t.runtime.sale.scan(CODES.milk);
    // A quick scan never draws the busy bar.
    expect(seen).not.toContain(true);

    const lookup = t.runtime.catalog.findByBarcode.bind(t.runtime.catalog);
    t.runtime.catalog.findByBarcode = async (key) => {
      await new Promise((resolve) => setTimeout(resolve, BUSY_AFTER_MS + 100));
      return lookup(key);
    };
    await t.runtime.sale.scan(CODES.bread);
    expect(seen).toContain(true);
    expect(state(t).busy).toBe(false);
    expect(state(t).sale?.lines.map((l) => l.name)).toEqual(['Whole milk 1 l', 'Sourdough bread']);
  });

  it('says an unknown barcode is unknown and offers the search', async () => {
    const t = await till();
    await t.runtime.sale.scan(ean13('400000000099'));
    const { notice, sale } = state(t);
    expect(notice?.tone).toBe('error');
    expect(notice?.message.key).toBe('sale:errors.unknown_product');
    expect(notice?.message.params?.barcode).toBe(ean13('400000000099'));
    expect(notice?.actions?.map((a) => a.labelKey)).toEqual(['sale:actions.searchInstead']);
    expect(sale?.lines ?? []).toEqual([]);
  });

  it.each([
    ['a wrong check digit', '4000000000010', 'sale:errors.bad_check_digit'],
    ['a retired product', CODES.retired, 'sale:errors.product_not_sellable'],
    ['a product without a price', CODES.noPrice, 'sale:errors.no_price_add'],
  ])('refuses %s with a message', async (_name, code, key) => {
    const t = await till();
    await t.runtime.sale.scan(code);
    expect(state(t).notice?.message.key).toBe(key);
    expect(state(t).sale?.lines ?? []).toEqual([]);
  });

  it('sells an item without a price at a price keyed in, with a manager approval', async () => {
    const approval = approvals();
    const t = await till({ approval });
    const entered: string[] = [];
    t.runtime.sale.hooks = { ...t.runtime.sale.hooks, enterPrice: (product) => entered.push(product.id) };
    await t.runtime.sale.scan(CODES.noPrice);
    expect(state(t).notice?.actions?.map((a) => a.labelKey)).toEqual(['sale:actions.enterPrice']);
    state(t).notice?.actions?.[0]?.run();
    expect(entered).toEqual(['P-NOPRICE']);

    expect(await t.runtime.sale.add(PRODUCTS.noPrice, { priceOverride: 500 })).toBe(true);
    const line = state(t).sale?.lines[0];
    expect(approval.asked.map((a) => [a.permission, a.lineId])).toEqual([['price.override', line?.lineId]]);
    expect(state(t).priced?.total).toBe(500);
    expect(state(t).priced?.lines[0]?.priceSource).toBeNull();
  });

  it('asks to check the age of an 18+ item and adds it once confirmed', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.wine);
    expect(state(t).prompt).toMatchObject({ kind: 'age', minimumAge: 18 });
    expect(state(t).sale?.lines).toEqual([]);
    t.runtime.sale.confirmPrompt();
    await eventually(() => state(t).sale?.lines.length === 1);
    expect(state(t).priced?.total).toBe(890);
    expect(state(t).sale?.ageVerified).toBe(18);
  });

  it('does not add the 18+ item when the cashier cancels the check', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.wine);
    t.runtime.sale.cancelPrompt();
    expect(state(t).prompt).toBeNull();
    expect(state(t).sale?.lines).toEqual([]);
    expect(state(t).notice?.message.key).toBe('sale:notices.itemNotAdded');
  });

  it('weighs an item sold by the kg, waiting for a stable reading', async () => {
    const t = await till();
    t.main.scale = [
      { weight: 500, unit: 'kg', isStable: false },
      { weight: 752, unit: 'kg', isStable: true },
    ];
    await t.runtime.sale.add(PRODUCTS.apples);
    const line = state(t).sale?.lines[0];
    expect(line?.quantity).toBe(752);
    expect(line?.unit).toBe('kg');
    // 0.752 kg × 3.20 = 2.4064 → 2.41; food VAT 10 %: 2.41 × 0.1 / 1.1 = 0.219 → 0.22.
    expect(state(t).priced?.total).toBe(241);
    expect(state(t).priced?.tax).toBe(22);
  });

  it('reads the weight from a weight-embedded scale label', async () => {
    const t = await till();
    await t.runtime.sale.scan(appleLabel(1250));
    // 1.250 kg × 3.20 = 4.00.
    expect(state(t).sale?.lines[0]?.quantity).toBe(1250);
    expect(state(t).priced?.total).toBe(400);
    expect(t.main.calls.some((c) => c.command === 'hardware.readScale')).toBe(false);
  });

  it('gives up on a weight that never settles, with a way to weigh again', async () => {
    const t = await till();
    t.main.scale = [{ weight: 300, unit: 'kg', isStable: false }];
    await t.runtime.sale.add(PRODUCTS.apples);
    expect(state(t).notice?.message.key).toBe('sale:errors.weight_unstable');
    expect(state(t).notice?.actions?.map((a) => a.labelKey)).toEqual(['sale:actions.weighAgain']);
    expect(state(t).sale?.lines).toEqual([]);
  });

  it('converts a scale that reports pounds to the product kilograms', async () => {
    const t = await till();
    t.main.scale = [{ weight: 2000, unit: 'lb', isStable: true }];
    await t.runtime.sale.add(PRODUCTS.apples);
    // 2 lb = 0.90718474 kg → 0.907 kg.
    expect(state(t).sale?.lines[0]?.quantity).toBe(907);
  });

  it('still rings a product whose barcode the catalog stored as printed (13 digits, not the GTIN key)', async () => {
    const t = await till();
    const code = ean13('400000000008');
    await t.db.products.bulkInsert(
      productRows(
        { ...PRODUCTS.bread, id: 'P-PRINTED', sku: 'PRINTED', name: 'Printed code item', barcodes: [code] },
        T0String,
      ),
    );
    await t.db.prices.insert(priceDoc('P-PRINTED', 199));
    await t.runtime.sale.scan(code);
    expect(state(t).sale?.lines.map((l) => l.name)).toEqual(['Printed code item']);
    expect(state(t).priced?.total).toBe(199);
  });

  it('applies a quantity typed before the scan', async () => {
    const t = await till();
    t.runtime.sale.setPendingQuantity(4000);
    await t.runtime.sale.scan(CODES.bread);
    expect(state(t).sale?.lines[0]?.quantity).toBe(4000);
    expect(state(t).priced?.total).toBe(960);
    expect(state(t).pendingQuantity).toBeNull();
  });

  it('reads the stock on hand at this store for a scanned item', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    await eventually(() => state(t).stock.get('P-MILK') === 42_000);
  });
});

describe('changing lines', () => {
  it('gives a line discount within the cashier limit without asking', async () => {
    const approval = approvals();
    const t = await till({ approval });
    await t.runtime.sale.scan(CODES.milk);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    expect(await t.runtime.sale.setLineDiscount(lineId, { kind: 'percent', rate: 100_000 })).toBe(true);
    // 10 % of 1.50 = 0.15.
    expect(state(t).priced?.total).toBe(135);
    expect(approval.asked).toEqual([]);
  });

  it('asks a manager for a discount beyond the cashier limit and records the approval', async () => {
    const approval = approvals();
    const t = await till({ approval });
    await t.runtime.sale.scan(CODES.milk);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    expect(await t.runtime.sale.setLineDiscount(lineId, { kind: 'percent', rate: 200_000 })).toBe(true);
    expect(approval.asked.map((a) => [a.permission, a.lineId])).toEqual([['discount.beyond_limit', lineId]]);
    // 20 % of 1.50 = 0.30.
    expect(state(t).priced?.total).toBe(120);
    expect(state(t).sale?.approvals.map((a) => [a.permission, a.approvedBy])).toEqual([
      ['discount.beyond_limit', MANAGER],
    ]);
  });

  it('leaves the price as it was when the manager approval is cancelled', async () => {
    const approval = approvals('decline');
    const t = await till({ approval });
    await t.runtime.sale.scan(CODES.bread);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    expect(await t.runtime.sale.overridePrice(lineId, 199)).toBe(false);
    expect(approval.asked.map((a) => a.permission)).toEqual(['price.override']);
    expect(state(t).priced?.total).toBe(240);
    expect(state(t).notice?.message.key).toBe('sale:notices.approvalCancelled');
  });

  it('overrides a price with approval and excludes the line from promotions', async () => {
    const t = await till();
    for (let i = 0; i < 3; i++) await t.runtime.sale.scan(CODES.choc);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    expect(await t.runtime.sale.overridePrice(lineId, 90)).toBe(true);
    // 3 × 0.90 = 2.70, no bundle price on an overridden line.
    expect(state(t).priced?.total).toBe(270);
    expect(state(t).priced?.lines[0]?.overriddenFrom).toBe(100);
  });

  it('gives an order discount spread over the lines', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    expect(await t.runtime.sale.setOrderDiscount({ kind: 'amount', amount: 54 })).toBe(true);
    // 3.90 − 0.54 = 3.36; shares 0.54 × 150/390 = 0.2077 → 0.21 and 0.54 × 240/390 = 0.3323 → 0.33.
    expect(state(t).priced?.total).toBe(336);
    expect(state(t).priced?.lines.map((l) => l.discount)).toEqual([21, 33]);
  });

  it('changes the quantity with + and voids the line at zero', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.bread);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    await t.runtime.sale.changeQuantityBy(lineId, 1);
    expect(state(t).priced?.total).toBe(480);
    await t.runtime.sale.changeQuantityBy(lineId, -1);
    await t.runtime.sale.changeQuantityBy(lineId, -1);
    expect(state(t).sale?.lines).toEqual([]);
    expect(state(t).sale?.voidedLines.map((v) => [v.name, v.quantity])).toEqual([
      ['Sourdough bread', 1000],
      ['Sourdough bread', 1000],
    ]);
  });

  it('refuses a quantity beyond the line limit', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.bread);
    const lineId = state(t).sale?.lines[0]?.lineId ?? '';
    expect(await t.runtime.sale.setQuantity(lineId, 1_000_000)).toBe(false);
    expect(state(t).notice?.message.key).toBe('sale:errors.quantity_too_large');
    expect(state(t).sale?.lines[0]?.quantity).toBe(1000);
  });

  it('applies a scanned coupon code', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.bread);
    await t.runtime.sale.addCoupon('welcome10');
    // 10 % off 2.40 = 0.24.
    expect(state(t).priced?.total).toBe(216);
    expect(state(t).notice?.message.key).toBe('sale:notices.couponAdded');
  });
});

describe('keeping the sale', () => {
  it('saves the open sale on every change, so a restart resumes it', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    await t.runtime.sale.scan(CODES.bread);
    await t.runtime.carts.idle();
    const docs = await t.db.carts.find().exec();
    expect(docs.map((d) => [d.state, d.lines.length])).toEqual([['open', 2]]);

    const restarted = await till({ db: t.db, main: t.main });
    await restarted.runtime.resumeOpenSale();
    expect(state(restarted).sale?.saleId).toBe(state(t).sale?.saleId);
    expect(state(restarted).priced?.total).toBe(390);
  });

  it('parks a sale and resumes it later', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    const saleId = state(t).sale?.saleId ?? '';
    expect(await t.runtime.sale.park()).toBe(true);
    expect(state(t).sale).toBeNull();
    const parked = await t.runtime.carts.parked();
    expect(parked.map((p) => [p.saleId, p.state])).toEqual([[saleId, 'parked']]);

    await t.runtime.sale.scan(CODES.bread);
    expect(await t.runtime.sale.resume(saleId)).toBe(false);
    expect(state(t).notice?.message.key).toBe('sale:notices.parkCurrentFirst');
    const other = state(t).sale?.lines[0]?.lineId ?? '';
    await t.runtime.sale.voidLine(other);

    expect(await t.runtime.sale.resume(saleId)).toBe(true);
    expect(state(t).sale?.state).toBe('open');
    expect(state(t).priced?.total).toBe(150);
    await t.runtime.carts.idle();
    expect((await t.runtime.carts.parked()).length).toBe(0);
  });

  it('voids the whole sale only with a supervisor approval', async () => {
    const approval = approvals();
    const t = await till({ approval });
    await t.runtime.sale.scan(CODES.milk);
    const saleId = state(t).sale?.saleId ?? '';
    expect(await t.runtime.sale.voidSale()).toBe(true);
    expect(approval.asked.map((a) => a.permission)).toEqual(['sale.void']);
    expect(state(t).sale).toBeNull();
    await t.runtime.carts.idle();
    expect(await t.db.carts.findOne(saleId).exec()).toBeNull();
  });
});

describe('prices that change', () => {
  it('shows an HQ price change that arrives while the sale is open, without a reload', async () => {
    const t = await till();
    await t.runtime.sale.scan(CODES.milk);
    expect(state(t).priced?.total).toBe(150);
    await t.db.prices.upsert(priceDoc('P-MILK', 130, { version: 2 }));
    await eventually(() => state(t).priced?.total === 130);
    expect(state(t).priced?.lines[0]?.priceSource?.version).toBe(2);
  });

  it('switches to a future-dated price at its effective time by its own timer', async () => {
    const start = Date.now();
    // The till's clock runs in real time, 1 s before the coffee's new price takes effect.
    const clock = {
      get now() {
        return T0 + HOUR - 1000 + (Date.now() - start);
      },
    };
    const t = await till({ clock });
    await t.runtime.sale.scan(CODES.coffee);
    expect(state(t).priced?.total).toBe(400);
    await eventually(() => state(t).priced?.total === 450, 5000);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
  });
});
