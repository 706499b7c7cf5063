/**
 * The tax engine: the taxes of a cart's lines, their per-rate summary and the amount due.
 *
 * Inputs are the lines' amounts after every discount (line discounts and their share of order
 * discounts, allocated by the caller), in the store's price mode. Because each line's tax is
 * computed on its own discounted amount, an order discount spread over lines of different tax
 * classes reduces each class's base in the proportion it was spread — nothing more is needed here.
 *
 * Rates (millionths) belong to a tax class and a jurisdiction; every rate of the line's class in
 * the store's jurisdiction that is valid at the sale's instant applies, each to the same base
 * (US state + county + city; no tax-on-tax compounding). Validity windows are half-open,
 * [validFrom, validTo), so a rate change at midnight has exactly one rate in force.
 *
 * Exclusive prices (US sales tax): base = amount; each rate's tax = base × rate; the customer
 * pays amount + Σ tax.
 * Inclusive prices (VAT, GST): the amount holds all rates of the class, R = Σ rates. The included
 * tax amount × R ÷ (1 + R) is rounded once and split over the rates by largest remainder in
 * proportion to their rates, so base + Σ taxes = amount exactly; the customer pays the amount.
 *
 * Rounding (`roundingMode` names the direction):
 * - per-line: each line's tax is rounded on its own (per rate when exclusive; the included total
 *   when inclusive, then split as above);
 * - per-invoice: each tax id's tax is the exact sum over the lines it applies to, rounded once;
 *   that figure is allocated back to the lines by largest remainder, weighted by each line's
 *   exact share, so line taxes still sum to it. Inclusive lines keep total = amount; the line's
 *   base is what is left. When a cart holds both positive and negative lines (an exchange), the
 *   two signs are allocated separately so a sale line never receives a refund's tax: the side
 *   with the smaller exact tax is rounded on its own and the larger side takes the rest.
 * Both ways, Σ summary amounts = Σ line taxes = tax and Σ line totals = total, which is what the
 * receipt prints. Under the modes symmetric about zero (half-up, half-down, half-even, up, down)
 * the tax of negated amounts is exactly the negated tax, so refunds mirror sales.
 *
 * Exemptions: an exempt line carries no tax. With exclusive prices the customer pays the amount;
 * with inclusive prices the tax that the price included is taken off (`exempted`), so an exempt
 * customer (diplomat, export sale) pays the net. An exemption from some tax ids only removes those
 * rates (the rest still apply to the same base).
 */
import { DomainError } from './errors.ts';
import { allocate, applyRate, divideRounded, mulDiv, RATE_SCALE } from './money.ts';
import type { Minor, RoundingMode } from './money.ts';
import type { LineTax, TaxSummaryRecord } from './records.ts';

export interface TaxRate {
  readonly id: string;
  /** Printed on the receipt, e.g. "CA state", "MwSt 19 %". */
  readonly name: string;
  readonly taxClassId: string;
  readonly jurisdictionId: string;
  /** Millionths: 62_500 = 6.25 %. 0 marks the class as explicitly zero-rated. */
  readonly rate: number;
  /** Epoch milliseconds, inclusive; null = since always. */
  readonly validFrom: number | null;
  /** Epoch milliseconds, exclusive; null = until further notice. */
  readonly validTo: number | null;
}

export interface TaxConfig {
  /** The store's tax region; only rates of this jurisdiction apply. */
  readonly jurisdictionId: string;
  readonly pricesIncludeTax: boolean;
  readonly rounding: 'per-line' | 'per-invoice';
  readonly roundingMode: RoundingMode;
  /** Order matters: the tax summary lists tax ids in the order they first appear here. */
  readonly rates: readonly TaxRate[];
}

/**
 * A customer's exemption. With no list given the whole sale is exempt (a resale certificate);
 * otherwise exactly the listed classes, categories and tax ids are (an empty list exempts nothing).
 */
