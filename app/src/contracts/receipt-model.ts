/**
 * The receipt model (ReceiptModel of the domain's receipt.ts) as a zod schema: the till's IPC
 * contract and the hardware worker's protocol both check a receipt with it before it reaches the
 * durable print queue, so a receipt that one side accepts the other cannot refuse.
 */
import { z } from 'zod';
import type { ReceiptModel } from '../domain/receipt.ts';

const str = (max: number): z.ZodString => z.string().max(max);
const money = z.object({ amount: z.number().int(), currency: str(8) }).strict();
const row = z.object({ label: str(200), value: str(500) }).strict();

const receiptLine = z
  .object({
    lineId: str(128),
    name: str(500),
    sku: str(128),
    quantity: z.number().int(),
    unit: z.enum(['each', 'kg', 'g', 'lb', 'm']),
    quantityText: str(64),
    unitPrice: money,
    overriddenFrom: money.exactOptional(),
    amount: money,
    discounts: z.array(z.object({ description: str(500), amount: money }).strict()).max(100),
    taxCodes: z.array(str(8)).max(16),
  })
  .strict();

const returnLine = z
  .object({
    returnLineId: str(128),
    name: str(500),
    sku: str(128),
    quantity: z.number().int(),
    quantityText: str(64),
    amount: money,
    reason: str(500),
    disposition: z.enum(['restock', 'write_off']),
    taxCodes: z.array(str(8)).max(16),
  })
  .strict();

const receiptBlock = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('header'),
      storeName: str(200),
      addressLines: z.array(str(200)).max(10),
      phone: str(64).exactOptional(),
      taxId: str(64).exactOptional(),
    })
    .strict(),
  z
    .object({ kind: z.literal('copy'), text: z.literal('COPY'), reprintedAt: str(64).exactOptional() })
    .strict(),
  z
    .object({ kind: z.literal('title'), text: str(200), originalReceiptNumber: str(128).exactOptional() })
    .strict(),
  z.object({ kind: z.literal('lines'), lines: z.array(receiptLine).max(2000) }).strict(),
  z.object({ kind: z.literal('return_lines'), lines: z.array(returnLine).max(2000) }).strict(),
  z
    .object({
      kind: z.literal('amount'),
      role: z.enum([
        'subtotal',
        'discount',
        'tax',
        'total',
        'change',
        'cash_rounding',
        'cash_total',
        'refund_total',
      ]),
      label: str(200),
      amount: money,
      emphasis: z.boolean(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('taxes'),
      inclusive: z.boolean(),
      rows: z
        .array(
          z
            .object({
              code: str(8),
              taxId: str(128),
              name: str(200),
              rate: z.number().int(),
              rateText: str(32),
              base: money,
              amount: money,
            })
            .strict(),
        )
        .max(50),
      total: money,
    })
    .strict(),
  z
    .object({
      kind: z.literal('tenders'),
      tenders: z
        .array(
          z
            .object({
              tenderId: str(128),
              type: z.enum(['cash', 'card', 'gift_card', 'store_credit']),
              label: str(200),
              amount: money,
              received: money.exactOptional(),
              cardBrand: str(64).exactOptional(),
              cardLast4: z
                .string()
                .regex(/^\d{4}$/)
                .exactOptional(),
              reference: str(128).exactOptional(),
              approvalCode: str(64).exactOptional(),
            })
            .strict(),
        )
        .max(50),
    })
    .strict(),
  z.object({ kind: z.literal('info'), rows: z.array(row).max(50) }).strict(),
  z
    .object({
      kind: z.literal('code'),
      barcode: z.object({ symbology: z.literal('code128'), data: str(128) }).strict(),
      qr: z.object({ data: str(1000) }).strict(),
    })
    .strict(),
  z.object({ kind: z.literal('footer'), lines: z.array(str(200)).max(20) }).strict(),
]);

export const ReceiptModelSchema = z
  .object({
    kind: z.enum(['sale', 'return']),
    receiptNumber: str(128),
    currency: str(8),
    locale: str(35),
    timeZone: str(64).exactOptional(),
    copy: z.boolean(),
    blocks: z.array(receiptBlock).min(1).max(200),
  })
  .strict();

// Compile-time proof that whatever the schema accepts is a ReceiptModel.
type Assignable<T extends U, U> = T;
export type CheckedReceipt = Assignable<z.output<typeof ReceiptModelSchema>, ReceiptModel>;
