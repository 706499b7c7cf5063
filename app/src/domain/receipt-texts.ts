/**
 * The receipt's fixed words and the promotion texts, in every language a store may print in: the one
 * source of truth for them. The domain writes the receipt model's labels from it in the store's
 * language (buildReceipt), the hardware worker prints its own words (tax heading, COPY, "Reprinted" on
 * a reprint from the print queue) from it by the model's locale, and the till bundles it into its
 * i18next resources as the `printed` namespace, so the screen, the paper and the customer cannot read
 * two different translations.
 *
 * Templates use i18next's `{{name}}` placeholders and nothing else (no plurals, no nesting), so
 * `fillText` here and i18next in the till read them the same way. Figures are formatted by the caller.
 */
import { RATE_SCALE, currencyExponent, formatDecimal, type Minor } from './money.ts';
import type { PromotionDescription, PromotionOffer } from './promotions.ts';
import type { TenderType, Unit } from './records.ts';

export const RECEIPT_LANGUAGES = ['en', 'zh-CN'] as const;
export type ReceiptLanguage = (typeof RECEIPT_LANGUAGES)[number];

/** Keys of `ReceiptTexts.info`: the rows of the receipt's info block. */
export type ReceiptInfoKey =
  'receipt' | 'return' | 'originalReceipt' | 'date' | 'cashier' | 'till' | 'reprinted';

export interface ReceiptTexts {
  readonly amounts: {
    readonly subtotal: string;
    readonly discount: string;
    readonly tax: string;
    readonly total: string;
    readonly change: string;
    readonly cash_rounding: string;
    readonly cash_total: string;
    readonly refund_total: string;
  };
  readonly tenders: Readonly<Record<TenderType, string>>;
  readonly info: Readonly<Record<ReceiptInfoKey, string>>;
  readonly title: { readonly return: string; readonly returnWithoutReceipt: string };
  /** The reprint banner. */
  readonly copy: string;
  readonly taxes: {
    /** Heading when the prices include the tax. */
    readonly included: string;
    /** Heading when the tax is added to the prices. */
    readonly added: string;
    /** The taxable amount of a rate: "on {{amount}}". */
    readonly base: string;
    readonly total: string;
  };
  readonly tender: { readonly received: string; readonly reference: string; readonly approval: string };
  readonly line: { readonly overridden: string };
  readonly units: Readonly<Record<Exclude<Unit, 'each'>, string>>;
  readonly promotions: {
    readonly percentItems: string;
    readonly percentOrder: string;
    readonly amountEach: string;
    readonly amountPerUnit: string;
    readonly amountOrder: string;
    readonly buyGetFree: string;
    readonly buyGetPercent: string;
    readonly bundle: string;
    readonly spendPercent: string;
    readonly spendAmount: string;
    /** The offer and the campaign's name. */
    readonly withCampaign: string;
  };
}

const EN: ReceiptTexts = {
  amounts: {
    subtotal: 'Subtotal',
    discount: 'Discounts',
    tax: 'Tax',
    total: 'Total',
    change: 'Change',
    cash_rounding: 'Cash rounding',
    cash_total: 'Total paid in cash',
    refund_total: 'Total refunded',
  },
  tenders: { cash: 'Cash', card: 'Card', gift_card: 'Gift card', store_credit: 'Store credit' },
  info: {
    receipt: 'Receipt',
    return: 'Return',
    originalReceipt: 'Original receipt',
    date: 'Date',
    cashier: 'Cashier',
    till: 'Till',
    reprinted: 'Reprinted',
  },
  title: { return: 'RETURN', returnWithoutReceipt: 'RETURN WITHOUT RECEIPT' },
  copy: 'COPY',
  taxes: { included: 'Tax included', added: 'Tax', base: 'on {{amount}}', total: 'Total tax' },
  tender: { received: 'Received', reference: 'Ref {{reference}}', approval: 'Approval {{code}}' },
  line: { overridden: '(was {{amount}})' },
  units: { kg: 'kg', g: 'g', lb: 'lb', m: 'm' },
  promotions: {
    percentItems: '{{percent}} off',
    percentOrder: '{{percent}} off the order',
    amountEach: '{{amount}} off each',
    amountPerUnit: '{{amount}} off per {{unit}}',
    amountOrder: '{{amount}} off the order',
    buyGetFree: 'Buy {{buy}} get {{get}} free',
    buyGetPercent: 'Buy {{buy}} get {{get}} at {{percent}} off',
    bundle: '{{quantity}} for {{price}}',
    spendPercent: 'Spend {{threshold}}, save {{percent}}',
    spendAmount: 'Spend {{threshold}}, save {{amount}}',
    withCampaign: '{{offer}} — {{campaign}}',
  },
};

