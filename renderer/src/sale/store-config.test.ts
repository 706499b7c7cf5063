import type { ConfigDoc } from '@pos/app';
import { describe, expect, it } from 'vitest';
import { configDocs, STORE } from '../app/till-fixture.test-helper.ts';
import { deriveStoreConfig } from './store-config.ts';

const UPDATED = '2026-01-01T00:00:00.000Z';

describe('the store configuration', () => {
  it('is null until the store settings have arrived', () => {
    expect(
      deriveStoreConfig(
        configDocs().filter((d) => d.kind !== 'store_settings'),
        STORE,
      ),
    ).toBeNull();
    expect(deriveStoreConfig(configDocs(), 'another-store')).toBeNull();
  });

  it('reads currency, locale, tax, price books, templates and the receipt header', () => {
    const config = deriveStoreConfig(configDocs(), STORE);
    expect(config).toMatchObject({
      currency: 'EUR',
      locale: 'en-IE',
      timeZone: 'Europe/Dublin',
      receiptPrefix: 'S01',
      storeName: 'Omnitill Market Dublin',
      problems: [],
    });
    expect(config?.tax.config.rates.map((r) => r.id)).toEqual(['vat-food', 'vat-std']);
    expect(config?.priceBooks.map((b) => b.id)).toEqual(['PB']);
    expect(config?.promotions.promotions.map((p) => p.id)).toEqual(['choc-3for2', 'welcome10']);
    expect(config?.scanConfig.variableMeasure?.map((t) => t.id)).toEqual(['scale-23']);
    expect(config?.receiptStore.name).toBe('Omnitill Market');
  });

  it('prefers a store-level document over the chain-wide one of the same key', () => {
    const chainRate: ConfigDoc = {
      id: 'tax_rule:vat-std',
      kind: 'tax_rule',
      updatedAt: UPDATED,
      data: {
        id: 'vat-std',
        name: 'VAT chain',
        taxClassId: 'std',
        jurisdictionId: 'IE',
        rate: 200_000,
        validFrom: null,
        validTo: null,
      },
    };
    const storeRate: ConfigDoc = {
      ...chainRate,
      id: 'tax_rule:vat-std@S01',
      storeId: STORE,
      data: { ...chainRate.data, name: 'VAT store', rate: 230_000 },
    };
    const otherStore: ConfigDoc = {
      ...storeRate,
      id: 'tax_rule:vat-std@S02',
      storeId: 'S02',
      data: { ...storeRate.data, rate: 1 },
    };
    const docs = [...configDocs().filter((d) => d.kind !== 'tax_rule'), chainRate, storeRate, otherStore];
    const rates = deriveStoreConfig(docs, STORE)?.tax.config.rates ?? [];
    expect(rates.map((r) => [r.name, r.rate])).toEqual([['VAT store', 230_000]]);
  });

  it('leaves out a malformed promotion and says why, keeping the others', () => {
    const bad: ConfigDoc = {
      id: 'promotion:bad',
      kind: 'promotion',
      updatedAt: UPDATED,
      data: {
        id: 'bad',
        kind: 'percent_off',
        name: 'Broken',
        priority: 1,
        exclusive: true,
        stackable: true,
        validFrom: null,
        validTo: null,
        storeIds: [],
        customerGroupIds: [],
        target: { kind: 'order' },
        percent: 100_000,
      },
    };
    const config = deriveStoreConfig([...configDocs(), bad], STORE);
    expect(config?.promotions.promotions.map((p) => p.id)).toEqual(['choc-3for2', 'welcome10']);
    expect(config?.problems).toHaveLength(1);
  });

  it('replaces a role policy with the HQ role document', () => {
    const role: ConfigDoc = {
      id: 'role:cashier',
      kind: 'role',
      updatedAt: UPDATED,
      data: { role: 'cashier', permissions: ['sale.ring', 'price.override'], maxManualDiscountRate: 50_000 },
    };
    const policy = deriveStoreConfig([...configDocs(), role], STORE)?.saleConfig.rolePolicies.cashier;
    expect(policy?.permissions.has('price.override')).toBe(true);
    expect(policy?.permissions.has('line.void')).toBe(false);
    expect(policy?.maxManualDiscountRate).toBe(50_000);
  });

  it('keeps scanning ordinary barcodes when a barcode template is broken', () => {
    const broken: ConfigDoc = {
      id: 'barcode_template:broken',
      kind: 'barcode_template',
      updatedAt: UPDATED,
      data: {
        id: 'broken',
        prefix: '23',
        item: { start: 2, length: 6 },
        value: { start: 8, length: 4 },
        kind: 'weight',
        decimals: 3,
      },
    };
    const config = deriveStoreConfig([...configDocs(), broken], STORE);
    expect(config?.scanConfig.variableMeasure).toBeUndefined();
    expect(config?.scanConfig.currency).toBe('EUR');
    expect(config?.problems).toHaveLength(1);
  });
});
