/**
 * The message protocol between the hardware worker and its host (Electron main, the web host, the
 * devices CLI). Three envelopes, each stamped with the protocol version:
 *
 * - request  (host → worker): `{ v, kind: 'request', id, command }`; the id is the host's, echoed back.
 * - response (worker → host): `{ v, kind: 'response', id, result }` with the till's Result shape.
 * - event    (worker → host): `{ v, kind: 'event', event }`, unsolicited (status, scans, print jobs…).
 *
 * Everything that crosses is plain JSON (it travels over `process.send` or a MessagePort), and every
 * incoming message is parsed here, on both sides: a malformed request gets an error response, a
 * malformed response or event is dropped by the host, and neither side ever crashes on one. The
 * version lets a host refuse a worker of another release cleanly (after an update applied to one
 * process but not yet the other) instead of misreading its messages.
 */
import type { ReceiptModel, ScanResult } from '@pos/app';
import { ReceiptModelSchema } from '@pos/app/contracts/receipt-model';
import { z } from 'zod';
import type { DeviceErrorCode } from '../device/errors.ts';
import type { DeviceDescriptor, DeviceKind, DeviceState, ErrorLocus, PowerState } from '../device/types.ts';
import type { PaymentStatusInfo } from '../devices/payment/payment-intents.ts';
import type { PrintJobState } from '../devices/printer/print-queue.ts';
import type { PrinterStatus } from '../devices/printer/status.ts';
import type { ScanSource } from '../devices/scanner/scan.ts';

export const PROTOCOL_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Errors and results
// ---------------------------------------------------------------------------------------------

/** Device errors as they are, plus the worker's own refusals. */
export type WorkerErrorCode =
  | DeviceErrorCode
  /** The message is not a valid request (shape, type, field). */
  | 'invalid_message'
  /** The host speaks another protocol version. */
  | 'unsupported_version'
  /** No configured device of that id or kind. */
  | 'not_found'
  /** The worker is shutting down, or no answer came in time (host side). */
  | 'worker_unavailable'
  /** Print job errors of the print queue: the printer is not ready, the receipt cannot be laid out. */
  | 'not_ready'
  | 'render_failed'
  | 'internal';

export interface WorkerError {
  readonly code: WorkerErrorCode;
  readonly message: string;
}

export type WorkerResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WorkerError };

// ---------------------------------------------------------------------------------------------
// Device configuration (the descriptors of device/types.ts, parsed)
// ---------------------------------------------------------------------------------------------

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, "_", "." or "-"')
  // As the IPC contract's ids: never readable as a path.
  .refine((value) => !value.includes('..'), 'must not contain ".."');

const serialTransport = z
  .object({
    type: z.literal('serial'),
    path: z.string().min(1).max(256),
    baudRate: z.number().int().min(50).max(4_000_000),
    dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).exactOptional(),
    parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).exactOptional(),
    stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).exactOptional(),
  })
  .strict();

const hidTransport = z
  .object({
    type: z.literal('hid'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    usagePage: z.number().int().min(0).max(0xffff).exactOptional(),
    usage: z.number().int().min(0).max(0xffff).exactOptional(),
    serialNumber: z.string().max(128).exactOptional(),
  })
  .strict();

const tcpTransport = z
  .object({
    type: z.literal('tcp'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    connectTimeoutMs: z.number().int().min(1).max(600_000).exactOptional(),
  })
  .strict();

export const TransportConfigSchema = z.discriminatedUnion('type', [
  serialTransport,
  hidTransport,
  tcpTransport,
]);

const deviceKinds = [
  'scanner',
  'scale',
  'line_display',
  'printer',
  'cash_drawer',
  'payment_terminal',
  'card_reader',
] as const satisfies readonly DeviceKind[];

export const DeviceDescriptorSchema = z
  .object({
    id,
    kind: z.enum(deviceKinds),
    transport: TransportConfigSchema,
    model: z.string().min(1).max(64).exactOptional(),
    settings: z
      .record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()]))
      .exactOptional(),
  })
  .strict();

export const DeviceListSchema = z
  .array(DeviceDescriptorSchema)
  .max(64)
  .superRefine((devices, ctx) => {
    const seen = new Set<string>();
    devices.forEach((device, index) => {
      if (seen.has(device.id)) {
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `the id "${device.id}" is used twice` });
      }
      seen.add(device.id);
    });
  });

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

const target = id.exactOptional();

/** As the IPC contract's IdSchema: minted by the renderer, never readable as a path. */
const paymentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : -')
  .refine((value) => !value.includes('..'), 'must not contain ".."');