export interface TaxExemption {
  /** Why, for the audit trail and the receipt ("Resale certificate 12-345", "Diplomatic card"). */
  readonly reason: string;
  /** The certificate or tax id the exemption rests on; carried for the record, not computed with. */
  readonly customerTaxId?: string;
  readonly exemptTaxClassIds?: readonly string[];
  /** Matched against the line's own category id; list sub-categories explicitly. */
  readonly exemptCategoryIds?: readonly string[];
  /** Exempt from these taxes only (e.g. the state rate but not the city rate). */
  readonly exemptTaxIds?: readonly string[];
}

export interface TaxLineInput {
  readonly lineId: string;
  readonly taxClassId: string;
  readonly categoryId: string;
  /** The line's net after all discounts, in the price mode (tax-inclusive or exclusive). */
  readonly amount: Minor;
}

export interface TaxLineResult {
  /** One entry per rate that applies to the line, in configuration order; empty when exempt. */
  readonly taxes: readonly LineTax[];
  readonly tax: Minor;
  /** The line's taxable base, net of tax: total − tax. */
  readonly base: Minor;
  /** Inclusive prices only: the included tax an exemption took off the amount; otherwise 0. */
  readonly exempted: Minor;
  /** True when the exemption removed at least one tax from this line. */
  readonly exempt: boolean;
  /** What the customer pays: amount − exempted (inclusive) or amount + tax (exclusive). */
  readonly total: Minor;
}

export interface TaxComputation {
  /** By lineId, in input order. */
  readonly lines: ReadonlyMap<string, TaxLineResult>;
  /** Grouped by tax id, in configuration order; zero-rated taxes are listed with amount 0. */
  readonly taxes: readonly TaxSummaryRecord[];
  readonly tax: Minor;
  /** Σ line bases. */
  readonly net: Minor;
  /** Σ line exempted. */
  readonly exempted: Minor;
  /** Σ line totals = net + tax. */
  readonly total: Minor;
}

/** A configuration prepared for repeated computations (re-pricing on every scan). */
export interface TaxIndex {
  readonly config: TaxConfig;
  /** The jurisdiction's rates by tax class, in configuration order, any validity. */
  readonly byClass: ReadonlyMap<string, readonly TaxRate[]>;
  /** Position of each tax id's first appearance in the configuration. */
  readonly order: ReadonlyMap<string, number>;
}

export function buildTaxIndex(config: TaxConfig): TaxIndex {
  const byClass = new Map<string, TaxRate[]>();
  const order = new Map<string, number>();
  for (const rate of config.rates) {
    if (rate.jurisdictionId !== config.jurisdictionId) continue;
    const list = byClass.get(rate.taxClassId);
    if (list === undefined) byClass.set(rate.taxClassId, [rate]);
    else list.push(rate);
    if (!order.has(rate.id)) order.set(rate.id, order.size);
  }
  return { config, byClass, order };
}

/**
 * The taxes of `lines` at instant `at` (epoch ms). Throws `invalid_tax_rule` when a line's class
 * has no rate in force in the store's jurisdiction (a 0 rate is a rate) — also for an exempt
 * line, since an inclusive price's included tax must be known to take it off — or when the rates
 * in force contradict each other; `invalid_tax_exemption` for an exemption without a reason.
 */
