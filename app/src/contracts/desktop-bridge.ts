/**
 * The one contract between the renderer and the privileged side (Electron main or the web host):
 * commands (request/response) and events (privileged side → renderer only). Both bindings, the
 * preload, the browser shim and the renderer derive everything from this file: channel names,
 * input parsing, the handler table and the `window.pos` shape. Adding a command here without a
 * handler fails `tsc` in main (see main/src/commands/handlers.ts).
 *
 * Every input schema is hostile-input-proof by construction: objects are `.strict()` (an unknown
 * field is refused, not silently dropped, so a renderer bug or an attacker probing for a hidden
 * option is visible), every string has a maximum length, money is an integer of minor units, and
 * identifiers can never be read as a path (`safeRelativeName`), because main may use them to name
 * files or pass them to device drivers.
 *
 * Pure: zod only, no electron, node:* or DOM.
 */
import { z } from 'zod';
import type { DeepReadonly } from '../schema/type-checks.ts';
import { ReceiptModelSchema } from './receipt-model.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Every channel (command or event) starts with this; nothing else is ever registered or sent. */
export const CHANNEL_PREFIX = 'pos:';

/**
 * True when `value` can be used as a single file-name component without escaping its folder:
 * no `..` anywhere (also rejects `a..b`, which is harmless but never needed, so the rule stays
 * trivially auditable), no `/` or `\` separators, no NUL (C APIs truncate at it), not `.` alone,
 * and no Windows drive prefix (`C:`).
 */
export function isSafeRelativeName(value: string): boolean {
  if (value.length === 0 || value === '.') return false;
  if (value.includes('..')) return false;
  if (/[/\\\0]/.test(value)) return false;
  if (/^[A-Za-z]:/.test(value)) return false;
  return true;
}

/** A bounded string refined with {@link isSafeRelativeName}. */
export const safeRelativeName = (maxLength = 128) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .refine(isSafeRelativeName, { message: 'must be a plain name (no "..", "/", "\\" or NUL)' });

/**
 * Ids minted by the renderer (UUIDs, ULIDs, `sale-123`). The character class alone already
 * excludes separators and NUL; the refinement keeps the `..` rule in one audited place.
 */
export const IdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only')
  .refine(isSafeRelativeName, { message: 'must not contain ".."' });

/** A short line of text meant for people (no control characters except none at all). */
const text = (maxLength: number) =>
  z
    .string()
    .max(maxLength)
    // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** Integer minor units (architecture: money is never a float). Bounded well inside 2^53. */
export const MinorSchema = z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000);
const PositiveMinorSchema = MinorSchema.refine((n) => n > 0, { message: 'must be greater than zero' });
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. EUR');
const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Upper bound of a journal event's serialized payload; the journal itself allows more. */
export const MAX_JOURNAL_PAYLOAD_CHARS = 512 * 1024;
export const MAX_JOURNAL_READ_LIMIT = 1000;

const NoInput = z.undefined();

// ---------------------------------------------------------------------------------------------
// Value schemas
// ---------------------------------------------------------------------------------------------

export const HostKindSchema = z.enum(['electron', 'web']);

export const AppInfoSchema = z
  .object({
    appName: text(64),
    appVersion: text(32),
    host: HostKindSchema,
    /** `process.platform` of the host (win32, linux, darwin). */
    platform: text(32),
    startedAt: IsoDateTimeSchema,
  })
  .strict();

/**
 * The till's own settings (store-wide configuration comes from the server through RxDB). Kept to
 * what main needs before the renderer's database is open: which server, which store, windows.
 */