export const WorkerCommandSchema = z.discriminatedUnion('type', [
  /** Replaces the whole configuration: devices not in it are closed, the others (re)started. */
  z.object({ type: z.literal('configure'), devices: DeviceListSchema }).strict(),
  z.object({ type: z.literal('listDevices') }).strict(),
  /**
   * Queues a receipt (idempotent by job id). Answers once the job is durable; with `wait`, once the
   * job is printed or has failed (it keeps retrying after a failure; events report the rest).
   */
  z
    .object({
      type: z.literal('printReceipt'),
      printerId: target,
      jobId: z
        .string()
        .min(1)
        .max(128)
        .regex(/^[A-Za-z0-9][A-Za-z0-9_./:-]*$/, 'letters, digits and "_./:-"'),
      receipt: ReceiptModelSchema,
      copy: z.boolean(),
      wait: z.boolean().exactOptional(),
    })
    .strict(),
  z.object({ type: z.literal('openDrawer'), drawerId: target }).strict(),
  z
    .object({
      type: z.literal('showLines'),
      displayId: target,
      lines: z.array(z.string().max(80)).min(1).max(2),
    })
    .strict(),
  z
    .object({
      type: z.literal('readWeight'),
      scaleId: target,
      timeoutMs: z.number().int().min(100).max(60_000).exactOptional(),
    })
    .strict(),
  /**
   * Starts a card payment or refund on the terminal (idempotent by payment id: a known id answers its
   * status and charges nothing). Answers once the intent is on disk and the terminal is called
   * (`pending`); `paymentUpdated` events tell the rest. With `wait`, answers once it has settled.
   */
  z
    .object({
      type: z.literal('startPayment'),
      terminalId: target,
      paymentId,
      kind: z.enum(['sale', 'refund']),
      amount: z.number().int().min(1).max(1_000_000_000_000),
      currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR'),
      wait: z.boolean().exactOptional(),
    })
    .strict(),
  /** The cashier no longer wants the payment; answers its status once settled, or after a few seconds. */
  z.object({ type: z.literal('cancelPayment'), terminalId: target, paymentId }).strict(),
  /** The payment as recorded; an unsettled one is also checked with the terminal. */
  z.object({ type: z.literal('paymentStatus'), terminalId: target, paymentId }).strict(),
  z.object({ type: z.literal('shutdown') }).strict(),
]);

type ParsedCommand = z.output<typeof WorkerCommandSchema>;
/** The parsed commands, with the receipt and the devices typed as the devices take them (readonly). */
export type WorkerCommand = ParsedCommand extends infer C
  ? C extends { readonly type: 'printReceipt' }
    ? Omit<C, 'receipt'> & { readonly receipt: ReceiptModel }
    : C extends { readonly type: 'configure' }
      ? Omit<C, 'devices'> & { readonly devices: readonly DeviceDescriptor[] }
      : C
  : never;
export type WorkerCommandType = WorkerCommand['type'];
export type CommandOf<T extends WorkerCommandType> = Extract<WorkerCommand, { type: T }>;

/** What a device looks like to the host. */
export interface DeviceInfo {
  readonly id: string;
  readonly kind: DeviceKind;
  /** The driver that runs it; undefined when none could be created (see `error`). */
  readonly driver?: string;
  readonly state: DeviceState;
  /** `offline` also while the worker keeps trying to claim a device whose port is missing. */
  readonly powerState: PowerState;
  /** Ready for use: enabled, link up, answering. */
  readonly ready: boolean;
  /** One sentence for the settings screen. */
  readonly text: string;
  /** Why the device is not ready (the last claim or start failure, a bad configuration). */
  readonly error?: WorkerError;
  readonly printerStatus?: PrinterStatus;
  readonly drawerOpen?: boolean;
}

export interface PrintJobInfo {
  readonly printerId: string;
  readonly jobId: string;
  readonly state: PrintJobState;
  readonly copy: boolean;
  readonly attempts: number;
  readonly error?: WorkerError;
}

export interface WeightReading {
  /** Thousandths of a kilogram (QUANTITY_SCALE), always a stable reading. */
  readonly weight: number;
  readonly unit: 'kg';
  readonly scaleId: string;
}

