/**
 * Quick create at the till, offline too. Two writes, as the schemas split them:
 *  - the profile goes into `customers` (the one two-way collection: it replicates up when the till is
 *    online, and a conflicting edit from HQ is merged field by field by customer-merge.ts);
 *  - the fact of the sign-up (`customer.signup` v1: who signed them up, where, with which consents)
 *    is an outbox event, so it takes the sale path: journal first (fsync'd, gap-free sequence), then
 *    the outbox (architecture.md, "the sale path").
 * The event is written before the profile: if the journal refuses, nothing half-exists. If the
 * outbox write fails after the journal append, the event is still durable and comes back from the
 * journal on the next start (checkout/outbox.ts, `restoreOutbox`).
 */
import {
  CURRENT_EVENT_VERSIONS,
  customerLookupKeys,
  type CustomerDoc,
  type CustomerSignupV1,
} from '@pos/app';
import type { CommandInput } from '@pos/app/contracts/desktop-bridge';
import type { TillServices } from '../app/till-context.tsx';
import { insertMissing, journalPayload, numbered, type PendingEvent } from '../checkout/outbox.ts';
import { languageFor } from '../i18n/i18n.ts';
import { findDuplicate } from './customer-search.ts';

export interface NewCustomerInput {
  readonly firstName: string;
  readonly lastName: string;
  readonly phone: string;
  readonly email: string;
  readonly cardNumber: string;
  readonly emailConsent: boolean;
  readonly smsConsent: boolean;
  readonly postConsent: boolean;
}

export const EMPTY_NEW_CUSTOMER: NewCustomerInput = {
  firstName: '',
  lastName: '',
  phone: '',
  email: '',
  cardNumber: '',
  emailConsent: false,
  smsConsent: false,
  postConsent: false,
};

export type NewCustomerField = 'name' | 'phone' | 'email' | 'cardNumber';
export type NewCustomerProblem =
  | 'name_required'
  | 'phone_invalid'
  | 'email_invalid'
  | 'card_invalid'
  /** A consent to a channel the customer gave no address for. */
  | 'consent_without_email'
  | 'consent_without_phone';

export type NewCustomerProblems = Partial<Record<NewCustomerField, NewCustomerProblem>>;

// What ajv's "email" format accepts, roughly: the server validates the profile with it.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export function validateNewCustomer(input: NewCustomerInput): NewCustomerProblems {
  const problems: NewCustomerProblems = {};
  if (input.firstName.trim() === '' && input.lastName.trim() === '') problems.name = 'name_required';
  const phone = input.phone.trim();
  if (phone !== '') {
    const digits = phone.replace(/\D/gu, '').length;
    if (!/^\+?[\d\s\-().]+$/u.test(phone) || digits < 6 || digits > 15) problems.phone = 'phone_invalid';
  } else if (input.smsConsent) {
    problems.phone = 'consent_without_phone';
  }
  const email = input.email.trim();
  if (email !== '') {
    if (!EMAIL.test(email) || email.length > 254) problems.email = 'email_invalid';
  } else if (input.emailConsent) {
    problems.email = 'consent_without_email';
  }
  const card = input.cardNumber.trim();
  if (card !== '' && !/^[A-Za-z0-9][A-Za-z0-9\s-]{0,63}$/u.test(card)) problems.cardNumber = 'card_invalid';
  return problems;
}

/** "Alice Chen" in English; "陈小明" (surname first, no space) in Chinese. */
export function displayNameFor(firstName: string, lastName: string, locale: string): string {
  const first = firstName.trim();
  const last = lastName.trim();
  if (languageFor(locale) === 'zh-CN') return `${last}${first}`;
  return [first, last].filter((part) => part !== '').join(' ');
}

export function buildNewCustomer(
  input: NewCustomerInput,
  context: {
    readonly id: string;
    readonly at: string;
    readonly storeId: string | null;
    readonly locale: string;
  },
): CustomerDoc {
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  const phone = input.phone.trim();
  const email = input.email.trim();
  const cardNumber = input.cardNumber.trim();
  const displayName = displayNameFor(firstName, lastName, context.locale);
  const source = {
    displayName,
    ...(firstName === '' ? {} : { firstName }),
    ...(lastName === '' ? {} : { lastName }),
    ...(phone === '' ? {} : { phone }),
    ...(email === '' ? {} : { email }),
    ...(cardNumber === '' ? {} : { cardNumber }),
  };
  // The form asked for each consent, so each is recorded, given or refused, with when.
  const consent = (granted: boolean) => ({ granted, at: context.at });
  return {
    id: context.id,
    ...source,
    ...customerLookupKeys(source),
    customerGroupIds: [],
    emailConsent: consent(input.emailConsent),
    smsConsent: consent(input.smsConsent),
    postConsent: consent(input.postConsent),
    loyaltyPoints: 0,
    ...(context.storeId === null ? {} : { homeStoreId: context.storeId }),
    createdAt: context.at,
    updatedAt: context.at,
  };
}

