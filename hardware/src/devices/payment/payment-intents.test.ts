import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PaymentIntentStore, paymentStatusOf, type NewIntent } from './payment-intents.ts';

let dataDir: string;
const clock = (): Date => new Date('2026-03-04T05:06:07.000Z');

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'omnitill-intents-'));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function intent(paymentId: string): NewIntent {
  return {
    paymentId,
    kind: 'sale',
    amount: 1000,
    currency: 'EUR',
    saleId: 'till-1',
    poiId: 'V400m-1',
    transaction: { TransactionID: paymentId, TimeStamp: '2026-03-04T05:06:07.000Z' },
    serviceId: 'S1',
    message: 'Waiting.',
  };
}

describe('PaymentIntentStore', () => {
  it('is durable: a reopened store has every intent as last written', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    await store.create(intent('b'));
    await store.update('a', { state: 'unresolved', message: 'Checking.' });
    await store.update('a', {
      state: 'approved',
      authCode: '123456',
      cardLast4: '4242',
      reference: 'R1',
      message: 'Approved.',
    });
    await store.close();

    const reopened = await PaymentIntentStore.open({ dataDir, clock });
    expect(reopened.get('a')).toMatchObject({
      state: 'approved',
      authCode: '123456',
      cardLast4: '4242',
      reference: 'R1',
    });
    expect(reopened.unsettled.map((i) => i.paymentId)).toEqual(['b']);
    await reopened.close();
  });

  it('writes the pending intent before create resolves', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    const text = await readFile(join(dataDir, 'payment-intents.jsonl'), 'utf8');
    expect(JSON.parse(text.trim())).toEqual({
      intent: {
        ...intent('a'),
        state: 'pending',
        cancelRequested: false,
        createdAt: '2026-03-04T05:06:07.000Z',
        updatedAt: '2026-03-04T05:06:07.000Z',
      },
    });
    await store.close();
  });

  it('drops a line torn by a crash, keeping what came before', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    await store.close();
    await appendFile(join(dataDir, 'payment-intents.jsonl'), '{"intent":{"paymentId":"a","state":"appr');
    const reopened = await PaymentIntentStore.open({ dataDir, clock });
    expect(reopened.get('a')?.state).toBe('pending');
    await reopened.close();
  });

  it('refuses a second intent of the same id, and any change to a settled one', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    await expect(store.create(intent('a'))).rejects.toThrow(RangeError);
    await store.update('a', { state: 'declined', message: 'Declined.' });
    expect(() => store.update('a', { state: 'approved' })).toThrow(RangeError);
    await store.close();
  });

  it('applies a change in memory before the write completes', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    const writing = store.update('a', { cancelRequested: true });
    expect(store.get('a')?.cancelRequested).toBe(true);
    await writing;
    await store.close();
  });

  it('compacts at open, keeping unsettled intents and the newest settled ones', async () => {
    const lines = ['old-1', 'old-2', 'open', 'new-1'].map((paymentId) =>
      JSON.stringify({
        intent: {
          ...intent(paymentId),
          state: paymentId === 'open' ? 'unresolved' : 'approved',
          cancelRequested: false,
          createdAt: 'x',
          updatedAt: 'x',
        },
      }),
    );
    await writeFile(join(dataDir, 'payment-intents.jsonl'), lines.join('\n') + '\n');
    const store = await PaymentIntentStore.open({ dataDir, clock, retainSettled: 2 });
    expect(store.intents.map((i) => i.paymentId)).toEqual(['old-2', 'open', 'new-1']);
    await store.close();
    const text = await readFile(join(dataDir, 'payment-intents.jsonl'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(3);
  });

  it('refuses work once closed (nothing reaches the disk after a crash)', async () => {
    const store = await PaymentIntentStore.open({ dataDir, clock });
    await store.create(intent('a'));
    await store.close();
    expect(() => store.update('a', { state: 'approved' })).toThrow(RangeError);
  });
});

describe('paymentStatusOf', () => {
  it('shows a reversal in progress as unresolved, in the contract shape', () => {
    expect(
      paymentStatusOf({
        ...intent('a'),
        state: 'reversing',
        cancelRequested: true,
        reference: 'R1',
        createdAt: 'x',
        updatedAt: 'x',
      }),
    ).toEqual({
      paymentId: 'a',
      state: 'unresolved',
      amount: 1000,
      currency: 'EUR',
      authCode: null,
      cardBrand: null,
      cardLast4: null,
      reference: 'R1',
      message: 'Waiting.',
    });
  });
});
