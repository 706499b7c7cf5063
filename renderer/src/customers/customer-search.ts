/**
 * Customer lookup as the cashier types: by name, phone, email or loyalty card. Every lookup is a prefix
 * range over one indexed key of search-keys.ts (`nameKey`, `phoneKey`, `emailKey`, `cardKey`), sorted by
 * that key and limited, so Dexie reads at most `limit` rows per key from the index whatever the size of
 * the collection (a million profiles cost the same as a thousand). Nothing ever scans the collection.
 */
import { cardKey, emailKey, phoneKey, prefixRange, searchKey, type CustomerDoc } from '@pos/app';
import type { MangoQuery } from 'rxdb';
import type { TillDatabase } from '../db/index.ts';

export const CUSTOMER_RESULT_LIMIT = 20;

export type LookupField = 'nameKey' | 'phoneKey' | 'emailKey' | 'cardKey';

export interface LookupPlan {
  readonly field: LookupField;
  readonly prefix: string;
}

const PHONE_LIKE = /^\+?[\d\s\-().]+$/u;
const MIN_PHONE_DIGITS = 3;

/** Which keys to search for what was typed, most likely first. */
export function lookupPlans(text: string): LookupPlan[] {
  const typed = text.trim();
  if (typed === '') return [];
  if (typed.includes('@')) return [{ field: 'emailKey', prefix: emailKey(typed) }];
  if (PHONE_LIKE.test(typed)) {
    const phone = phoneKey(typed);
    if (phone.replace('+', '').length < MIN_PHONE_DIGITS) return [];
    // Loyalty cards are often all digits too.
    const card = cardKey(typed.replace(/^\+/u, ''));
    return [
      { field: 'phoneKey', prefix: phone },
      { field: 'cardKey', prefix: card },
    ];
  }
  const plans: LookupPlan[] = [];
  const name = searchKey(typed);
  if (name !== '') {
    plans.push({ field: 'nameKey', prefix: name });
    // Names are keyed surname first ("chen alice"); people also type "Alice Chen".
    const words = name.split(' ');
    if (words.length > 1 && /\s/u.test(typed)) {
      const surnameFirst = [words[words.length - 1], ...words.slice(0, -1)].join(' ');
      plans.push({ field: 'nameKey', prefix: surnameFirst });
    }
  }
  if (!/\s/u.test(typed)) {
    // One word may also be the start of an email address ("alice" of alice@example.com) or a card.
    plans.push({ field: 'emailKey', prefix: emailKey(typed) });
    if (/\d/u.test(typed)) plans.push({ field: 'cardKey', prefix: cardKey(typed) });
  }
  return plans.filter((plan) => plan.prefix !== '');
}

export function lookupQuery(plan: LookupPlan, limit = CUSTOMER_RESULT_LIMIT): MangoQuery<CustomerDoc> {
  return {
    selector: { [plan.field]: prefixRange(plan.prefix) },
    sort: [{ [plan.field]: 'asc' }],
    limit,
  };
}

/** The first `limit` customers matching what was typed, in plan order, without duplicates or merged profiles. */
export async function searchCustomers(
  db: TillDatabase,
  text: string,
  limit = CUSTOMER_RESULT_LIMIT,
): Promise<CustomerDoc[]> {
  const plans = lookupPlans(text);
  if (plans.length === 0) return [];
  const batches = await Promise.all(plans.map((plan) => db.customers.find(lookupQuery(plan, limit)).exec()));
  const seen = new Set<string>();
  const found: CustomerDoc[] = [];
  for (const batch of batches) {
    for (const doc of batch) {
      // A profile HQ merged into another is found through the one it was merged into.
      if (seen.has(doc.id) || doc.mergedInto !== undefined) continue;
      seen.add(doc.id);
      found.push(doc.toMutableJSON());
      if (found.length === limit) return found;
    }
  }
  return found;
}

/** An existing profile with the same phone, email or card, so quick create does not make a duplicate. */
export async function findDuplicate(
  db: TillDatabase,
  keys: Pick<CustomerDoc, 'phoneKey' | 'emailKey' | 'cardKey'>,
): Promise<{ readonly customer: CustomerDoc; readonly field: 'phone' | 'email' | 'card' } | null> {
  const checks = [
    { field: 'phone', key: 'phoneKey', value: keys.phoneKey },
    { field: 'email', key: 'emailKey', value: keys.emailKey },
    { field: 'card', key: 'cardKey', value: keys.cardKey },
  ] as const;
  for (const check of checks) {
    if (check.value === '') continue;
    const doc = await db.customers.findOne({ selector: { [check.key]: check.value } }).exec();
    if (doc !== null && doc.mergedInto === undefined)
      return { customer: doc.toMutableJSON(), field: check.field };
  }
  return null;
}