export const SettingsSchema = z
  .object({
    tillName: text(64).min(1),
    storeId: IdSchema.nullable(),
    /** BCP 47 tag, e.g. `en-GB`. */
    locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/, 'a BCP 47 language tag'),
    /**
     * Origin of the sync server. https, because the refresh token travels to it; plain http only to
     * this machine's loopback (a server on the till itself, e.g. the demo), where nothing crosses a
     * network. Also feeds the CSP's connect-src, so it must be a bare origin that cannot smuggle CSP
     * syntax (no spaces, `;`, `'`).
     */
    syncServerOrigin: z
      .string()
      .max(256)
      // An origin only (lower-case host, optional port): no path, query, userinfo or other scheme.
      .regex(
        /^(?:https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|http:\/\/(?:127\.0\.0\.1|localhost))(?::[0-9]{1,5})?$/,
        'an https origin, e.g. https://sync.example.com (http only for 127.0.0.1 or localhost)',
      )
      .nullable(),
    /** The device id the sync server assigned at enrolment; events carry it. Null until enrolled. */
    syncDeviceId: IdSchema.nullable(),
    receiptCopies: z.number().int().min(0).max(3),
    customerDisplayEnabled: z.boolean(),
    /** Sign the cashier out after this much inactivity. */
    idleLockSeconds: z.number().int().min(30).max(3600),
  })
  .strict();

/** `settings.set` changes only the fields given; at least one. */
export const SettingsPatchSchema = SettingsSchema.partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, { message: 'change at least one setting' });

/** The staff schema's base64 rule (padding optional), so every stored hash is accepted. */
const Base64Schema = z
  .string()
  .min(22)
  .max(128)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** scrypt parameters as stored on a staff record (app/src/schema/staff.schema.ts, `pin`). */
export const PinHashSchema = z
  .object({
    algorithm: z.literal('scrypt'),
    hash: Base64Schema,
    salt: Base64Schema,
    // The powers of two the staff schema allows; a renderer cannot make main burn memory.
    cost: z.union([
      z.literal(16_384),
      z.literal(32_768),
      z.literal(65_536),
      z.literal(131_072),
      z.literal(262_144),
      z.literal(524_288),
      z.literal(1_048_576),
    ]),
    blockSize: z.number().int().min(1).max(32),
    parallelization: z.number().int().min(1).max(16),
    keyLength: z.number().int().min(16).max(64),
  })
  .strict();

export const PinSchema = z.string().regex(/^[0-9]{4,8}$/, '4 to 8 digits');

export const RoleSchema = z.enum(['cashier', 'supervisor', 'manager', 'hq']);

export const StaffSessionSchema = z
  .object({
    staffId: IdSchema,
    role: RoleSchema,
    signedInAt: IsoDateTimeSchema,
  })
  .strict();

/** Plain JSON, as the journal stores it. */
const JsonPayloadSchema = z
  .json()
  .refine((value) => JSON.stringify(value).length <= MAX_JOURNAL_PAYLOAD_CHARS, {
    message: `payload larger than ${MAX_JOURNAL_PAYLOAD_CHARS} characters`,
  });

export const JournalEventSchema = z
  .object({
    eventId: IdSchema,
    type: z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a lower-case event type, e.g. sale.completed'),
    payload: JsonPayloadSchema,
  })
  .strict();

