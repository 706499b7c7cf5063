/**
 * The protocol suite (sync-protocol.md), run unchanged against PGlite and against PostgreSQL 15. One
 * server per backend; every test uses its own stores/devices/products so tests do not interfere.
 */
import { generateSecret, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueAccessToken, loadTokenSecret, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../src/auth/access-token.ts';
import { sqlState } from '../src/db/adapter.ts';
import { createAjv } from '../src/events/event-validator.ts';
import { seedDemo } from '../src/seed/demo-seed.ts';
import {
  configSchema,
  customersSchema,
  normalizeBarcode,
  pricesSchema,
  productsSchema,
  replicationSchema,
  staffSchema,
  stockLevelsSchema,
} from '@pos/app';
import { isValidEan13 } from '../src/seed/ean13.ts';
import { enrollTill, eventId, HQ_TOKEN, rows, saleEvent, startHarness } from './harness.ts';
import type { Backend, Harness, TillSession } from './harness.ts';
import { openStream } from './sse-reader.ts';

type Doc = Record<string, unknown>;
interface PullBody {
  documents: Doc[];
  checkpoint: { epoch: string; txid: string; seq: number };
}

async function pullAll(h: Harness, token: string, collection: string, limit = 1000): Promise<Doc[]> {
  const docs: Doc[] = [];
  let query = `limit=${limit}`;
  for (let page = 0; page < 1000; page++) {
    const { status, body } = await h.json<PullBody>(`/pull/${collection}?${query}`, { token });
    expect(status).toBe(200);
    if (body.documents.length === 0) return docs;
    expect(body.documents.length).toBeLessThanOrEqual(limit);
    docs.push(...body.documents);
    const cp = body.checkpoint;
    query = `epoch=${cp.epoch}&txid=${cp.txid}&seq=${cp.seq}&limit=${limit}`;
  }
  throw new Error('pull did not finish');
}

async function count(h: Harness, sql: string, params: readonly (string | number)[] = []): Promise<number> {
  const result = await h.db.query<{ n: string }>(sql, params);
  return Number(result[0]?.n ?? -1);
}

async function onHand(h: Harness, storeId: string, productId: string): Promise<number> {
  const result = await h.db.query<{ v: string }>(
    `select (coalesce(last_count_qty, 0) + delta_since_count)::text as v from stock_levels where store_id = $1 and product_id = $2`,
    [storeId, productId],
  );
  return Number(result[0]?.v ?? Number.NaN);
}

export function defineSyncSuite(name: string, backend: () => Backend): void {
  describe(`sync server over ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend(), { minClientVersion: '0.1.0' });
    }, 120_000);
    afterAll(async () => {
      await h.close();
    });

    it('enrols a till, hands out a token, reports device state and pulls a seeded catalog to completion', async () => {
      const summary = await seedDemo(h.db, { products: 1200 });
      // 1,200 main rows + one barcode row for every 10th product; one price each + a future one per 50th.
      expect(summary).toMatchObject({ productRows: 1320, prices: 1224, stockLevels: 2400, onlineOrders: 4 });

      const till = await enrollTill(h, 'S01');
      const token = await h.json<{ serverEpoch: string; expiresAt: string; storeId: string }>('/auth/token', {
        method: 'POST',
        token: till.refreshToken,
      });
      expect(token.status).toBe(200);
      expect(token.body.storeId).toBe('S01');
      const state = await h.json<Doc>('/device/state', { token: till.accessToken });
      expect(state.status).toBe(200);
      expect(state.body).toMatchObject({
        serverEpoch: token.body.serverEpoch,
        deviceId: till.deviceId,
        storeId: 'S01',
        lastDeviceSeq: 0,
        contiguousDeviceSeq: 0,
        minClientVersion: '0.1.0',
      });

      const products = await pullAll(h, till.accessToken, 'products', 500);
      expect(products).toHaveLength(1320);
      expect(new Set(products.map((p) => p.id)).size).toBe(1320);
      expect(new Set(products.map((p) => p.productId)).size).toBe(1200);
      // Every printed barcode is a valid EAN-13; each row is found by one of them as the scan key (GTIN-14).
      expect(
        products.filter((p) => {
          const printed = p.barcodes as string[];
          return !(
            p._deleted === false &&
            printed.every((b) => isValidEan13(b)) &&
            printed.map((b) => normalizeBarcode(b)).includes(String(p.barcode))
          );
        }),
      ).toEqual([]);

      const stock = await pullAll(h, till.accessToken, 'stockLevels');
      expect(stock).toHaveLength(1200);
      expect(stock.every((s) => s.storeId === 'S01')).toBe(true);

      // S01 sees its own settings and receipt header, never S02's: 2 + 3 tax rules + 12 categories + 1 book
      // + 5 promotions.
      const config = await pullAll(h, till.accessToken, 'config');
      expect(config).toHaveLength(23);
      expect(config.some((c) => c.storeId === 'S02')).toBe(false);
      expect(config.filter((c) => c.storeId === 'S01').map((c) => c.id)).toEqual(
        expect.arrayContaining(['store_settings:S01', 'receipt_header:S01']),
      );

      const prices = await pullAll(h, till.accessToken, 'prices');
      expect(prices).toHaveLength(1224);
      // Future versions are delivered now; the till switches at validFrom by its own clock.
      expect(prices.filter((p) => p.validFrom === '2027-01-01T00:00:00.000Z')).toHaveLength(24);
      const staff = await pullAll(h, till.accessToken, 'staff');
      expect(staff.length).toBe(5);
      const customers = await pullAll(h, till.accessToken, 'customers');
      // What the till receives passes the till's own collection schemas.
      const checks: [Doc[], object][] = [
        [config, configSchema],
        [products, productsSchema],
        [prices, pricesSchema],
        [stock, stockLevelsSchema],
        [staff, staffSchema],
        [customers, customersSchema],
      ];
      for (const [docs, schema] of checks) {
        const validate = createAjv().compile(
          replicationSchema(schema as Parameters<typeof replicationSchema>[0]),
        );
        expect(docs.filter((d) => !validate(d)).length).toBe(0);
      }
    }, 120_000);

    it('restarts from the beginning when the checkpoint belongs to another epoch, and caps the limit at 1000', async () => {
      const till = await enrollTill(h, 'S09');
      const head = await h.json<PullBody>('/pull/config?limit=1000', { token: till.accessToken });
      const epoch = head.body.checkpoint.epoch;
      const cp = head.body.checkpoint;
      const caughtUp = await h.json<PullBody>(
        `/pull/config?epoch=${epoch}&txid=${cp.txid}&seq=${cp.seq}&limit=10`,
        {
          token: till.accessToken,
        },
      );
      expect(caughtUp.body.documents).toHaveLength(0);
      const other = await h.json<PullBody>(
        `/pull/config?epoch=another-epoch&txid=${cp.txid}&seq=${cp.seq}&limit=1000`,
        {
          token: till.accessToken,
        },
      );
      expect(other.body.documents.length).toBe(head.body.documents.length);
      expect(other.body.checkpoint.epoch).toBe(epoch);
      const huge = await h.json<PullBody>('/pull/products?limit=5000', { token: till.accessToken });
      expect(huge.status).toBe(200);
      expect(huge.body.documents.length).toBeLessThanOrEqual(1000);
    });

    describe('refusals', () => {
      let till: TillSession;
      beforeAll(async () => {
        till = await enrollTill(h, 'S03');
      });

      it('401 for a missing, malformed, forged or expired token', async () => {
        expect((await h.request('/device/state')).status).toBe(401);
        expect((await h.request('/device/state', { token: 'not-a-jwt' })).status).toBe(401);
        const forged = await new SignJWT({ store: 'S03', scope: 'till' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(till.deviceId)
          .setIssuer(TOKEN_ISSUER)
          .setAudience(TOKEN_AUDIENCE)
          .setExpirationTime('10m')
          .sign(await generateSecret('HS256', { extractable: true }));
        expect((await h.request('/device/state', { token: forged })).status).toBe(401);
        const key = await loadTokenSecret(h.db);
        const expired = await issueAccessToken(
          key,
          { deviceId: till.deviceId, storeId: 'S03', scope: 'till' },
          Math.floor(Date.now() / 1000) - 3600,
        );
        expect((await h.request('/device/state', { token: expired.token })).status).toBe(401);
        const fresh = await issueAccessToken(
          key,
          { deviceId: till.deviceId, storeId: 'S03', scope: 'till' },
          Math.floor(Date.now() / 1000),
        );
        expect((await h.request('/device/state', { token: fresh.token })).status).toBe(200);
        // The refresh token is not an access token, nor is the HQ credential.
        expect((await h.request('/device/state', { token: till.refreshToken })).status).toBe(401);
        expect((await h.request('/device/state', { token: HQ_TOKEN })).status).toBe(401);
      });

      it('401 for a revoked device, on every route, even with an unexpired access token', async () => {
        const victim = await enrollTill(h, 'S03', 'Till revoked');
        const stream = await openStream(h.base, victim.accessToken);
        await stream.next('hello');
        const revoke = await h.request(`/admin/devices/${victim.deviceId}/revoke`, {
          method: 'POST',
          token: HQ_TOKEN,
          tillHeaders: false,
        });
        expect(revoke.status).toBe(200);
        // Its open stream ends at once.
        await stream.ended();
        expect((await h.request('/device/state', { token: victim.accessToken })).status).toBe(401);
        expect((await h.request('/auth/token', { method: 'POST', token: victim.refreshToken })).status).toBe(
          401,
        );
        expect((await h.request('/push/events', { token: victim.accessToken, body: rows([]) })).status).toBe(
          401,
        );
        expect((await h.request('/pull/products', { token: victim.accessToken })).status).toBe(401);
      });

      it('enrolment codes are single use; HQ routes need the HQ credential', async () => {
        const code = await h.json<{ code: string }>('/admin/enrollment-codes', {
          token: HQ_TOKEN,
          body: { storeId: 'S03' },
          tillHeaders: false,
        });
        const body = { enrollmentCode: code.body.code.toLowerCase(), deviceName: 'T', appVersion: '1.0.0' };
        expect((await h.request('/auth/enroll', { body })).status).toBe(201);
        expect((await h.request('/auth/enroll', { body })).status).toBe(401);
        expect(
          (await h.request('/auth/enroll', { body: { ...body, enrollmentCode: 'AAAA-BBBB-CCCC' } })).status,
        ).toBe(401);
        await h.db.query(
          `update enrollment_codes set expires_at = now() - interval '1 second' where used_at is null`,
        );
        const late = await h.json<{ code: string }>('/admin/enrollment-codes', {
          token: HQ_TOKEN,
          body: { storeId: 'S03' },
          tillHeaders: false,
        });
        await h.db.query(
          `update enrollment_codes set expires_at = now() - interval '1 second' where used_at is null`,
        );
        expect(
          (await h.request('/auth/enroll', { body: { ...body, enrollmentCode: late.body.code } })).status,
        ).toBe(401);
        expect((await h.request('/admin/devices', { tillHeaders: false })).status).toBe(401);
        expect(
          (await h.request('/admin/devices', { token: till.accessToken, tillHeaders: false })).status,
        ).toBe(401);
        expect(
          (await h.request('/admin/enrollment-codes', { token: till.accessToken, body: { storeId: 'S03' } }))
            .status,
        ).toBe(401);
      });

      it('403 when the request names another store than the token', async () => {
        expect((await h.request('/pull/products?storeId=S02', { token: till.accessToken })).status).toBe(403);
        expect((await h.request('/stream?storeId=S02', { token: till.accessToken })).status).toBe(403);
        expect((await h.request('/pull/products?storeId=S03', { token: till.accessToken })).status).toBe(200);
      });

      it("a till of one store cannot write another store's data, nor read it back through an answer", async () => {
        const intruder = await enrollTill(h, 'S14');
        // An event naming another store (or another device) is kept for review, acknowledged, never applied.
        const foreign = {
          ...saleEvent(intruder, 1, [{ productId: 'XS-1', quantity: 1000 }], { id: eventId(1, 14) }),
        };
        const asOtherStore = {
          ...foreign,
          storeId: 'S15',
          payload: { ...(foreign.payload as Doc), storeId: 'S15' },
        };
        const pushed = await h.json<Doc[]>('/push/events', {
          token: intruder.accessToken,
          body: rows([asOtherStore]),
        });
        expect(pushed.status).toBe(200);
        expect(pushed.body).toEqual([
          {
            ...asOtherStore,
            _deleted: false,
            serverStatus: 'quarantined',
            serverReason: 'deviceId/storeId of the event differ from the signed-in device',
          },
        ]);
        expect(await count(h, `select count(*)::text as n from events where store_id = 'S15'`)).toBe(0);
        expect(await count(h, `select count(*)::text as n from stock_levels where store_id = 'S15'`)).toBe(0);
        // A payload naming another store than its (correct) envelope is quarantined too.
        const mixed = saleEvent(intruder, 2, [{ productId: 'XS-1', quantity: 1000 }], { id: eventId(2, 14) });
        const mixedPayload = { ...mixed, payload: { ...(mixed.payload as Doc), storeId: 'S15' } };
        const answer = await h.json<Doc[]>('/push/events', {
          token: intruder.accessToken,
          body: rows([mixedPayload]),
        });
        expect(answer.body[0]).toMatchObject({ eventId: eventId(2, 14), serverStatus: 'quarantined' });
        expect(
          await count(h, `select count(*)::text as n from stock_movements where store_id in ('S14', 'S15')`),
        ).toBe(0);

        // Another store's customer: not written, not returned, kept for review.
        await h.db.query(`insert into customers (id, store_id, doc) values ('CUST-S15', 'S15', $1::jsonb)`, [
          JSON.stringify({ id: 'CUST-S15', displayName: 'Only S15', loyaltyPoints: 10 }),
        ]);
        const edit = {
          id: 'CUST-S15',
          displayName: 'Taken over',
          nameKey: 'taken over',
          phoneKey: '',
          emailKey: '',
          cardKey: '',
          customerGroupIds: [],
          loyaltyPoints: 0,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z',
        };
        for (const body of [rows([edit]), rows([{ id: 'CUST-S15', displayName: 7 }])]) {
          const r = await h.json<Doc[]>('/push/customers', { token: intruder.accessToken, body });
          expect(r.status).toBe(200);
          expect(r.body).toEqual([]);
        }
        const stored = await h.db.query<{ name: string }>(
          `select doc->>'displayName' as name from customers where id = 'CUST-S15'`,
        );
        expect(stored).toEqual([{ name: 'Only S15' }]);
        expect((await pullAll(h, intruder.accessToken, 'customers')).some((c) => c.id === 'CUST-S15')).toBe(
          false,
        );
      });

      it('404 for a push to a pull-only collection or an unknown collection', async () => {
        for (const c of ['prices', 'products', 'stockLevels', 'staff', 'config']) {
          expect((await h.request(`/push/${c}`, { token: till.accessToken, body: rows([]) })).status).toBe(
            404,
          );
        }
        expect((await h.request('/pull/events', { token: till.accessToken })).status).toBe(404);
      });

      it('426 when the protocol or the client is too old or unnamed', async () => {
        expect(
          (await h.request('/device/state', { token: till.accessToken, tillHeaders: false })).status,
        ).toBe(426);
        const old = { 'x-pos-protocol': '1', 'x-pos-client-version': '0.0.9' };
        expect(
          (await h.request('/device/state', { token: till.accessToken, tillHeaders: false, headers: old }))
            .status,
        ).toBe(426);
        const proto0 = { 'x-pos-protocol': '0', 'x-pos-client-version': '1.0.0' };
        expect(
          (await h.request('/auth/token', { method: 'POST', tillHeaders: false, headers: proto0 })).status,
        ).toBe(426);
      });

      it('413 for more than 100 rows or a body over 1 MB; 400 for malformed JSON; then keeps serving', async () => {
        const many = Array.from({ length: 101 }, (_, i) =>
          saleEvent(till, i + 1, [{ productId: 'X', quantity: 1000 }]),
        );
        expect((await h.request('/push/events', { token: till.accessToken, body: rows(many) })).status).toBe(
          413,
        );
        const big = JSON.stringify(rows([{ ...saleEvent(till, 1, []), padding: 'x'.repeat(1_100_000) }]));
        expect((await h.request('/push/events', { token: till.accessToken, rawBody: big })).status).toBe(413);
        expect(
          (await h.request('/push/events', { token: till.accessToken, rawBody: '{"rows": [' })).status,
        ).toBe(400);
        expect((await h.request('/push/events', { token: till.accessToken, rawBody: '"rows"' })).status).toBe(
          400,
        );
        expect((await h.request('/auth/enroll', { rawBody: '{nope' })).status).toBe(400);
        expect(
          await count(h, 'select count(*)::text as n from events where device_id = $1', [till.deviceId]),
        ).toBe(0);
        expect((await h.request('/device/state', { token: till.accessToken })).status).toBe(200);
      });
    });

    describe('push of events', () => {
      it('applies overlapping concurrent retries exactly once: N events, N × lines movements', async () => {
        const till = await enrollTill(h, 'S04');
        const lines = [
          { productId: 'DD-1', quantity: 1000 },
          { productId: 'DD-2', quantity: 2000 },
          { productId: 'DD-3', quantity: 3000 },
        ];
        const events = Array.from({ length: 40 }, (_, i) =>
          saleEvent(till, i + 1, lines, { id: eventId(i + 1, 4) }),
        );
        const batches = [
          events.slice(0, 20),
          events.slice(10, 30),
          events.slice(20, 40),
          events.slice(0, 20),
          events.slice(20, 40),
          events.slice(5, 35),
        ];
        const responses = await Promise.all(
          batches.map((b) =>
            h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([...b].reverse()) }),
          ),
        );
        for (const r of responses) {
          expect(r.status).toBe(200);
          expect(r.body).toEqual([]);
        }
        // A retry after everything was applied is a no-op too.
        expect(
          (await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows(events.slice(0, 50)) }))
            .body,
        ).toEqual([]);
        expect(
          await count(h, 'select count(*)::text as n from events where device_id = $1', [till.deviceId]),
        ).toBe(40);
        expect(await count(h, `select count(*)::text as n from stock_movements where store_id = 'S04'`)).toBe(
          120,
        );
        expect(await onHand(h, 'S04', 'DD-1')).toBe(-40_000);
        expect(await onHand(h, 'S04', 'DD-2')).toBe(-80_000);
        expect(await onHand(h, 'S04', 'DD-3')).toBe(-120_000);
        const state = await h.json<Doc>('/device/state', { token: till.accessToken });
        expect(state.body).toMatchObject({ lastDeviceSeq: 40, contiguousDeviceSeq: 40 });
        const levels = await pullAll(h, till.accessToken, 'stockLevels');
        expect(levels.find((l) => l.productId === 'DD-2')).toMatchObject({ id: 'S04:DD-2', onHand: -80_000 });
        // Negative on-hand is accepted and flagged, never refused.
        expect(
          await count(
            h,
            `select count(*)::text as n from alerts where kind = 'negative_stock' and store_id = 'S04'`,
          ),
        ).toBeGreaterThan(0);
      });

      it('quarantines and acknowledges what it cannot apply, and returns the stored copy on key reuse', async () => {
        const till = await enrollTill(h, 'S05');
        const other = await enrollTill(h, 'S05', 'Till 2');
        const good = saleEvent(till, 1, [{ productId: 'Q-1', quantity: 1000 }], { id: eventId(1, 5) });
        const invalid = { ...saleEvent(till, 2, [], { id: eventId(2, 5) }) };
        const unknown = { ...saleEvent(till, 3, [], { id: eventId(3, 5) }), type: 'gift.wrapped' };
        const foreign = saleEvent(other, 4, [{ productId: 'Q-1', quantity: 1000 }], { id: eventId(4, 5) });
        const pruned = { ...saleEvent(till, 5, [], { id: eventId(5, 5) }), _deleted: true };
        const response = await h.json<Doc[]>('/push/events', {
          token: till.accessToken,
          body: {
            rows: [
              ...rows([good, invalid, unknown, foreign, pruned]).rows,
              42,
              null,
              'x',
              { newDocumentState: {} },
            ],
          },
        });
        expect(response.status).toBe(200);
        const byId = new Map(response.body.map((d) => [d.eventId, d]));
        expect(response.body).toHaveLength(3);
        expect(byId.get(eventId(2, 5))).toMatchObject({ serverStatus: 'quarantined' });
        expect(String(byId.get(eventId(3, 5))?.serverReason)).toContain('unknown event type gift.wrapped@1');
        expect(String(byId.get(eventId(4, 5))?.serverReason)).toContain('differ from the signed-in device');
        expect(byId.has(eventId(1, 5))).toBe(false);
        const statuses = await h.db.query<{ event_id: string; status: string }>(
          'select event_id, status from events where device_id = $1 order by event_id',
          [till.deviceId],
        );
        expect(statuses).toEqual([
          { event_id: eventId(1, 5), status: 'applied' },
          { event_id: eventId(2, 5), status: 'quarantined' },
          { event_id: eventId(3, 5), status: 'quarantined' },
        ]);
        expect(await onHand(h, 'S05', 'Q-1')).toBe(-1000);

        // The receipt may have been lost: a plain resend gets it again; the adopted receipt closes the loop.
        const resend = await h.json<Doc[]>('/push/events', {
          token: till.accessToken,
          body: rows([invalid]),
        });
        expect(resend.body).toHaveLength(1);
        const adopted = byId.get(eventId(2, 5)) ?? {};
        expect(adopted.serverStatus).toBe('quarantined');
        expect(
          (await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([adopted]) })).body,
        ).toEqual([]);

        // Same id, different content: the stored copy comes back and an alert is raised; nothing re-applied.
        const altered = saleEvent(till, 1, [{ productId: 'Q-1', quantity: 9000 }], { id: eventId(1, 5) });
        const reuse = await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([altered]) });
        expect(reuse.body).toHaveLength(1);
        expect(reuse.body[0]).toMatchObject({ eventId: eventId(1, 5), payload: good.payload });
        // Same deviceSeq, different id: a receipt for the pushed row under its own id (RxDB fails a push
        // cycle on a document it did not send), naming the event that holds the seq; nothing applied.
        const seqReuse = saleEvent(till, 1, [{ productId: 'Q-1', quantity: 1000 }], { id: eventId(99, 5) });
        const seqResponse = await h.json<Doc[]>('/push/events', {
          token: till.accessToken,
          body: rows([seqReuse]),
        });
        expect(seqResponse.body).toEqual([
          {
            ...seqReuse,
            _deleted: false,
            serverStatus: 'quarantined',
            serverReason: `deviceSeq 1 already used by event ${eventId(1, 5)}`,
          },
        ]);
        // The till adopts the receipt and pushes it back once: silent, no second alert.
        const adoptedSeq = seqResponse.body[0] ?? {};
        expect(
          (await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([adoptedSeq]) })).body,
        ).toEqual([]);
        expect(await onHand(h, 'S05', 'Q-1')).toBe(-1000);
        expect(
          await count(
            h,
            `select count(*)::text as n from alerts where device_id = $1 and kind in ('event_id_reused', 'device_seq_reused')`,
            [till.deviceId],
          ),
        ).toBe(2);

        // Key order and number formatting do not change the content hash: an identical resend is silent.
        const reordered = Object.fromEntries(Object.entries(good).reverse());
        expect(
          (await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([reordered]) })).body,
        ).toEqual([]);

        const devices = await h.json<{ devices: Doc[] }>('/admin/devices', {
          token: HQ_TOKEN,
          tillHeaders: false,
        });
        expect(devices.body.devices.find((d) => d.deviceId === till.deviceId)).toMatchObject({
          lastDeviceSeq: 3,
          contiguousDeviceSeq: 3,
          // 2 quarantined events + rejected rows: 3 non-objects, 1 empty doc, 1 foreign, 2 key reuses.
          quarantinedEvents: 2 + 7,
          // The two key reuses and the negative on-hand of Q-1.
          alerts: 3,
        });
      });

      it('survives hostile rows: NUL characters, deep nesting, junk; quarantines them and keeps serving', async () => {
        const till = await enrollTill(h, 'S13');
        const nul = saleEvent(till, 1, [{ productId: 'N\u0000UL', quantity: 1000 }], { id: eventId(1, 13) });
        // Built as text: the test's own JSON.stringify would overflow its stack on it.
        const deep = `${'['.repeat(5000)}"bottom"${']'.repeat(5000)}`;
        const deepEvent = JSON.stringify(saleEvent(till, 2, [], { id: eventId(2, 13) })).replace(
          /"payload":\{/,
          `"payload":{"nested":${deep},`,
        );
        const response = await h.json<Doc[]>('/push/events', {
          token: till.accessToken,
          rawBody: `{"rows":[{"newDocumentState":${JSON.stringify(nul)}},{"newDocumentState":${deepEvent}}]}`,
        });
        expect(response.status).toBe(200);
        expect(response.body.map((d) => [d.eventId, d.serverStatus, d.serverReason])).toEqual([
          [eventId(1, 13), 'quarantined', 'text contains NUL characters'],
          [eventId(2, 13), 'quarantined', 'document nested deeper than 32 levels'],
        ]);
        // A number no double holds (it parses to Infinity), a time PostgreSQL cannot store, a time in
        // words, and a version of a known type this server does not know: each quarantined, none a 5xx
        // that the till would retry forever.
        const infinite = JSON.stringify(
          saleEvent(till, 3, [{ productId: 'N-1', quantity: 1000 }], { id: eventId(3, 13) }),
        ).replace('"total":100', '"total":1e400');
        const farFuture = saleEvent(till, 4, [{ productId: 'N-1', quantity: 1000 }], {
          id: eventId(4, 13),
          occurredAt: '+275760-09-13T00:00:00.000Z',
        });
        const inWords = saleEvent(till, 5, [{ productId: 'N-1', quantity: 1000 }], {
          id: eventId(5, 13),
          occurredAt: 'Tue, 24 Nov 2026 10:00:00 GMT',
        });
        const nextVersion = {
          ...saleEvent(till, 6, [{ productId: 'N-1', quantity: 1000 }], { id: eventId(6, 13) }),
          schemaVersion: 2,
        };
        const odd = await h.json<Doc[]>('/push/events', {
          token: till.accessToken,
          rawBody: `{"rows":[{"newDocumentState":${infinite}},${JSON.stringify(rows([farFuture, inWords, nextVersion]).rows).slice(1, -1)}]}`,
        });
        expect(odd.status).toBe(200);
        expect(odd.body.map((d) => [d.eventId, d.serverStatus])).toEqual([
          [eventId(3, 13), 'quarantined'],
          [eventId(4, 13), 'quarantined'],
          [eventId(5, 13), 'quarantined'],
          [eventId(6, 13), 'quarantined'],
        ]);
        expect(odd.body.map((d) => String(d.serverReason).slice(0, 36))).toEqual([
          'not storable as JSON: Infinity is no',
          'occurredAt is not a time',
          'envelope: /occurredAt must NOT have ',
          'sale.completed@2: unknown event type',
        ]);
        expect(
          await count(h, `select count(*)::text as n from stock_movements where product_id = 'N-1'`),
        ).toBe(0);
        const customer = await h.json<Doc[]>('/push/customers', {
          token: till.accessToken,
          rawBody: `{"rows":[{"newDocumentState":{"id":"CUST-NUL","displayName":"a\\u0000b"}},{"newDocumentState":{"id":"CUST-DEEP","x":${deep}}}]}`,
        });
        expect(customer.status).toBe(200);
        // NUL, deep, 1e400 and the far-future time could not be filed as events; nor the two customers.
        expect(
          await count(h, `select count(*)::text as n from rejected_rows where device_id = $1`, [
            till.deviceId,
          ]),
        ).toBe(6);
        expect((await h.request('/device/state', { token: till.accessToken })).status).toBe(200);
      });

      it('reports the highest and the contiguous device sequence (the data-loss check)', async () => {
        const till = await enrollTill(h, 'S06');
        const e = (seq: number) =>
          saleEvent(till, seq, [{ productId: 'G-1', quantity: 1000 }], { id: eventId(seq, 6) });
        await h.json('/push/events', { token: till.accessToken, body: rows([e(1), e(2), e(4)]) });
        expect((await h.json<Doc>('/device/state', { token: till.accessToken })).body).toMatchObject({
          lastDeviceSeq: 4,
          contiguousDeviceSeq: 2,
        });
        await h.json('/push/events', { token: till.accessToken, body: rows([e(3)]) });
        expect((await h.json<Doc>('/device/state', { token: till.accessToken })).body).toMatchObject({
          lastDeviceSeq: 4,
          contiguousDeviceSeq: 4,
        });
      });

      it('accepts an event from a till whose clock runs ahead, and flags it', async () => {
        const till = await enrollTill(h, 'S12');
        const future = {
          eventId: eventId(1, 12),
          type: 'stock.counted',
          schemaVersion: 1,
          storeId: 'S12',
          deviceId: till.deviceId,
          deviceSeq: 1,
          occurredAt: '2099-01-01T00:00:00.000Z',
          payload: {
            countId: 'skew-1',
            storeId: 'S12',
            productId: 'SK-1',
            quantity: 7000,
            countedBy: 'STAFF-1',
          },
        };
        expect(
          (await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([future]) })).body,
        ).toEqual([]);
        expect(await onHand(h, 'S12', 'SK-1')).toBe(7000);
        expect(
          await count(
            h,
            `select count(*)::text as n from alerts where kind = 'clock_skew' and device_id = $1`,
            [till.deviceId],
          ),
        ).toBe(1);
      });

      it('projects stock as last count + movements that occurred after it', async () => {
        const till = await enrollTill(h, 'S07');
        let seq = 0;
        const push = async (doc: Doc) => {
          const r = await h.json<Doc[]>('/push/events', { token: till.accessToken, body: rows([doc]) });
          expect(r.body).toEqual([]);
        };
        const sale = (quantity: number, at: string) =>
          saleEvent(till, ++seq, [{ productId: 'CNT-1', quantity }], { id: eventId(seq, 7), occurredAt: at });
        const countAt = (quantity: number, at: string) => ({
          eventId: eventId(++seq, 7),
          type: 'stock.counted',
          schemaVersion: 1,
          storeId: 'S07',
          deviceId: till.deviceId,
          deviceSeq: seq,
          occurredAt: at,
          payload: {
            countId: `count-${seq}`,
            storeId: 'S07',
            productId: 'CNT-1',
            quantity,
            countedBy: 'STAFF-1',
          },
        });
        const ret = (quantity: number, disposition: string, at: string) => ({
          eventId: eventId(++seq, 7),
          type: 'return.completed',
          schemaVersion: 1,
          storeId: 'S07',
          deviceId: till.deviceId,
          deviceSeq: seq,
          occurredAt: at,
          payload: {
            returnId: `r-${seq}`,
            storeId: 'S07',
            lines: [{ returnLineId: 'R1', productId: 'CNT-1', quantity, disposition }],
          },
        });
        await push(sale(2000, '2026-11-23T10:00:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(-2000);
        await push(countAt(50_000, '2026-11-23T11:00:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(50_000);
        // A sale made offline before the count reaches the ledger but does not change on-hand.
        await push(sale(1000, '2026-11-23T10:30:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(50_000);
        await push(sale(3000, '2026-11-23T12:00:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(47_000);
        // An older count is kept but not applied.
        await push(countAt(1, '2026-11-23T09:00:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(47_000);
        await push(ret(1000, 'restock', '2026-11-23T12:30:00.000Z'));
        await push(ret(5000, 'write_off', '2026-11-23T12:40:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(48_000);
        // A newer count recomputes from the ledger: every movement so far occurred before 12:35.
        await push(countAt(40_000, '2026-11-23T12:35:00.000Z'));
        expect(await onHand(h, 'S07', 'CNT-1')).toBe(40_000);
        expect(await count(h, `select count(*)::text as n from stock_movements where store_id = 'S07'`)).toBe(
          4,
        );
      });
    });

    describe('push of customers', () => {
      it('writes new and current-based edits, returns the master on a stale base, keeps server-owned fields', async () => {
        const till = await enrollTill(h, 'S11');
        const customer = {
          id: 'CUST-T1',
          displayName: 'Ada Lovelace',
          nameKey: 'ada lovelace',
          phoneKey: '',
          emailKey: '',
          cardKey: '',
          customerGroupIds: [],
          loyaltyPoints: 5000,
          createdAt: '2026-11-23T10:00:00.000Z',
          updatedAt: '2026-11-23T10:00:00.000Z',
          _deleted: false,
        };
        const push = (body: unknown) => h.json<Doc[]>('/push/customers', { token: till.accessToken, body });
        expect((await push({ rows: [{ newDocumentState: customer }] })).body).toEqual([]);
        const master = (await pullAll(h, till.accessToken, 'customers')).find((c) => c.id === 'CUST-T1');
        // A till cannot grant itself loyalty points: the balance is server-owned.
        expect(master).toMatchObject({ displayName: 'Ada Lovelace', loyaltyPoints: 0, _deleted: false });
        const edited = { ...master, displayName: 'Ada King', loyaltyPoints: 999_999 };
        expect(
          (await push({ rows: [{ assumedMasterState: master, newDocumentState: edited }] })).body,
        ).toEqual([]);
        const stale = { ...master, displayName: 'Ada Byron' };
        const conflict = await push({ rows: [{ assumedMasterState: master, newDocumentState: stale }] });
        expect(conflict.body).toHaveLength(1);
        expect(conflict.body[0]).toMatchObject({ id: 'CUST-T1', displayName: 'Ada King', loyaltyPoints: 0 });
        // Without a base, an existing customer is a conflict too.
        expect((await push({ rows: [{ newDocumentState: stale }] })).body).toHaveLength(1);
        // A document the schema refuses is never stored; the till gets the master back.
        const invalid = await push({
          rows: [{ assumedMasterState: conflict.body[0], newDocumentState: { id: 'CUST-T1' } }],
        });
        expect(invalid.body).toHaveLength(1);
        expect(
          (await push({ rows: [{ newDocumentState: { id: 'CUST-T2', displayName: 7 } }] })).body,
        ).toEqual([]);
        expect(
          await count(h, `select count(*)::text as n from customers where id in ('CUST-T1', 'CUST-T2')`),
        ).toBe(1);
        expect(
          (
            await h.request('/push/customers', {
              token: till.accessToken,
              body: { rows: Array(101).fill({}) },
            })
          ).status,
        ).toBe(413);

        // Loyalty accrues once per sale, whatever the event id (a re-created event must not pay twice).
        const accrual = (seq: number) => ({
          eventId: eventId(seq, 11),
          type: 'loyalty.accrued',
          schemaVersion: 1,
          storeId: 'S11',
          deviceId: till.deviceId,
          deviceSeq: seq,
          occurredAt: '2026-11-23T12:00:00.000Z',
          payload: {
            saleId: 'SALE-L1',
            customerId: 'CUST-T1',
            storeId: 'S11',
            points: 120,
            basis: 12_000,
            currency: 'EUR',
          },
        });
        expect(
          (
            await h.json<Doc[]>('/push/events', {
              token: till.accessToken,
              body: rows([accrual(1), accrual(2)]),
            })
          ).body,
        ).toEqual([]);
        const after = (await pullAll(h, till.accessToken, 'customers')).find((c) => c.id === 'CUST-T1');
        expect(after).toMatchObject({
          loyaltyPoints: 120,
          loyaltyAsOf: '2026-11-23T12:00:00.000Z',
          displayName: 'Ada King',
        });
      });
    });

    describe('prices', () => {
      const change = (amount: number, validFrom: string, validTo?: string) => ({
        priceBookId: 'PB-T',
        productId: 'PX-1',
        sku: 'SKU-PX-1',
        amount,
        currency: 'EUR',
        taxIncluded: true,
        validFrom,
        ...(validTo === undefined ? {} : { validTo }),
      });
      const live = async () =>
        h.db.query<{ from: string; to: string | null; amount: number }>(
          `select iso(valid_from) as "from", iso(valid_to) as "to", (doc->>'amount')::int as amount
             from prices where price_book_id = 'PB-T' and product_id = 'PX-1' and not deleted order by valid_from`,
        );

      it('splices versions so they never overlap, in one transaction per batch; CSV too', async () => {
        const post = (changes: unknown[]) =>
          h.json<{ applied: number }>('/admin/price-changes', {
            token: HQ_TOKEN,
            body: { changes },
            tillHeaders: false,
          });
        expect((await post([change(100, '2026-01-01T00:00:00.000Z')])).body).toEqual({ applied: 1 });
        expect((await post([change(120, '2026-06-01T00:00:00.000Z')])).status).toBe(200);
        expect(
          (await post([change(90, '2027-01-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z')])).status,
        ).toBe(200);
        expect(await live()).toEqual([
          { from: '2026-01-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z', amount: 100 },
          { from: '2026-06-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', amount: 120 },
          { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z', amount: 90 },
          { from: '2027-02-01T00:00:00.000Z', to: null, amount: 120 },
        ]);
        // A version covering the summer replaces the 120 there and keeps its tail.
        const csv = [
          'priceBookId,productId,sku,amount,currency,taxIncluded,validFrom,validTo',
          'PB-T,PX-1,SKU-PX-1,110,EUR,true,2026-05-01T00:00:00.000Z,2026-09-01T00:00:00.000Z',
        ].join('\n');
        const imported = await h.json<{ applied: number }>('/admin/price-changes', {
          token: HQ_TOKEN,
          rawBody: csv,
          contentType: 'text/csv',
          tillHeaders: false,
        });
        expect(imported.body).toEqual({ applied: 1 });
        expect(await live()).toEqual([
          { from: '2026-01-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', amount: 100 },
          { from: '2026-05-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z', amount: 110 },
          { from: '2026-09-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', amount: 120 },
          { from: '2027-01-01T00:00:00.000Z', to: '2027-02-01T00:00:00.000Z', amount: 90 },
          { from: '2027-02-01T00:00:00.000Z', to: null, amount: 120 },
        ]);
        const badCsv = await h.request('/admin/price-changes', {
          token: HQ_TOKEN,
          rawBody: 'a,b\n1,2',
          contentType: 'text/csv',
          tillHeaders: false,
        });
        expect(badCsv.status).toBe(400);
        expect((await post([change(1, '2026-01-02T00:00:00.000Z', '2026-01-01T00:00:00.000Z')])).status).toBe(
          400,
        );
        expect((await post([{ priceBookId: 'PB-T' }])).status).toBe(400);
        // The database itself refuses an overlap that bypasses the splice (btree_gist exclusion constraint).
        let state: string | undefined;
        try {
          await h.db.query(
            `insert into prices (id, doc, price_book_id, product_id, valid_from, valid_to)
             values ('overlap', '{}'::jsonb, 'PB-T', 'PX-1', '2026-03-01', '2026-03-02')`,
          );
        } catch (error) {
          state = sqlState(error);
        }
        expect(state).toBe('23P01');
      });

      it('pokes a connected till over SSE after a price change, and only for its scope', async () => {
        const till = await enrollTill(h, 'S08');
        const otherStore = await enrollTill(h, 'S10');
        const stream = await openStream(h.base, till.accessToken);
        try {
          expect(stream.status).toBe(200);
          const hello = await stream.next('hello');
          expect(JSON.parse(hello.data)).toMatchObject({ serverEpoch: expect.any(String) as unknown });
          // A stock change in another store must not reach this till.
          await h.json('/push/events', {
            token: otherStore.accessToken,
            body: rows([
              saleEvent(otherStore, 1, [{ productId: 'Z-1', quantity: 1000 }], { id: eventId(1, 10) }),
            ]),
          });
          await new Promise((r) => setTimeout(r, 150));
          await h.json('/admin/price-changes', {
            token: HQ_TOKEN,
            body: { changes: [{ ...change(5, '2030-01-01T00:00:00.000Z'), productId: 'PX-SSE' }] },
            tillHeaders: false,
          });
          const poke = await stream.next('poke');
          expect(JSON.parse(poke.data)).toEqual({ collections: ['prices'], scope: 'global' });
        } finally {
          stream.close();
        }
        // The other store's till is poked for its stock: a push updates existing projection rows in one
        // statement that stamps and notifies them itself (the feed trigger skips such rows).
        const own = await openStream(h.base, otherStore.accessToken);
        try {
          await own.next('hello');
          await h.json('/push/events', {
            token: otherStore.accessToken,
            body: rows([
              saleEvent(otherStore, 2, [{ productId: 'Z-1', quantity: 1000 }], { id: eventId(2, 10) }),
            ]),
          });
          expect(JSON.parse((await own.next('poke')).data)).toEqual({
            collections: ['stockLevels'],
            scope: 'store:S10',
          });
          const levels = await pullAll(h, otherStore.accessToken, 'stockLevels');
          expect(levels.find((l) => l.productId === 'Z-1')).toMatchObject({ onHand: -2000 });
        } finally {
          own.close();
        }
      });
    });
  });
}
