/**
 * Holds on gift cards and store credit (migration 009), run unchanged against PGlite and PostgreSQL 15:
 * tills authorise what they tender, concurrent holds never take more than the account holds, a retry
 * gets the first answer, a release or an expiry gives the amount back, and the sale's push captures its
 * holds exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HOLD_TTL_MS } from '../src/account-holds.ts';
import { enrollTill, eventId, HQ_TOKEN, rows, saleEvent, startHarness } from './harness.ts';
import type { Backend, Harness, TillSession } from './harness.ts';

type Doc = Record<string, unknown>;

interface Account {
  readonly type: string;
  readonly reference: string;
  readonly balance: number;
  readonly held: number;
  readonly available: number;
  readonly currency: string;
}

interface Hold {
  readonly holdId: string;
  readonly amount: number;
  readonly currency: string;
  readonly available: number;
  readonly expiresAt: string;
  readonly error?: string;
  readonly message?: string;
}

/** A UUID whose last part is `n`: the till's hold ids are random UUIDs. */
function holdId(n: number, salt: number): string {
  return `7a1c0000-0000-4000-8000-${(n + salt * 1_000_000).toString(16).padStart(12, '0')}`;
}

export function defineAccountHoldsSuite(name: string, backend: () => Backend): void {
  describe(`gift-card and store-credit holds over ${name}`, () => {
    let h: Harness;
    // The server's clock: tests move it to expire holds.
    let clockMs = Date.parse('2026-11-23T09:00:00.000Z');
    beforeAll(async () => {
      h = await startHarness(backend(), { minClientVersion: '0.1.0', now: () => new Date(clockMs) });
    }, 120_000);
    afterAll(async () => {
      await h.close();
    });

    const issue = async (reference: string, amount: number, type = 'gift_card') => {
      const r = await h.json<Doc>('/admin/accounts', {
        token: HQ_TOKEN,
        body: { type, reference, amount, currency: 'EUR' },
        tillHeaders: false,
      });
      expect(r.status).toBe(201);
    };
    const account = (till: TillSession, reference: string, type = 'gift_card') =>
      h.json<Account>(`/accounts/${type}/${encodeURIComponent(reference)}`, { token: till.accessToken });
    const hold = (
      till: TillSession,
      reference: string,
      body: Readonly<Record<string, unknown>>,
      type = 'gift_card',
    ) =>
      h.json<Hold>(`/accounts/${type}/${encodeURIComponent(reference)}/holds`, {
        token: till.accessToken,
        body: { currency: 'EUR', ...body },
      });
    const release = (till: TillSession, id: string) =>
      h.json<{ holdId: string; state: string; error?: string }>(`/accounts/holds/${id}`, {
        method: 'DELETE',
        token: till.accessToken,
      });
    const push = async (till: TillSession, docs: readonly Doc[]) => {
      const r = await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows(docs) });
      expect(r).toEqual({ status: 200, body: [] });
    };
    /** A sale of one line, paid with `tenders`, in EUR; its sale id is `sale-<event id>`. */
    const paidSale = (till: TillSession, seq: number, salt: number, tenders: readonly Doc[]): Doc => {
      const sale = saleEvent(till, seq, [{ productId: 'HOLD-1', quantity: 1000 }], {
        id: eventId(seq, salt),
      });
      return { ...sale, payload: { ...(sale.payload as Doc), currency: 'EUR', tenders } };
    };
    const holdRow = async (id: string) =>
      (
        await h.db.query<{ captured_at: string | null; captured_by_event: string | null; released: boolean }>(
          `select iso(captured_at) as captured_at, captured_by_event, released_at is not null as released
             from account_holds where hold_id = $1`,
          [id],
        )
      )[0];
    const movementCount = async (reference: string) =>
      Number(
        (
          await h.db.query<{ n: string }>(
            'select count(*)::text as n from account_movements where reference = $1',
            [reference],
          )
        )[0]?.n,
      );

    it('two tills holding one card at once: only what the balance covers succeeds', async () => {
      const a = await enrollTill(h, 'S40');
      const b = await enrollTill(h, 'S41');
      await issue('GC-H1', 10_000);
      expect((await account(a, 'GC-H1')).body).toEqual({
        type: 'gift_card',
        reference: 'GC-H1',
        balance: 10_000,
        held: 0,
        available: 10_000,
        currency: 'EUR',
      });
      // 20 holds of 10.00 on a 100.00 card, from two tills of two stores, all at once.
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          hold(i % 2 === 0 ? a : b, 'GC-H1', { holdId: holdId(i, 1), saleId: `sale-h1-${i}`, amount: 1000 }),
        ),
      );
      const placed = answers.filter((r) => r.status === 201);
      const refused = answers.filter((r) => r.status === 409);
      expect([placed.length, refused.length]).toEqual([10, 10]);
      for (const r of refused) {
        expect(r.body).toMatchObject({ error: 'insufficient_balance', available: 0, currency: 'EUR' });
        expect(typeof r.body.message).toBe('string');
      }
      // Each success says what is left after it: the ten answers count down from 90.00 to 0.
      expect(placed.map((r) => r.body.available).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 10 }, (_, i) => i * 1000),
      );
      expect((await account(b, 'GC-H1')).body).toMatchObject({ balance: 10_000, held: 10_000, available: 0 });
    });

    it('a refusal names what the account can still pay; a smaller hold then succeeds', async () => {
      const till = await enrollTill(h, 'S42');
      await issue('GC-H2', 2500);
      expect(
        (await hold(till, 'GC-H2', { holdId: holdId(1, 2), saleId: 'sale-h2', amount: 1800 })).status,
      ).toBe(201);
      const refused = await hold(till, 'GC-H2', { holdId: holdId(2, 2), saleId: 'sale-h2b', amount: 1000 });
      expect(refused).toMatchObject({
        status: 409,
        body: { error: 'insufficient_balance', available: 700, currency: 'EUR' },
      });
      const rest = await hold(till, 'GC-H2', { holdId: holdId(3, 2), saleId: 'sale-h2b', amount: 700 });
      expect(rest).toMatchObject({ status: 201, body: { amount: 700, available: 0 } });
      // Unknown account, and an account kept in another currency.
      expect(
        (await hold(till, 'GC-NONE', { holdId: holdId(4, 2), saleId: 'sale-h2c', amount: 100 })).body,
      ).toMatchObject({ error: 'not_found' });
      const yen = await hold(till, 'GC-H2', {
        holdId: holdId(5, 2),
        saleId: 'sale-h2c',
        amount: 1,
        currency: 'JPY',
      });
      expect(yen).toMatchObject({ status: 409, body: { error: 'currency_mismatch' } });
    });

    it('is idempotent by hold id: the same request gets the first answer, another one a conflict', async () => {
      const till = await enrollTill(h, 'S43');
      const other = await enrollTill(h, 'S43', 'Till 2');
      await issue('GC-H3', 5000);
      const body = { holdId: holdId(1, 3), saleId: 'sale-h3', amount: 2000 };
      const first = await hold(till, 'GC-H3', body);
      expect(first).toMatchObject({
        status: 201,
        body: { holdId: body.holdId, amount: 2000, available: 3000 },
      });
      expect(Date.parse(first.body.expiresAt)).toBe(clockMs + DEFAULT_HOLD_TTL_MS);
      // The answer was lost; the till sends the same request again (also twice at once).
      const retries = await Promise.all([hold(till, 'GC-H3', body), hold(till, 'GC-H3', body)]);
      for (const r of retries) expect(r).toEqual({ status: 200, body: first.body });
      // An upper-case spelling of the same id is the same hold.
      expect(await hold(till, 'GC-H3', { ...body, holdId: body.holdId.toUpperCase() })).toEqual({
        status: 200,
        body: first.body,
      });
      for (const [who, reference, changed] of [
        [till, 'GC-H3', { ...body, amount: 2001 }],
        [till, 'GC-H3', { ...body, saleId: 'sale-h3-other' }],
        [till, 'GC-H1', body],
        [other, 'GC-H3', body],
      ] as const) {
        expect(await hold(who, reference, changed)).toMatchObject({
          status: 409,
          body: { error: 'conflict' },
        });
      }
      expect((await account(till, 'GC-H3')).body).toMatchObject({
        balance: 5000,
        held: 2000,
        available: 3000,
      });
    });

    it('releases a hold for the till that placed it, idempotently', async () => {
      const till = await enrollTill(h, 'S44');
      const other = await enrollTill(h, 'S45');
      await issue('C-H4', 3000, 'store_credit');
      const id = holdId(1, 4);
      expect(
        (await hold(till, 'C-H4', { holdId: id, saleId: 'sale-h4', amount: 3000 }, 'store_credit')).status,
      ).toBe(201);
      expect((await account(till, 'C-H4', 'store_credit')).body.available).toBe(0);
      expect(await release(other, id)).toMatchObject({ status: 403, body: { error: 'forbidden' } });
      expect((await account(till, 'C-H4', 'store_credit')).body.available).toBe(0);
      expect(await release(till, id)).toEqual({ status: 200, body: { holdId: id, state: 'released' } });
      expect(await release(till, id)).toEqual({ status: 200, body: { holdId: id, state: 'released' } });
      expect((await account(till, 'C-H4', 'store_credit')).body).toMatchObject({
        balance: 3000,
        held: 0,
        available: 3000,
      });
      // The released hold is not brought back by a late retry of its request.
      expect(
        await hold(till, 'C-H4', { holdId: id, saleId: 'sale-h4', amount: 3000 }, 'store_credit'),
      ).toMatchObject({ status: 409, body: { error: 'hold_inactive' } });
      expect((await release(till, holdId(2, 4))).status).toBe(404);
      // The other till can now take it all.
      expect(
        (
          await hold(
            other,
            'C-H4',
            { holdId: holdId(3, 4), saleId: 'sale-h4b', amount: 3000 },
            'store_credit',
          )
        ).status,
      ).toBe(201);
    });

    it("the sale's push captures its holds once; a duplicate push captures and books nothing more", async () => {
      const till = await enrollTill(h, 'S46');
      await issue('GC-H6', 5000);
      const sale = paidSale(till, 1, 46, [
        { tenderId: holdId(1, 6), type: 'gift_card', amount: 1800, reference: 'GC-H6' },
        { tenderId: 'T2', type: 'cash', amount: 200 },
      ]);
      const saleId = (sale.payload as Doc).saleId as string;
      // The hold asked for more than the tender finally took; another sale holds 1000 too.
      expect((await hold(till, 'GC-H6', { holdId: holdId(1, 6), saleId, amount: 2000 })).status).toBe(201);
      expect(
        (await hold(till, 'GC-H6', { holdId: holdId(2, 6), saleId: 'sale-h6-other', amount: 1000 })).status,
      ).toBe(201);
      expect((await account(till, 'GC-H6')).body).toMatchObject({
        balance: 5000,
        held: 3000,
        available: 2000,
      });

      await push(till, [sale]);
      // The debit counts now, not the hold: 5000 − 1800 − the other sale's 1000.
      expect((await account(till, 'GC-H6')).body).toMatchObject({
        balance: 3200,
        held: 1000,
        available: 2200,
      });
      const captured = await holdRow(holdId(1, 6));
      expect(captured).toEqual({
        captured_at: new Date(clockMs).toISOString(),
        captured_by_event: eventId(1, 46),
        released: false,
      });
      expect((await holdRow(holdId(2, 6)))?.captured_at).toBeNull();

      clockMs += 1000;
      await push(till, [sale]);
      await push(till, [sale, sale]);
      expect(await holdRow(holdId(1, 6))).toEqual(captured);
      expect(await movementCount('GC-H6')).toBe(2);
      expect((await account(till, 'GC-H6')).body).toMatchObject({
        balance: 3200,
        held: 1000,
        available: 2200,
      });
      // Releasing a captured hold changes nothing: the debit is booked.
      expect(await release(till, holdId(1, 6))).toEqual({
        status: 200,
        body: { holdId: holdId(1, 6), state: 'captured' },
      });
      expect((await account(till, 'GC-H6')).body.available).toBe(2200);
      // A late retry of the captured hold's request gets its first answer and holds nothing more.
      expect((await hold(till, 'GC-H6', { holdId: holdId(1, 6), saleId, amount: 2000 })).status).toBe(200);
      expect((await account(till, 'GC-H6')).body.available).toBe(2200);
    });

    it('a sale of another store with the same sale id captures nothing of this store', async () => {
      const till = await enrollTill(h, 'S47');
      const elsewhere = await enrollTill(h, 'S48');
      await issue('GC-H7', 5000);
      const sale = paidSale(elsewhere, 1, 47, [
        { tenderId: 'T1', type: 'gift_card', amount: 1000, reference: 'GC-H7' },
      ]);
      const saleId = (sale.payload as Doc).saleId as string;
      expect((await hold(till, 'GC-H7', { holdId: holdId(1, 7), saleId, amount: 1000 })).status).toBe(201);
      await push(elsewhere, [sale]);
      expect((await holdRow(holdId(1, 7)))?.captured_at).toBeNull();
      expect((await account(till, 'GC-H7')).body).toMatchObject({
        balance: 4000,
        held: 1000,
        available: 3000,
      });
    });

    it('an expired hold no longer counts and cannot be brought back', async () => {
      const till = await enrollTill(h, 'S49');
      await issue('GC-H9', 1000);
      const body = { holdId: holdId(1, 9), saleId: 'sale-h9', amount: 1000 };
      expect((await hold(till, 'GC-H9', body)).status).toBe(201);
      clockMs += DEFAULT_HOLD_TTL_MS - 1;
      // Still active a millisecond before it expires (a fresh till: tokens follow the server's clock).
      const later = await enrollTill(h, 'S49', 'Till 2');
      expect(
        (await hold(later, 'GC-H9', { holdId: holdId(2, 9), saleId: 'sale-h9b', amount: 1 })).body,
      ).toMatchObject({ error: 'insufficient_balance', available: 0 });
      clockMs += 1;
      expect((await account(later, 'GC-H9')).body).toMatchObject({ balance: 1000, held: 0, available: 1000 });
      expect(
        (await hold(later, 'GC-H9', { holdId: holdId(3, 9), saleId: 'sale-h9b', amount: 1000 })).status,
      ).toBe(201);
      // The first till's token has expired with the day; it refreshes and retries its old request.
      const token = await h.json<{ accessToken: string }>('/auth/token', {
        method: 'POST',
        token: till.refreshToken,
      });
      expect(await hold({ ...till, accessToken: token.body.accessToken }, 'GC-H9', body)).toMatchObject({
        status: 409,
        body: { error: 'hold_inactive' },
      });
    });

    it('refuses hostile input, another store and a revoked till, and holds nothing', async () => {
      const till = await enrollTill(h, 'S50');
      await issue('GC-H10', 1000);
      const good = { holdId: holdId(1, 10), saleId: 'sale-h10', amount: 100, currency: 'EUR' };
      const bodies: unknown[] = [
        {},
        { ...good, holdId: 'not-a-uuid' },
        { ...good, amount: 0 },
        { ...good, amount: -5 },
        { ...good, amount: 1.5 },
        { ...good, amount: '100' },
        { ...good, amount: 1e15 },
        { ...good, currency: 'eur' },
        { ...good, saleId: '' },
        { ...good, saleId: 'sale 10' },
        { ...good, extra: true },
        [good],
        null,
      ];
      for (const body of bodies) {
        const r = await h.json<{ error: string; message: string }>('/accounts/gift_card/GC-H10/holds', {
          token: till.accessToken,
          rawBody: JSON.stringify(body),
        });
        expect([r.status, r.body.error, typeof r.body.message]).toEqual([400, 'bad_request', 'string']);
      }
      expect(
        (await h.request('/accounts/loyalty/GC-H10/holds', { token: till.accessToken, body: good })).status,
      ).toBe(400);
      expect(
        (await h.request('/accounts/holds/not-a-uuid', { method: 'DELETE', token: till.accessToken })).status,
      ).toBe(400);
      expect(
        (
          await h.request('/accounts/gift_card/GC-H10/holds?storeId=S99', {
            token: till.accessToken,
            body: good,
          })
        ).status,
      ).toBe(403);
      expect((await h.request('/accounts/gift_card/GC-H10/holds', { body: good })).status).toBe(401);
      expect(
        (
          await h.request('/accounts/gift_card/GC-H10/holds', {
            token: till.accessToken,
            body: good,
            tillHeaders: false,
          })
        ).status,
      ).toBe(426);
      expect((await account(till, 'GC-H10')).body).toMatchObject({ held: 0, available: 1000 });

      expect((await hold(till, 'GC-H10', good)).status).toBe(201);
      await h.request(`/admin/devices/${till.deviceId}/revoke`, {
        method: 'POST',
        token: HQ_TOKEN,
        tillHeaders: false,
      });
      expect((await hold(till, 'GC-H10', { ...good, holdId: holdId(2, 10) })).status).toBe(401);
      expect((await release(till, good.holdId)).status).toBe(401);
      const count = await h.db.query<{ n: string }>(
        `select count(*)::text as n from account_holds where reference = 'GC-H10'`,
      );
      expect(count[0]?.n).toBe('1');
    });
  });
}