export const JournalEntrySchema = z
  .object({
    sequence: z.number().int().min(1),
    eventId: z.string().max(256),
    type: z.string().max(256),
    payload: z.json(),
    deviceId: z.string().max(256),
    recordedAt: IsoDateTimeSchema,
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

export const JournalStatusSchema = z
  .object({
    deviceId: z.string().max(256),
    firstSequence: z.number().int().min(0),
    lastSequence: z.number().int().min(0),
    appendsBlocked: z.boolean(),
    unacknowledgedFindings: z.number().int().min(0),
  })
  .strict();

/**
 * A receipt to print: the device-neutral ReceiptModel the domain builds (receipt.ts); the hardware
 * worker lays it out for the printer it drives. The job id makes the request idempotent: the same
 * id twice is one printed receipt, so a retry after a lost answer never prints a second one.
 */
export const PrintReceiptSchema = z
  .object({
    jobId: IdSchema,
    receipt: ReceiptModelSchema,
    /** A reprint: the printer marks it COPY. */
    copy: z.boolean(),
  })
  .strict();

/** How a print job stands, as the print queue reports it. */
export const PrintJobStatusSchema = z
  .object({
    jobId: IdSchema,
    state: z.enum(['queued', 'printing', 'printed', 'waiting', 'failed']),
    /** Why the job waits or failed, for the cashier ("The printer is out of paper."). */
    detail: text(200),
  })
  .strict();

export const DeviceKindSchema = z.enum([
  'printer',
  'drawer',
  'scanner',
  'scale',
  'payment_terminal',
  'customer_display',
  'card_reader',
]);

export const DeviceStatusSchema = z
  .object({
    deviceId: IdSchema,
    kind: DeviceKindSchema,
    name: text(64),
    state: z.enum(['ready', 'busy', 'offline', 'error']),
    /** For the store manager, e.g. "Paper low". */
    detail: text(200),
  })
  .strict();

export const ScaleReadingSchema = z
  .object({
    /** Thousandths of `unit` (QUANTITY_SCALE in app/src/domain/money.ts). */
    weight: z.number().int().min(0).max(1_000_000_000),
    unit: z.enum(['kg', 'lb']),
    isStable: z.boolean(),
  })
  .strict();

export const PaymentStartSchema = z
  .object({
    paymentId: IdSchema,
    kind: z.enum(['sale', 'refund']),
    amount: PositiveMinorSchema,
    currency: CurrencySchema,
  })
  .strict();

/**
 * What a semi-integrated terminal tells us. No card data: cards never touch the POS, so there is
 * deliberately no field that could carry a PAN.
 */
export const PaymentStatusSchema = z
  .object({
    paymentId: IdSchema,
    /**
     * `unresolved`: the terminal's answer was lost (timeout, dropped connection, crash) and the
     * worker is still asking the terminal how the transaction ended. The sale is not paid until this
     * becomes `approved`; it must not be retried as a new payment meanwhile.
     */
    state: z.enum(['pending', 'approved', 'declined', 'cancelled', 'failed', 'unresolved']),
    amount: MinorSchema,
    currency: CurrencySchema,
    /** Authorization code from the acquirer, printed on the receipt. */
    authCode: text(32).nullable(),
    /** Brand as the terminal names it (e.g. "mc", "visa"), for the receipt. */
    cardBrand: text(32).nullable(),
    /** The last four digits the terminal shows; never more of the card number. */
    cardLast4: z
      .string()
      .regex(/^[0-9]{4}$/)
      .nullable(),
    /** The terminal's transaction reference, for refunds and the receipt. */
    reference: text(128).nullable(),
    /** The terminal's reason for a decline or failure, for the cashier. */
    message: text(200),
  })
  .strict();

const PaymentRefSchema = z.object({ paymentId: IdSchema }).strict();

/** Opaque refresh token from device enrolment (sync-protocol.md). */
export const RefreshTokenSchema = z
  .string()
  .min(16)
  .max(4096)
  .regex(/^[A-Za-z0-9._~+/=-]+$/, 'a token (URL-safe characters only)');

const ok = z.object({ done: z.literal(true) }).strict();

// ---------------------------------------------------------------------------------------------
// The contract
// ---------------------------------------------------------------------------------------------

interface CommandSpec {
  readonly input: z.ZodType;
  readonly output: z.ZodType;
}

/**
 * Commands by `<namespace>.<verb>`. The key is the whole identity of a command: its channel is
 * `pos:` + key, its `window.pos` function is `window.pos[key]`.
 */
export const commands = {
  'app.getInfo': { input: NoInput, output: AppInfoSchema },

  'settings.get': { input: NoInput, output: SettingsSchema },
  'settings.set': { input: SettingsPatchSchema, output: SettingsSchema },

  /**
   * The staff record lives in the renderer's database (pulled from HQ), so the renderer passes
   * the stored hash; main does the scrypt work (not available in a sandboxed page) and owns the
   * failure counter, which a compromised page therefore cannot reset.
   */
  'staff.signIn': {
    input: z.object({ staffId: IdSchema, role: RoleSchema, pin: PinSchema, pinHash: PinHashSchema }).strict(),
    output: StaffSessionSchema,
  },
  'staff.signOut': { input: NoInput, output: ok },
  'staff.getSession': { input: NoInput, output: StaffSessionSchema.nullable() },
  /** A manager's PIN for one risky action; does not change who is signed in. */
  'staff.verifyPin': {
    input: z.object({ staffId: IdSchema, pin: PinSchema, pinHash: PinHashSchema }).strict(),
    output: z.object({ staffId: IdSchema, verifiedAt: IsoDateTimeSchema }).strict(),
  },

  'journal.append': { input: JournalEventSchema, output: JournalEntrySchema },
  'journal.readAfter': {
    input: z
      .object({
        afterSequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
        limit: z.number().int().min(1).max(MAX_JOURNAL_READ_LIMIT),
      })
      .strict(),
    output: z.object({ entries: z.array(JournalEntrySchema).max(MAX_JOURNAL_READ_LIMIT) }).strict(),
  },
  'journal.status': { input: NoInput, output: JournalStatusSchema },

  /** Answers once the job is durable in the print queue, not once it is on paper. */
  'hardware.printReceipt': { input: PrintReceiptSchema, output: PrintJobStatusSchema },
  /** The store's drawer, or a named one where a till has two. */
  'hardware.openDrawer': {
    input: z.object({ drawerId: IdSchema.exactOptional() }).strict(),
    output: ok,
  },
  /** The pole display: two lines of up to 20 characters on common models (longer lines are cut). */
  'hardware.showOnDisplay': {
    input: z.object({ lines: z.array(text(40)).min(1).max(2) }).strict(),
    output: ok,
  },
  'hardware.readScale': { input: NoInput, output: ScaleReadingSchema },
  'hardware.startPayment': { input: PaymentStartSchema, output: PaymentStatusSchema },
  'hardware.cancelPayment': { input: PaymentRefSchema, output: PaymentStatusSchema },
  'hardware.paymentStatus': { input: PaymentRefSchema, output: PaymentStatusSchema },
  'hardware.listDevices': {
    input: NoInput,
    output: z.object({ devices: z.array(DeviceStatusSchema).max(64) }).strict(),
  },

  /**
   * The refresh token is stored encrypted by main (safeStorage) and never in localStorage. The
   * renderer gets it into memory only to call the sync server (architecture-anchors §16.3).
   */
  'sync.getRefreshToken': {
    input: NoInput,
    output: z.object({ refreshToken: RefreshTokenSchema.nullable() }).strict(),
  },
  'sync.setRefreshToken': { input: z.object({ refreshToken: RefreshTokenSchema }).strict(), output: ok },
  'sync.clearRefreshToken': { input: NoInput, output: ok },
} as const satisfies Record<`${string}.${string}`, CommandSpec>;

/** Events, privileged side → renderer only. */
export const events = {
  'settings.changed': SettingsSchema,
  'hardware.deviceStatus': DeviceStatusSchema,
  'hardware.scanned': z
    .object({
      data: z.string().min(1).max(512),
      symbology: text(32),
      deviceId: IdSchema,
    })
    .strict(),
  'hardware.paymentUpdated': PaymentStatusSchema,
  'hardware.printJob': PrintJobStatusSchema,
  'hardware.drawer': z
    .object({ drawerId: IdSchema, open: z.boolean(), leftOpenMs: z.number().int().min(0) })
    .strict(),
} as const satisfies Record<`${string}.${string}`, z.ZodType>;

// ---------------------------------------------------------------------------------------------
// Derived names and types
// ---------------------------------------------------------------------------------------------

export type PosCommand = keyof typeof commands;
export type PosEvent = keyof typeof events;
/** Read-only, so a caller may pass the domain's readonly values (a ReceiptModel) as they are. */
export type CommandInput<C extends PosCommand> = DeepReadonly<z.input<(typeof commands)[C]['input']>>;
/** The input after parsing (what a handler receives). */
export type ParsedInput<C extends PosCommand> = z.output<(typeof commands)[C]['input']>;
export type CommandOutput<C extends PosCommand> = z.output<(typeof commands)[C]['output']>;
export type EventPayload<E extends PosEvent> = z.output<(typeof events)[E]>;

export type AppInfo = z.output<typeof AppInfoSchema>;
export type Settings = z.output<typeof SettingsSchema>;
export type SettingsPatch = z.output<typeof SettingsPatchSchema>;
export type PinHash = z.output<typeof PinHashSchema>;
export type StaffSession = z.output<typeof StaffSessionSchema>;
export type DeviceStatus = z.output<typeof DeviceStatusSchema>;
export type PaymentStatus = z.output<typeof PaymentStatusSchema>;
export type PrintReceiptJob = z.output<typeof PrintReceiptSchema>;
export type PrintJobStatus = z.output<typeof PrintJobStatusSchema>;
export type ScaleReading = z.output<typeof ScaleReadingSchema>;
export type JournalStatus = z.output<typeof JournalStatusSchema>;

// Object.keys loses the literal types; the contract objects are `as const`, so the cast is exact.
export const COMMAND_NAMES = Object.freeze(Object.keys(commands) as PosCommand[]);
export const EVENT_NAMES = Object.freeze(Object.keys(events) as PosEvent[]);

export function commandChannel(command: PosCommand): `pos:${PosCommand}` {
  return `${CHANNEL_PREFIX}${command}`;
}

/** Events use `pos:event.<name>` so an event channel can never collide with a command channel. */
export function eventChannel(event: PosEvent): `pos:event.${PosEvent}` {
  return `${CHANNEL_PREFIX}event.${event}`;
}

export function isPosCommand(name: unknown): name is PosCommand {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}

export function isPosEvent(name: unknown): name is PosEvent {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

// ---------------------------------------------------------------------------------------------
// Result shape
// ---------------------------------------------------------------------------------------------

export const GENERIC_ERROR_CODES = [
  'invalid_input',
  'forbidden',
  'not_found',
  'unavailable',
  'internal',
] as const;
export const DOMAIN_ERROR_CODES = [
  /** PIN did not match the staff record. */
  'pin_mismatch',
  /** Too many failed PINs; try later. */
  'locked_out',
  /** The journal found tampering nobody acknowledged; appends refused, reads work. */
  'journal_tampered',
  /** An event id already journaled with other content. */
  'journal_conflict',
  /** The device is doing something else (a payment in progress). */
  'device_busy',
] as const;
export const ERROR_CODES = [...GENERIC_ERROR_CODES, ...DOMAIN_ERROR_CODES] as const;
export type PosErrorCode = (typeof ERROR_CODES)[number];

export interface PosError {
  readonly code: PosErrorCode;
  readonly message: string;
}
export type PosResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: PosError };
export type CommandResult<C extends PosCommand> = PosResult<CommandOutput<C>>;

/** Wire check of a Result (the browser shim parses what arrives over the WebSocket). */
export const PosErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string().max(1000) }).strict();

// ---------------------------------------------------------------------------------------------
// window.pos
// ---------------------------------------------------------------------------------------------

export type Unsubscribe = () => void;

/**
 * What the preload (Electron) and the browser shim (web host) both expose as `window.pos`:
 * exactly one function per command, keyed by the command name, plus `on`. Nothing else.
 */
export type DesktopBridge = {
  readonly [C in PosCommand]: (
    ...input: undefined extends CommandInput<C> ? [input?: CommandInput<C>] : [input: CommandInput<C>]
  ) => Promise<CommandResult<C>>;
} & {
  readonly on: <E extends PosEvent>(event: E, callback: (payload: EventPayload<E>) => void) => Unsubscribe;
};

/** The exact key set of `window.pos`, for the tests that check nothing else leaks. */
export const BRIDGE_KEYS: readonly string[] = Object.freeze([...COMMAND_NAMES, 'on'].sort());