export function computeTax(
  lines: readonly TaxLineInput[],
  config: TaxConfig | TaxIndex,
  at: number,
  exemption?: TaxExemption,
): TaxComputation {
  const index = 'byClass' in config ? config : buildTaxIndex(config);
  const { pricesIncludeTax, rounding, roundingMode } = index.config;
  const exempts = exemptionMatcher(exemption);
  const resolver = new RateResolver(index, at);
  const perInvoice = rounding === 'per-invoice';
  const seen = new Set<string>();
  const work: LineWork[] = [];
  const groups = new Map<string, Share[]>();

  for (const input of lines) {
    if (seen.has(input.lineId)) throw new RangeError(`duplicate tax line id ${input.lineId}`);
    seen.add(input.lineId);
    if (!Number.isSafeInteger(input.amount)) {
      throw new RangeError(`tax line ${input.lineId} amount must be a safe integer, got ${input.amount}`);
    }
    const rates = resolver.classRates(input.taxClassId);
    const wholeLine = exempts.line(input);
    const applied: TaxRate[] = [];
    for (const rate of rates.list) if (!wholeLine && !exempts.tax(rate.id)) applied.push(rate);
    const exempt = applied.length < rates.list.length;
    // −0 (a negated 0) would otherwise surface as −0 totals.
    const amount = input.amount === 0 ? 0 : input.amount;
    const line: LineWork = { input, amount, applied, amounts: [], exempt, exempted: 0 };
    work.push(line);

    if (pricesIncludeTax && (exempt || !perInvoice)) {
      const parts = splitIncludedTax(amount, rates, roundingMode);
      let k = 0;
      rates.list.forEach((rate, j) => {
        const part = parts[j] ?? 0;
        if (applied[k] === rate) {
          k += 1;
          if (!perInvoice) line.amounts.push(part);
        } else {
          line.exempted += part;
        }
      });
    }
    if (perInvoice) {
      const denominator = pricesIncludeTax ? RATE_SCALE + rates.sum : RATE_SCALE;
      applied.forEach((rate, slot) => {
        line.amounts.push(0);
        const share: Share = { line, slot, amount, denominator };
        const group = groups.get(rate.id);
        if (group === undefined) groups.set(rate.id, [share]);
        else group.push(share);
      });
    } else if (!pricesIncludeTax) {
      for (const rate of applied) line.amounts.push(applyRate(amount, rate.rate, roundingMode));
    }
  }

  for (const [taxId, shares] of groups) {
    allocateInvoiceTax(shares, resolver.rate(taxId).rate, roundingMode);
  }

  return assemble(work, index, resolver, pricesIncludeTax);
}

interface ClassRates {
  readonly list: readonly TaxRate[];
  /** Σ rates, millionths. */
  readonly sum: number;
  readonly weights: readonly number[];
}

interface LineWork {
  readonly input: TaxLineInput;
  readonly amount: Minor;
  /** The rates charged (the class's rates in force, less exempt ones). */
  readonly applied: readonly TaxRate[];
  /** Tax per applied rate, same order. */
  readonly amounts: number[];
  readonly exempt: boolean;
  exempted: number;
}

/** A line's part in one tax id's per-invoice computation. */
interface Share {
  readonly line: LineWork;
  readonly slot: number;
  readonly amount: number;
  /** Exact tax = amount × rate ÷ denominator: RATE_SCALE (exclusive) or RATE_SCALE + R (inclusive). */
  readonly denominator: number;
}

function isActive(rate: TaxRate, at: number): boolean {
  return (rate.validFrom === null || rate.validFrom <= at) && (rate.validTo === null || at < rate.validTo);
}

/** Resolves classes to their rates in force, once per class per computation. */
class RateResolver {
  private readonly classes = new Map<string, ClassRates>();
  private readonly byId = new Map<string, TaxRate>();

  constructor(
    private readonly index: TaxIndex,
    private readonly at: number,
  ) {}

