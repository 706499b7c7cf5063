import { describe, expect, it } from 'vitest';
import { appEventSchemas, createEnvelopeValidator, createEventValidator } from './event-validator.ts';

describe('event validation with the app registry', () => {
  const validator = createEventValidator(appEventSchemas);

  it('accepts a valid stock count and names what is wrong with an invalid one', () => {
    const count = { countId: 'C1', storeId: 'S01', productId: 'P1', quantity: 12_000, countedBy: 'STAFF-1' };
    expect(validator.validate('stock.counted', 1, count)).toEqual({ ok: true });
    const result = validator.validate('stock.counted', 1, { ...count, quantity: -1 });
    expect(result.ok).toBe(false);
  });

  it('refuses a sale that is not a full SaleRecord, and unknown types or versions', () => {
    expect(validator.validate('sale.completed', 1, { saleId: 'x', lines: [] }).ok).toBe(false);
    expect(validator.validate('sale.completed', 99, {})).toEqual({
      ok: false,
      errors: ['unknown event type sale.completed@99'],
    });
    expect(validator.validate('gift.wrapped', 1, {})).toEqual({
      ok: false,
      errors: ['unknown event type gift.wrapped@1'],
    });
  });

  it('checks the envelope without RxDB bookkeeping or the server receipt', () => {
    const envelope = createEnvelopeValidator();
    const event = {
      eventId: '01900000-0000-7000-8000-000000000001',
      type: 'stock.counted',
      schemaVersion: 1,
      storeId: 'S01',
      deviceId: 'D1',
      deviceSeq: 1,
      occurredAt: '2026-11-23T10:00:00.000Z',
      payload: {},
    };
    expect(
      envelope({ ...event, _deleted: false, _rev: '1-a', serverStatus: 'quarantined', serverReason: 'x' }),
    ).toEqual({ ok: true });
    expect(envelope({ ...event, eventId: 'not-a-uuid' }).ok).toBe(false);
    expect(envelope({ ...event, occurredAt: '2026-11-23T10:00:00+02:00' }).ok).toBe(false);
    expect(envelope({ ...event, extra: 1 }).ok).toBe(false);
  });
});