const ZH_CN: ReceiptTexts = {
  amounts: {
    subtotal: '小计',
    discount: '优惠',
    tax: '税额',
    total: '合计',
    change: '找零',
    cash_rounding: '现金取整',
    cash_total: '现金实付',
    refund_total: '退款合计',
  },
  tenders: { cash: '现金', card: '银行卡', gift_card: '礼品卡', store_credit: '储值余额' },
  info: {
    receipt: '小票号',
    return: '退货单号',
    originalReceipt: '原小票号',
    date: '日期',
    cashier: '收银员',
    till: '收银台',
    reprinted: '补打时间',
  },
  title: { return: '退货', returnWithoutReceipt: '无小票退货' },
  copy: '副本',
  taxes: { included: '价格已含税', added: '税额另计', base: '税基 {{amount}}', total: '税额合计' },
  tender: { received: '实收', reference: '参考号 {{reference}}', approval: '授权码 {{code}}' },
  line: { overridden: '（原价 {{amount}}）' },
  units: { kg: '千克', g: '克', lb: '磅', m: '米' },
  promotions: {
    percentItems: '立减 {{percent}}',
    percentOrder: '整单立减 {{percent}}',
    amountEach: '每件立减 {{amount}}',
    amountPerUnit: '每{{unit}}立减 {{amount}}',
    amountOrder: '整单立减 {{amount}}',
    buyGetFree: '买 {{buy}} 送 {{get}}',
    buyGetPercent: '买 {{buy}} 件，另 {{get}} 件立减 {{percent}}',
    bundle: '任选 {{quantity}} 件共 {{price}}',
    spendPercent: '满 {{threshold}} 减 {{percent}}',
    spendAmount: '满 {{threshold}} 减 {{amount}}',
    withCampaign: '{{campaign}}：{{offer}}',
  },
};

export const RECEIPT_TEXTS: Readonly<Record<ReceiptLanguage, ReceiptTexts>> = { en: EN, 'zh-CN': ZH_CN };

/** The language a store with this BCP 47 locale prints in: any Chinese locale Simplified Chinese, anything else English. */
export function receiptLanguage(locale: string): ReceiptLanguage {
  return locale.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function receiptTexts(locale: string): ReceiptTexts {
  return RECEIPT_TEXTS[receiptLanguage(locale)];
}

/** Replaces `{{name}}` placeholders; an unknown name is left as it is, so a missing value shows. */
export function fillText(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/**
 * The key of an info row's label, read in any receipt language: rows carry only their (translated)
 * label, and a renderer needs to know which rows hold times. English labels are recognised in every
 * language, for receipts queued before their labels were translated.
 */
export function receiptInfoKey(label: string, locale: string): ReceiptInfoKey | undefined {
  for (const texts of [receiptTexts(locale), EN]) {
    for (const [key, text] of Object.entries(texts.info) as [ReceiptInfoKey, string][]) {
      if (text === label) return key;
    }
  }
  return undefined;
}

/** How an offer's figures are written: the caller's money, percent and unit formats. */
export interface OfferFormats {
  readonly money: (amount: Minor) => string;
  /** Millionths, with the percent sign as the language writes it. */
  readonly percent: (rate: number) => string;
  readonly unit: (unit: Exclude<Unit, 'each'>) => string;
}

/**
 * The template key and values of an offer, for any template engine (fillText here, i18next in the
 * till). Keys are those of `ReceiptTexts.promotions`.
 */
export function offerTemplate(
  offer: PromotionOffer,
  format: OfferFormats,
): { readonly key: keyof ReceiptTexts['promotions']; readonly values: Readonly<Record<string, string>> } {
  switch (offer.kind) {
    case 'percent_off':
      return {
        key: offer.scope === 'order' ? 'percentOrder' : 'percentItems',
        values: { percent: format.percent(offer.percent) },
      };
    case 'amount_off':
      if (offer.scope === 'per_unit') {
        const unit = offer.unit === 'each' ? '' : format.unit(offer.unit);
        return { key: 'amountPerUnit', values: { amount: format.money(offer.amount), unit } };
      }
      return {
        key: offer.scope === 'order' ? 'amountOrder' : 'amountEach',
        values: { amount: format.money(offer.amount) },
      };
    case 'buy_x_get_y': {
      const counts = { buy: String(offer.buyQuantity), get: String(offer.getQuantity) };
      return offer.percent === RATE_SCALE
        ? { key: 'buyGetFree', values: counts }
        : { key: 'buyGetPercent', values: { ...counts, percent: format.percent(offer.percent) } };
    }
    case 'bundle_price':
      return {
        key: 'bundle',
        values: { quantity: String(offer.quantity), price: format.money(offer.price) },
      };
    case 'spend_threshold':
      return offer.reward.kind === 'percent'
        ? {
            key: 'spendPercent',
            values: {
              threshold: format.money(offer.threshold),
              percent: format.percent(offer.reward.percent),
            },
          }
        : {
            key: 'spendAmount',
            values: { threshold: format.money(offer.threshold), amount: format.money(offer.reward.amount) },
          };
  }
}

/**
 * A promotion as printed on paper in the store's language: amounts in the plain decimal form every
 * code page can print (as the receipt's other amounts), percents in the locale's number format.
 */
export function printedPromotionText(
  description: PromotionDescription,
  locale: string,
  currency: string,
): string {
  const texts = receiptTexts(locale);
  const percent = percentFormat(locale);
  const { key, values } = offerTemplate(description.offer, {
    money: (amount) => formatDecimal(amount, currencyExponent(currency)),
    percent: (rate) => percent.format(rate / RATE_SCALE).replace(/\u202f|\u00a0/g, ' '),
    unit: (unit) => texts.units[unit],
  });
  const offer = fillText(texts.promotions[key], values);
  return description.campaign === ''
    ? offer
    : fillText(texts.promotions.withCampaign, { offer, campaign: description.campaign });
}

function percentFormat(locale: string): Intl.NumberFormat {
  try {
    return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 4 });
  } catch {
    // An unknown locale must not stop a receipt.
    return new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 4 });
  }
}
