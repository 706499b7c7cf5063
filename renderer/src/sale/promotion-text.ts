/**
 * Promotion texts on the till's screens, in the till's language: sale records and priced sales carry
 * the English text the domain wrote (their schemas are shared with the server), so the offer is read
 * back from it (`readPromotionDescription`) and said again through i18next with the `printed`
 * namespace's templates (the same ones the paper uses), money and percents through Intl in the store's
 * locale. A text the domain did not write (a manual discount's reason) shows as it is.
 */
import { RATE_SCALE, offerTemplate, readPromotionDescription, type AppliedDiscount } from '@pos/app';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useRuntime } from '../app/runtime-context.tsx';
import { formatMoney } from '../i18n/format.ts';

const percentFormats = new Map<string, Intl.NumberFormat>();

function percentFormat(locale: string): Intl.NumberFormat {
  let format = percentFormats.get(locale);
  if (format === undefined) {
    // Rates are millionths: 12.3456 % is the finest a promotion can say.
    format = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 4 });
    percentFormats.set(locale, format);
  }
  return format;
}

export function formatPromotionText(text: string, t: TFunction, locale: string, currency: string): string {
  const described = readPromotionDescription(text, currency);
  if (described === undefined) return text;
  const { key, values } = offerTemplate(described.offer, {
    money: (amount) => formatMoney(amount, currency, locale),
    percent: (rate) => percentFormat(locale).format(rate / RATE_SCALE),
    unit: (unit) => t(`common:units.${unit}`),
  });
  const offer = t(`printed:promotions.${key}`, values);
  return described.campaign === ''
    ? offer
    : t('printed:promotions.withCampaign', { offer, campaign: described.campaign });
}

/** The text of a discount: promotions and coupons translated, manual ones as typed. */
export function formatDiscountText(
  discount: Pick<AppliedDiscount, 'source' | 'description'>,
  t: TFunction,
  locale: string,
  currency: string,
): string {
  return discount.source === 'manual'
    ? discount.description
    : formatPromotionText(discount.description, t, locale, currency);
}

/** `formatDiscountText` in the till's language and the store's locale, for the screen. */
export function usePromotionText(): (discount: Pick<AppliedDiscount, 'source' | 'description'>) => string {
  const { t } = useTranslation();
  const { currency, locale } = useRuntime().config();
  return (discount) => formatDiscountText(discount, t, locale, currency);
}
