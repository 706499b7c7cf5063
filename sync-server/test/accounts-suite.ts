/**
 * Gift cards and store credit (migration 008), run unchanged against PGlite and PostgreSQL 15: HQ issues
 * credit, a till reads the balance, sales paid from an account debit it exactly once however often the
 * push is retried, refunds credit it, and what is refused is refused as on every other route.
 */
import { generateSecret, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken, loadTokenSecret, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/auth/access-token.ts';
import { tenderMovementId } from '../src/derived-ids.ts';
import { seedDemo } from '../src/seed/demo-seed.ts';
import { enrollTill, eventId, HQ_TOKEN, rows, saleEvent, startHarness } from './harness.ts';
import type { Backend, Harness, TillSession } from './harness.ts';

type Doc = Record<string, unknown>;

interface Account {
  readonly type: string;
  readonly reference: string;
  readonly balance: number;
  readonly currency: string;
}

interface Tender {
  readonly tenderId: string;
  readonly type: 'cash' | 'card' | 'gift_card' | 'store_credit';
  readonly amount: number;
  readonly reference?: string;
}

/** A sale of one line, paid with `tenders`, in EUR. */
function paidSale(
  till: TillSession,
  seq: number,
  salt: number,
  tenders: readonly Tender[],
  extra: Doc = {},
): Doc {
  const sale = saleEvent(till, seq, [{ productId: 'ACC-1', quantity: 1000 }], { id: eventId(seq, salt) });
  return { ...sale, payload: { ...(sale.payload as Doc), currency: 'EUR', tenders, ...extra } };
}

/** A return of one line, refunded with `refunds`, in EUR. */
function refundedReturn(till: TillSession, seq: number, salt: number, refunds: readonly Tender[]): Doc {
  return {
    eventId: eventId(seq, salt),
    type: 'return.completed',
    schemaVersion: 1,
    storeId: till.storeId,
    deviceId: till.deviceId,
    deviceSeq: seq,
    occurredAt: '2026-11-23T11:00:00.000Z',
    payload: {
      returnId: `ret-${String(seq)}-${String(salt)}`,
      storeId: till.storeId,
      currency: 'EUR',
      lines: [{ returnLineId: 'R1', productId: 'ACC-1', quantity: 1000, disposition: 'restock' }],
      refunds,
    },
  };
}

export function defineAccountsSuite(name: string, backend: () => Backend): void {
  describe(`gift cards and store credit over ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend(), { minClientVersion: '0.1.0' });
    }, 120_000);
    afterAll(async () => {
      await h.close();
    });

    const issue = (body: unknown) =>
      h.json<Account & { movementId: string; error?: string }>('/admin/accounts', {
        token: HQ_TOKEN,
        body,
        tillHeaders: false,
      });
    const balance = (till: TillSession, type: string, reference: string) =>
      h.json<Account & { error?: string; message?: string }>(
        `/accounts/${type}/${encodeURIComponent(reference)}`,
        { token: till.accessToken },
      );
    const push = async (till: TillSession, docs: readonly Doc[]) => {
      const r = await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows(docs) });
      expect(r.status).toBe(200);
      return r.body;
    };
    const movements = (reference: string) =>
      h.db.query<{
        movement_id: string;
        amount: string;
        reason: string;
        event_id: string | null;
        store_id: string | null;
      }>(
        `select movement_id, amount::text, reason, event_id, store_id from account_movements
          where reference = $1 order by received_at, movement_id`,
        [reference],
      );
    const alerts = async (kind: string, deviceId: string) =>
      Number(
        (
          await h.db.query<{ n: string }>(
            'select count(*)::text as n from alerts where kind = $1 and device_id = $2',
            [kind, deviceId],
          )
        )[0]?.n,
      );

    it('HQ issues a gift card once per movement id; the till reads its balance', async () => {
      const till = await enrollTill(h, 'S20');
      const first = await issue({
        type: 'gift_card',
        reference: 'GC-T1',
        amount: 2500,
        currency: 'EUR',
        movementId: 'hq-T1-1',
      });
      expect(first).toEqual({
        status: 201,
        body: {
          movementId: 'hq-T1-1',
          type: 'gift_card',
          reference: 'GC-T1',
          balance: 2500,
          currency: 'EUR',
        },
      });
      // HQ's tool lost the answer and sends the same request again: booked once.
      const again = await issue({
        type: 'gift_card',
        reference: 'GC-T1',
        amount: 2500,
        currency: 'EUR',
        movementId: 'hq-T1-1',
      });
      expect(again).toEqual({ status: 200, body: first.body });
      // The same id for other figures is a conflict, not a second booking.
      const reused = await issue({
        type: 'gift_card',
        reference: 'GC-T1',
        amount: 9900,
        currency: 'EUR',
        movementId: 'hq-T1-1',
      });
      expect(reused.status).toBe(409);
      expect(reused.body).toMatchObject({ error: 'conflict' });
      // More credit on the same card; the server names the movement when HQ does not.
      const topUp = await issue({ type: 'gift_card', reference: 'GC-T1', amount: 1000, currency: 'EUR' });
      expect(topUp.status).toBe(201);
      expect(topUp.body.balance).toBe(3500);
      expect(topUp.body.movementId).toMatch(/^[0-9a-f-]{36}$/);
      // An account keeps its currency.
      const yen = await issue({ type: 'gift_card', reference: 'GC-T1', amount: 1000, currency: 'JPY' });
      expect(yen.status).toBe(409);
      expect(yen.body).toMatchObject({ error: 'currency_mismatch' });

      expect(await balance(till, 'gift_card', 'GC-T1')).toEqual({
        status: 200,
        // No till holds any of it (account-holds-suite.ts): all of the ledger balance is available.
        body: {
          type: 'gift_card',
          reference: 'GC-T1',
          balance: 3500,
          held: 0,
          available: 3500,
          currency: 'EUR',
        },
      });
      // Accounts are chain-wide: a till of another store reads the same balance.
      const elsewhere = await enrollTill(h, 'S21');
      expect((await balance(elsewhere, 'gift_card', 'GC-T1')).body.balance).toBe(3500);
      // The type is part of the account's name.
      expect((await balance(till, 'store_credit', 'GC-T1')).status).toBe(404);
      expect((await movements('GC-T1')).map((m) => [m.amount, m.reason, m.event_id, m.store_id])).toEqual([
        ['2500', 'issued', null, null],
        ['1000', 'issued', null, null],
      ]);
    });

    it('404 not_found for an account with no movements, whatever its reference', async () => {
      const till = await enrollTill(h, 'S20');
      for (const reference of ['GC-NOPE', 'GC 0001', 'gc-t1', 'x'.repeat(90), "'; drop table events; --"]) {
        const r = await balance(till, 'gift_card', reference);
        expect(r.status).toBe(404);
        expect(r.body).toMatchObject({ error: 'not_found' });
      }
    });

    it('debits a sale paid partly by gift card exactly once, however the push is retried', async () => {
      const till = await enrollTill(h, 'S22');
      await issue({
        type: 'gift_card',
        reference: 'GC-T2',
        amount: 5000,
        currency: 'EUR',
        movementId: 'hq-T2',
      });
      const sale = paidSale(till, 1, 22, [
        { tenderId: 'T1', type: 'gift_card', amount: 1800, reference: 'GC-T2' },
        { tenderId: 'T2', type: 'cash', amount: 200 },
      ]);
      expect(await push(till, [sale])).toEqual([]);
      expect((await balance(till, 'gift_card', 'GC-T2')).body.balance).toBe(3200);
      // The answer was lost: the till pushes the same event again, alone, twice in one batch, and with
      // overlapping concurrent retries.
      expect(await push(till, [sale])).toEqual([]);
      expect(await push(till, [sale, sale])).toEqual([]);
      const next = paidSale(till, 2, 22, [
        { tenderId: 'T1', type: 'gift_card', amount: 700, reference: 'GC-T2' },
      ]);
      const answers = await Promise.all(
        [[sale, next], [next, sale], [next]].map((batch) =>
          h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows(batch) }),
        ),
      );
      for (const a of answers) expect(a).toEqual({ status: 200, body: [] });
      expect((await balance(till, 'gift_card', 'GC-T2')).body.balance).toBe(2500);
      const booked = await movements('GC-T2');
      expect(booked.map((m) => [m.movement_id, m.amount, m.reason, m.event_id, m.store_id])).toEqual([
        ['hq-T2', '5000', 'issued', null, null],
        [tenderMovementId(eventId(1, 22), 'T1'), '-1800', 'redeemed', eventId(1, 22), 'S22'],
        [tenderMovementId(eventId(2, 22), 'T1'), '-700', 'redeemed', eventId(2, 22), 'S22'],
      ]);
      // The stock side of the same sale was applied as always.
      expect(
        Number(
          (
            await h.db.query<{ n: string }>(
              `select count(*)::text as n from stock_movements where store_id = 'S22'`,
            )
          )[0]?.n,
        ),
      ).toBe(2);
      expect(await alerts('account_overdrawn', till.deviceId)).toBe(0);
    });

    it('debits store credit, and credits it back for a refund paid to store credit', async () => {
      const till = await enrollTill(h, 'S23');
      await issue({ type: 'store_credit', reference: 'CUST-T3', amount: 4000, currency: 'EUR' });
      await push(till, [
        paidSale(till, 1, 23, [{ tenderId: 'T1', type: 'store_credit', amount: 2500, reference: 'CUST-T3' }]),
      ]);
      expect((await balance(till, 'store_credit', 'CUST-T3')).body.balance).toBe(1500);
      const ret = refundedReturn(till, 2, 23, [
        { tenderId: 'RF1', type: 'store_credit', amount: 900, reference: 'CUST-T3' },
        { tenderId: 'RF2', type: 'cash', amount: 100 },
      ]);
      expect(await push(till, [ret])).toEqual([]);
      expect(await push(till, [ret])).toEqual([]);
      expect((await balance(till, 'store_credit', 'CUST-T3')).body.balance).toBe(2400);
      expect((await movements('CUST-T3')).map((m) => [m.amount, m.reason])).toEqual([
        ['4000', 'issued'],
        ['-2500', 'redeemed'],
        ['900', 'refunded'],
      ]);
      // A no-receipt return may give store credit without an account: nothing to credit, still applied.
      const anonymous = refundedReturn(till, 3, 23, [{ tenderId: 'RF1', type: 'store_credit', amount: 500 }]);
      expect(await push(till, [anonymous])).toEqual([]);
      const [stored] = await h.db.query<{ status: string }>('select status from events where event_id = $1', [
        eventId(3, 23),
      ]);
      expect(stored?.status).toBe('applied');
    });

    it('books nothing for quarantined events, nor for an event id reused with other content', async () => {
      const till = await enrollTill(h, 'S24');
      await issue({
        type: 'gift_card',
        reference: 'GC-T4',
        amount: 3000,
        currency: 'EUR',
        movementId: 'hq-T4',
      });
      const gift = { tenderId: 'T1', type: 'gift_card', amount: 1000, reference: 'GC-T4' } as const;
      // Invalid for the sale schema (no lines), so quarantined with its tenders unread.
      const invalid = { ...paidSale(till, 1, 24, [gift]) };
      invalid.payload = { ...(invalid.payload as Doc), lines: [] };
      // A payment from an account it does not name cannot be booked: kept and flagged for a person.
      const unnamed = paidSale(till, 2, 24, [{ tenderId: 'T1', type: 'gift_card', amount: 1000 }]);
      // Not even in this till's store.
      const foreign = { ...paidSale(till, 3, 24, [gift]), storeId: 'S99' };
      const receipts = await push(till, [invalid, unnamed, foreign]);
      expect(receipts.map((r) => [r.eventId, r.serverStatus])).toEqual([
        [eventId(1, 24), 'quarantined'],
        [eventId(2, 24), 'quarantined'],
        [eventId(3, 24), 'quarantined'],
      ]);
      expect(String(receipts[1]?.serverReason)).toContain('names no account');

      const good = paidSale(till, 4, 24, [gift]);
      expect(await push(till, [good])).toEqual([]);
      // Same id, another payment off the card: the stored copy comes back, nothing is booked again.
      const altered = paidSale(till, 4, 24, [{ ...gift, tenderId: 'T9', amount: 2900 }]);
      const reuse = await push(till, [altered]);
      expect(reuse).toHaveLength(1);
      expect(reuse[0]).toMatchObject({ eventId: eventId(4, 24), payload: good.payload });
      expect((await movements('GC-T4')).map((m) => m.amount)).toEqual(['3000', '-1000']);
    });

    it('accepts a sale that spends more than the card holds, and flags the account', async () => {
      const till = await enrollTill(h, 'S25');
      const other = await enrollTill(h, 'S26');
      await issue({
        type: 'gift_card',
        reference: 'GC-T5',
        amount: 1000,
        currency: 'EUR',
        movementId: 'hq-T5',
      });
      // Two tills checked the same balance and each took the whole of it.
      const spend = (t: TillSession, salt: number) =>
        paidSale(t, 1, salt, [{ tenderId: 'T1', type: 'gift_card', amount: 1000, reference: 'GC-T5' }]);
      expect(await push(till, [spend(till, 25)])).toEqual([]);
      expect(await push(other, [spend(other, 26)])).toEqual([]);
      expect((await balance(till, 'gift_card', 'GC-T5')).body.balance).toBe(-1000);
      expect(await alerts('account_overdrawn', till.deviceId)).toBe(0);
      expect(await alerts('account_overdrawn', other.deviceId)).toBe(1);
      // Spending it in another currency is kept too, and flagged; the EUR balance does not change.
      const dollars = paidSale(
        till,
        2,
        25,
        [{ tenderId: 'T1', type: 'gift_card', amount: 100, reference: 'GC-T5' }],
        {
          currency: 'USD',
        },
      );
      expect(await push(till, [dollars])).toEqual([]);
      expect(await balance(till, 'gift_card', 'GC-T5')).toMatchObject({
        body: { balance: -1000, currency: 'EUR' },
      });
      expect(await alerts('account_overdrawn', till.deviceId)).toBe(1);
    });

    it('refuses a revoked device, and books nothing from its push', async () => {
      const till = await enrollTill(h, 'S27');
      await issue({
        type: 'gift_card',
        reference: 'GC-T7',
        amount: 1000,
        currency: 'EUR',
        movementId: 'hq-T7',
      });
      await h.request(`/admin/devices/${till.deviceId}/revoke`, {
        method: 'POST',
        token: HQ_TOKEN,
        tillHeaders: false,
      });
      const sale = paidSale(till, 1, 27, [
        { tenderId: 'T1', type: 'gift_card', amount: 500, reference: 'GC-T7' },
      ]);
      expect((await h.request('/push/events', { token: till.accessToken, body: rows([sale]) })).status).toBe(
        401,
      );
      expect((await h.request('/accounts/gift_card/GC-T7', { token: till.accessToken })).status).toBe(401);
      expect((await movements('GC-T7')).map((m) => m.amount)).toEqual(['1000']);
    });

    it('refuses a missing, forged, expired or foreign token, another store and another scope', async () => {
      const till = await enrollTill(h, 'S28');
      await issue({
        type: 'gift_card',
        reference: 'GC-T8',
        amount: 1000,
        currency: 'EUR',
        movementId: 'hq-T8',
      });
      const path = '/accounts/gift_card/GC-T8';
      expect((await h.request(path)).status).toBe(401);
      expect((await h.request(path, { token: 'not-a-jwt' })).status).toBe(401);
      expect((await h.request(path, { token: HQ_TOKEN })).status).toBe(401);
      expect((await h.request(path, { token: till.refreshToken })).status).toBe(401);
      const forged = await new SignJWT({ store: 'S28', scope: 'till' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(till.deviceId)
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setExpirationTime('10m')
        .sign(await generateSecret('HS256', { extractable: true }));
      expect((await h.request(path, { token: forged })).status).toBe(401);
      const key = await loadTokenSecret(h.db);
      const now = Math.floor(Date.now() / 1000);
      const expired = await issueAccessToken(
        key,
        { deviceId: till.deviceId, storeId: 'S28', scope: 'till' },
        now - 3600,
      );
      expect((await h.request(path, { token: expired.token })).status).toBe(401);
      // A genuine signature naming another store than the device's.
      const moved = await issueAccessToken(
        key,
        { deviceId: till.deviceId, storeId: 'S29', scope: 'till' },
        now,
      );
      expect((await h.request(path, { token: moved.token })).status).toBe(401);
      const admin = await issueAccessToken(
        key,
        { deviceId: till.deviceId, storeId: 'S28', scope: 'admin' },
        now,
      );
      expect((await h.request(path, { token: admin.token })).status).toBe(403);
      expect((await h.request(`${path}?storeId=S29`, { token: till.accessToken })).status).toBe(403);
      expect((await h.request(`${path}?storeId=S28`, { token: till.accessToken })).status).toBe(200);
      // An old till is told to update, as on every till route.
      expect((await h.request(path, { token: till.accessToken, tillHeaders: false })).status).toBe(426);

      // HQ's route takes the HQ credential only.
      const body = { type: 'gift_card', reference: 'GC-T8', amount: 100_000, currency: 'EUR' };
      for (const token of [undefined, till.accessToken, till.refreshToken, 'test-hq-token-012345678']) {
        const r = await h.request('/admin/accounts', {
          body,
          tillHeaders: false,
          ...(token === undefined ? {} : { token }),
        });
        expect(r.status).toBe(401);
      }
      expect((await balance(till, 'gift_card', 'GC-T8')).body.balance).toBe(1000);
    });

    it('refuses hostile input with the usual refusal shape, and books nothing', async () => {
      const till = await enrollTill(h, 'S30');
      const good = { type: 'gift_card', reference: 'GC-T9', amount: 1000, currency: 'EUR' };
      const bodies: unknown[] = [
        {},
        { ...good, type: 'loyalty' },
        { ...good, amount: 0 },
        { ...good, amount: -500 },
        { ...good, amount: 10.5 },
        { ...good, amount: '1000' },
        { ...good, amount: 1e15 },
        { ...good, amount: Number.MAX_SAFE_INTEGER },
        { ...good, currency: 'eur' },
        { ...good, currency: 'EURO' },
        { ...good, reference: '' },
        { ...good, reference: 'GC T9' },
        { ...good, reference: 'GC-T9\u0000' },
        { ...good, reference: 'GC/T9' },
        { ...good, reference: 'G'.repeat(65) },
        { ...good, reference: 12 },
        { ...good, movementId: '' },
        { ...good, movementId: 'x'.repeat(65) },
        { ...good, storeId: 'S 30' },
        { ...good, balance: 1_000_000 },
        [good],
        null,
        'gift card',
      ];
      for (const body of bodies) {
        const r = await h.json<{ error: string; message: string }>('/admin/accounts', {
          token: HQ_TOKEN,
          rawBody: JSON.stringify(body),
          tillHeaders: false,
        });
        expect([r.status, r.body.error, typeof r.body.message]).toEqual([400, 'bad_request', 'string']);
      }
      for (const raw of [
        '{"type": "gift_card",',
        '{"amount": 1e400}',
        '{"__proto__": {"amount": 1}, "type": "gift_card", "reference": "GC-T9", "amount": 1000, "currency": "EUR"}',
      ]) {
        const r = await h.request('/admin/accounts', { token: HQ_TOKEN, rawBody: raw, tillHeaders: false });
        expect(r.status).toBe(400);
      }
      const csv = await h.request('/admin/accounts', {
        token: HQ_TOKEN,
        rawBody: 'type,reference\ngift_card,GC-T9',
        contentType: 'text/csv',
        tillHeaders: false,
      });
      expect(csv.status).toBe(400);
      expect(await movements('GC-T9')).toEqual([]);

      // The till's route: a type it does not know, a reference with control characters or too long.
      for (const path of [
        '/accounts/loyalty/GC-T9',
        '/accounts/gift_card/GC-T9%00',
        '/accounts/gift_card/GC%0AT9',
        `/accounts/gift_card/${'x'.repeat(99)}%7F`,
      ]) {
        const r = await h.json<{ error: string; message: string }>(path, { token: till.accessToken });
        expect([path, r.status, typeof r.body.error, typeof r.body.message]).toEqual([
          path,
          400,
          'string',
          'string',
        ]);
      }
      expect((await h.request('/accounts/gift_card/', { token: till.accessToken })).status).toBe(400);
      // Longer than any path parameter Fastify routes (100 characters): 414 URI Too Long.
      expect(
        (await h.request(`/accounts/gift_card/${'x'.repeat(129)}`, { token: till.accessToken })).status,
      ).toBe(414);
      expect((await h.request('/accounts/gift_card/a/b', { token: till.accessToken })).status).toBe(404);
      expect((await h.request('/device/state', { token: till.accessToken })).status).toBe(200);
    });

    it('the demo seed issues the demo gift cards and store credit, once however often it runs', async () => {
      const till = await enrollTill(h, 'S01');
      await seedDemo(h.db, { products: 0 });
      const summary = await seedDemo(h.db, { products: 0 });
      expect(summary.accounts).toBe(7);
      const cards = await Promise.all(
        ['GC-0001', 'GC-0002', 'GC-0003', 'GC-0004', 'GC-0005'].map(
          async (reference) => (await balance(till, 'gift_card', reference)).body,
        ),
      );
      expect(cards.map((c) => [c.reference, c.balance, c.currency])).toEqual([
        ['GC-0001', 2500, 'EUR'],
        ['GC-0002', 5000, 'EUR'],
        ['GC-0003', 5000, 'EUR'],
        ['GC-0004', 10_000, 'EUR'],
        ['GC-0005', 1000, 'EUR'],
      ]);
      // Store credit of two seeded customers, by customer id.
      const customers = await h.db.query<{ id: string }>(
        `select id from customers where id in ('C000001', 'C000002') order by id`,
      );
      expect(customers.map((c) => c.id)).toEqual(['C000001', 'C000002']);
      expect((await balance(till, 'store_credit', 'C000001')).body.balance).toBe(1500);
      expect((await balance(till, 'store_credit', 'C000002')).body.balance).toBe(4000);
    });
  });
}