export interface CommandValues {
  readonly configure: { readonly devices: readonly DeviceInfo[] };
  readonly listDevices: { readonly devices: readonly DeviceInfo[] };
  readonly printReceipt: PrintJobInfo;
  readonly openDrawer: { readonly drawerId: string };
  readonly showLines: { readonly displayId: string };
  readonly readWeight: WeightReading;
  readonly startPayment: PaymentStatusInfo;
  readonly cancelPayment: PaymentStatusInfo;
  readonly paymentStatus: PaymentStatusInfo;
  readonly shutdown: { readonly stopped: true };
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

export type WorkerEvent =
  /** The worker is listening; sent once, before anything else. */
  | { readonly type: 'ready'; readonly version: number; readonly pid: number }
  | { readonly type: 'deviceStatus'; readonly device: DeviceInfo }
  | {
      readonly type: 'deviceError';
      readonly deviceId: string;
      readonly locus: ErrorLocus;
      readonly error: WorkerError;
    }
  | {
      readonly type: 'scanned';
      readonly deviceId: string;
      readonly text: string;
      readonly source: ScanSource;
      readonly result: ScanResult;
    }
  | { readonly type: 'printJob'; readonly job: PrintJobInfo }
  | { readonly type: 'drawer'; readonly drawerId: string; readonly open: boolean }
  | { readonly type: 'drawerLeftOpen'; readonly drawerId: string; readonly openForMs: number }
  /** After every recorded change of a payment (already durable when sent). */
  | { readonly type: 'paymentUpdated'; readonly terminalId: string; readonly payment: PaymentStatusInfo };

export type WorkerEventType = WorkerEvent['type'];

// ---------------------------------------------------------------------------------------------
// Envelopes
// ---------------------------------------------------------------------------------------------

export interface RequestMessage<C extends WorkerCommand = WorkerCommand> {
  readonly v: number;
  readonly kind: 'request';
  readonly id: string;
  readonly command: C;
}

export interface ResponseMessage<T = unknown> {
  readonly v: number;
  readonly kind: 'response';
  /** The request's id; empty when the request was too broken to have one. */
  readonly id: string;
  readonly result: WorkerResult<T>;
}

export interface EventMessage {
  readonly v: number;
  readonly kind: 'event';
  readonly event: WorkerEvent;
}

export type WorkerMessage = ResponseMessage | EventMessage;

const requestEnvelope = z
  .object({
    v: z.number(),
    kind: z.literal('request'),
    id: z.string().min(1).max(64),
    command: z.unknown(),
  })
  .strict();

export type ParsedRequest =
  | { readonly ok: true; readonly request: RequestMessage }
  | { readonly ok: false; readonly id: string; readonly error: WorkerError };

/** Validates one incoming message on the worker side. Never throws. */
export function parseRequest(raw: unknown): ParsedRequest {
  const envelope = requestEnvelope.safeParse(raw);
  if (!envelope.success) {
    return { ok: false, id: idOf(raw), error: invalid(envelope.error) };
  }
  const { v, id: requestId, command } = envelope.data;
  if (v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      id: requestId,
      error: {
        code: 'unsupported_version',
        message: `The hardware worker speaks protocol version ${PROTOCOL_VERSION}, not ${v}. Restart the till.`,
      },
    };
  }
  const parsed = WorkerCommandSchema.safeParse(command);
  if (!parsed.success) return { ok: false, id: requestId, error: invalid(parsed.error, 'command') };
  return { ok: true, request: { v, kind: 'request', id: requestId, command: parsed.data } };
}

const responseEnvelope = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    kind: z.literal('response'),
    id: z.string().max(64),
    result: z.union([
      z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
      z
        .object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }).strict() })
        .strict(),
    ]),
  })
  .strict();

const eventEnvelope = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    kind: z.literal('event'),
    event: z.looseObject({
      type: z.enum([
        'ready',
        'deviceStatus',
        'deviceError',
        'scanned',
        'printJob',
        'drawer',
        'drawerLeftOpen',
        'paymentUpdated',
      ]),
    }),
  })
  .strict();

/**
 * Host side: checks the envelope of what the worker sent. The payloads themselves are trusted (the
 * worker is our own code, and the same release: the version says so); the envelope check is what
 * keeps a stray or garbled message from being matched to a request.
 */
export function parseWorkerMessage(raw: unknown): WorkerMessage | undefined {
  const response = responseEnvelope.safeParse(raw);
  if (response.success) return raw as ResponseMessage;
  const event = eventEnvelope.safeParse(raw);
  if (event.success) return raw as EventMessage;
  return undefined;
}

export function requestMessage<C extends WorkerCommand>(requestId: string, command: C): RequestMessage<C> {
  return { v: PROTOCOL_VERSION, kind: 'request', id: requestId, command };
}

export function responseMessage<T>(requestId: string, result: WorkerResult<T>): ResponseMessage<T> {
  return { v: PROTOCOL_VERSION, kind: 'response', id: requestId, result };
}

export function eventMessage(event: WorkerEvent): EventMessage {
  return { v: PROTOCOL_VERSION, kind: 'event', event };
}

/** "devices.1.transport.path: Invalid input: expected string, received undefined" — field first. */
export function describeIssues(error: z.ZodError, prefix?: string): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = [...(prefix === undefined ? [] : [prefix]), ...issue.path.map(String)].join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

function invalid(error: z.ZodError, prefix?: string): WorkerError {
  return { code: 'invalid_message', message: `Malformed request: ${describeIssues(error, prefix)}` };
}

function idOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null || !('id' in raw)) return '';
  const value: unknown = raw.id;
  return typeof value === 'string' && value.length <= 64 ? value : '';
}

/** Compile-time check that what the schemas accept is what the devices take. */
type Assignable<T extends U, U> = T;
export type CheckedDescriptor = Assignable<z.output<typeof DeviceDescriptorSchema>, DeviceDescriptor>;