  classRates(taxClassId: string): ClassRates {
    const cached = this.classes.get(taxClassId);
    if (cached !== undefined) return cached;
    const list = (this.index.byClass.get(taxClassId) ?? []).filter((rate) => isActive(rate, this.at));
    if (list.length === 0) {
      throw new DomainError(
        'invalid_tax_rule',
        `No tax rate is set up for tax class ${taxClassId} in this store's region.`,
        { taxClassId, jurisdictionId: this.index.config.jurisdictionId },
      );
    }
    const ids = new Set<string>();
    let sum = 0;
    for (const rate of list) {
      if (!Number.isSafeInteger(rate.rate) || rate.rate < 0) {
        throw new DomainError(
          'invalid_tax_rule',
          `Tax ${rate.name} has an invalid rate; check the tax setup.`,
          {
            taxId: rate.id,
            rate: rate.rate,
          },
        );
      }
      if (ids.has(rate.id)) {
        throw conflict(rate, taxClassId, `Tax ${rate.name} is in force twice for tax class ${taxClassId}`);
      }
      ids.add(rate.id);
      // A tax id is one line of the receipt's summary, so it must mean the same rate in every class.
      const known = this.byId.get(rate.id);
      if (known === undefined) this.byId.set(rate.id, rate);
      else if (known.rate !== rate.rate || known.name !== rate.name) {
        throw conflict(
          rate,
          taxClassId,
          `Tax ${rate.name} has different rates or names in different tax classes`,
        );
      }
      sum += rate.rate;
    }
    const resolved: ClassRates = { list, sum, weights: list.map((rate) => rate.rate) };
    this.classes.set(taxClassId, resolved);
    return resolved;
  }

  /** A tax id already met through `classRates`. */
  rate(taxId: string): TaxRate {
    const rate = this.byId.get(taxId);
    if (rate === undefined) throw new RangeError(`tax ${taxId} was not resolved`);
    return rate;
  }
}

function conflict(rate: TaxRate, taxClassId: string, what: string): DomainError {
  return new DomainError('invalid_tax_rule', `${what}; check the tax setup.`, { taxId: rate.id, taxClassId });
}

function exemptionMatcher(exemption: TaxExemption | undefined): {
  readonly line: (input: TaxLineInput) => boolean;
  readonly tax: (taxId: string) => boolean;
} {
  if (exemption === undefined) return { line: () => false, tax: () => false };
  if (exemption.reason.trim() === '') {
    throw new DomainError(
      'invalid_tax_exemption',
      'A tax exemption needs a reason, e.g. the resale certificate or diplomatic card it rests on.',
    );
  }
  const { exemptTaxClassIds, exemptCategoryIds, exemptTaxIds } = exemption;
  if (exemptTaxClassIds === undefined && exemptCategoryIds === undefined && exemptTaxIds === undefined) {
    return { line: () => true, tax: () => true };
  }
  const classes = new Set(exemptTaxClassIds);
  const categories = new Set(exemptCategoryIds);
  const taxes = new Set(exemptTaxIds);
  return {
    line: (input) => classes.has(input.taxClassId) || categories.has(input.categoryId),
    tax: (taxId) => taxes.has(taxId),
  };
}

/** The tax an inclusive amount holds, rounded once, split over the class's rates. */
function splitIncludedTax(amount: Minor, rates: ClassRates, mode: RoundingMode): Minor[] {
  const included = mulDiv(amount, rates.sum, RATE_SCALE + rates.sum, mode);
  return rates.list.length === 1 ? [included] : allocate(included, rates.weights);
}

/** Σ amount × rate ÷ denominator over `shares`, as an exact fraction (den > 0). */
function exactTax(shares: readonly Share[], rate: number): { readonly num: bigint; readonly den: bigint } {
  // Lines of one class share a denominator, so there are only as many terms as classes.
  const sums = new Map<number, bigint>();
  for (const share of shares) {
    sums.set(share.denominator, (sums.get(share.denominator) ?? 0n) + BigInt(share.amount));
  }
  let den = 1n;
  for (const d of sums.keys()) den = lcm(den, BigInt(d));
  let num = 0n;
  for (const [d, sum] of sums) num += sum * (den / BigInt(d));
  return { num: num * BigInt(rate), den };
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return (a / x) * b;
}