export function buildSignup(customer: CustomerDoc, storeId: string, staffId: string): CustomerSignupV1 {
  return {
    customerId: customer.id,
    storeId,
    signedUpBy: staffId,
    emailConsent: customer.emailConsent?.granted ?? false,
    smsConsent: customer.smsConsent?.granted ?? false,
    postConsent: customer.postConsent?.granted ?? false,
    ...(customer.cardNumber === undefined ? {} : { cardNumber: customer.cardNumber }),
  };
}

/** The sign-up fact on its way to the journal and the outbox (the device id is the recorder's business). */
export interface SignupEvent {
  readonly eventId: string;
  readonly type: 'customer.signup';
  readonly schemaVersion: (typeof CURRENT_EVENT_VERSIONS)['customer.signup'];
  readonly occurredAt: string;
  readonly storeId: string;
  readonly payload: CustomerSignupV1;
}

/**
 * Makes a sign-up durable and queues it for upload. The app shell may hand in its own, so every event
 * takes exactly one path; `journalThenOutbox` is that path, in the journal format of
 * checkout/outbox.ts (the entry carries the whole envelope, so the outbox can be refilled from the
 * journal after a start).
 */
export type EventRecorder = (event: SignupEvent) => Promise<void>;

type JournalAppendInput = CommandInput<'journal.append'>;

/** The device id events carry: the sync server's id for this till, else the journal's (as boot.ts does). */
async function eventDeviceId(services: Pick<TillServices, 'desktop' | 'settings'>): Promise<string> {
  if (services.settings.syncDeviceId !== null) return services.settings.syncDeviceId;
  const status = await services.desktop.call('journal.status', undefined);
  return status.deviceId.replace(/[^A-Za-z0-9._:-]/gu, '-').slice(0, 64) || 'till';
}

export function journalThenOutbox(
  services: Pick<TillServices, 'desktop' | 'db' | 'settings'>,
): EventRecorder {
  return async (event) => {
    const pending: PendingEvent = { ...event, deviceId: await eventDeviceId(services) };
    const entry = await services.desktop.call('journal.append', {
      eventId: pending.eventId,
      type: pending.type,
      // An interface has no index signature, so it is not the contract's JSON type; it is plain JSON.
      payload: journalPayload(pending) as unknown as JournalAppendInput['payload'],
    });
    try {
      await insertMissing(services.db, [numbered(pending, entry.sequence)]);
    } catch {
      // Durable in the journal already: the outbox is refilled from it on the next start.
    }
  };
}

export type CreateCustomerResult =
  | { readonly kind: 'created'; readonly customer: CustomerDoc; readonly signupRecorded: boolean }
  | { readonly kind: 'invalid'; readonly problems: NewCustomerProblems }
  | {
      readonly kind: 'duplicate';
      readonly existing: CustomerDoc;
      readonly field: 'phone' | 'email' | 'card';
    };

/**
 * Validates, refuses a duplicate (same phone, email or card), records the sign-up, writes the profile.
 * Throws when the journal or the database refuses (the caller shows it; nothing was created).
 * Without a store (a till not yet enrolled) no sign-up event can be addressed: the profile is still
 * created and `signupRecorded` is false.
 */
export async function createCustomer(
  services: Pick<TillServices, 'db' | 'desktop' | 'settings' | 'now' | 'newId' | 'locale' | 'session'>,
  input: NewCustomerInput,
  record: EventRecorder = journalThenOutbox(services),
): Promise<CreateCustomerResult> {
  const problems = validateNewCustomer(input);
  if (Object.keys(problems).length > 0) return { kind: 'invalid', problems };
  const at = services.now().toISOString();
  const { storeId } = services.settings;
  const customer = buildNewCustomer(input, { id: services.newId(), at, storeId, locale: services.locale });
  const duplicate = await findDuplicate(services.db, customer);
  if (duplicate !== null) return { kind: 'duplicate', existing: duplicate.customer, field: duplicate.field };
  const staffId = services.session.getState().session?.staffId;
  let signupRecorded = false;
  if (storeId !== null && staffId !== undefined) {
    await record({
      eventId: services.newId(),
      type: 'customer.signup',
      schemaVersion: CURRENT_EVENT_VERSIONS['customer.signup'],
      occurredAt: at,
      storeId,
      payload: buildSignup(customer, storeId, staffId),
    });
    signupRecorded = true;
  }
  await services.db.customers.insert(customer);
  return { kind: 'created', customer, signupRecorded };
}