/** One tax id's invoice tax, rounded once, written back into the lines' slots. */
function allocateInvoiceTax(shares: readonly Share[], rate: number, mode: RoundingMode): void {
  const positive = shares.filter((share) => share.amount > 0);
  const negative = shares.filter((share) => share.amount < 0);
  const all = exactTax(shares, rate);
  const total = divideRounded(all.num, all.den, mode);
  if (negative.length === 0 || positive.length === 0) {
    distribute(positive.length > 0 ? positive : negative, total);
    return;
  }
  const p = exactTax(positive, rate);
  const n = exactTax(negative, rate);
  // Rounding is monotone, so the larger side's remainder keeps that side's sign.
  if (p.num * n.den >= -n.num * p.den) {
    const negativeTax = divideRounded(n.num, n.den, mode);
    distribute(positive, total - negativeTax);
    distribute(negative, negativeTax);
  } else {
    const positiveTax = divideRounded(p.num, p.den, mode);
    distribute(positive, positiveTax);
    distribute(negative, total - positiveTax);
  }
}

/** Splits `total` over same-signed shares in proportion to their exact tax (largest remainder). */
function distribute(shares: readonly Share[], total: bigint): void {
  if (shares.length === 0) return;
  let den = 1n;
  for (const share of shares) den = lcm(den, BigInt(share.denominator));
  const raw = shares.map((share) => BigInt(Math.abs(share.amount)) * (den / BigInt(share.denominator)));
  let max = 0n;
  for (const w of raw) if (w > max) max = w;
  // Exact weights can outgrow safe integers when classes with different rates mix; dropping low
  // bits keeps the proportions to ~15 significant digits, far below a minor unit.
  let shift = 0n;
  while (max >> shift > BigInt(Number.MAX_SAFE_INTEGER)) shift += 1n;
  const parts = allocate(
    Number(total),
    raw.map((w) => Number(w >> shift)),
  );
  shares.forEach((share, i) => {
    share.line.amounts[share.slot] = parts[i] ?? 0;
  });
}

function safe(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new DomainError('amount_out_of_range', `${what} is too large to compute.`, {
      value: String(value),
    });
  }
  return value;
}

function assemble(
  work: readonly LineWork[],
  index: TaxIndex,
  resolver: RateResolver,
  pricesIncludeTax: boolean,
): TaxComputation {
  const lines = new Map<string, TaxLineResult>();
  const summary = new Map<string, { base: number; amount: number }>();
  let tax = 0;
  let net = 0;
  let exempted = 0;
  let total = 0;
  for (const line of work) {
    let lineTax = 0;
    for (const amount of line.amounts) lineTax += amount;
    const amount = line.amount;
    const lineTotal = safe(pricesIncludeTax ? amount - line.exempted : amount + lineTax, 'A line total');
    const base = lineTotal - lineTax;
    const taxes = line.applied.map((rate, slot): LineTax => {
      const taxAmount = line.amounts[slot] ?? 0;
      const entry = summary.get(rate.id);
      if (entry === undefined) summary.set(rate.id, { base, amount: taxAmount });
      else {
        entry.base += base;
        entry.amount += taxAmount;
      }
      return { taxId: rate.id, name: rate.name, rate: rate.rate, base, amount: taxAmount };
    });
    lines.set(line.input.lineId, {
      taxes,
      tax: lineTax,
      base,
      exempted: line.exempted,
      exempt: line.exempt,
      total: lineTotal,
    });
    tax += lineTax;
    net += base;
    exempted += line.exempted;
    total += lineTotal;
  }
  const taxes = [...summary]
    .sort(([a], [b]) => (index.order.get(a) ?? 0) - (index.order.get(b) ?? 0))
    .map(([taxId, { base, amount }]): TaxSummaryRecord => {
      const rate = resolver.rate(taxId);
      return { taxId, name: rate.name, rate: rate.rate, base: safe(base, 'A tax base'), amount };
    });
  return {
    lines,
    taxes,
    tax: safe(tax, 'The tax'),
    net: safe(net, 'The net'),
    exempted: safe(exempted, 'The exempted tax'),
    total: safe(total, 'The total'),
  };
}
