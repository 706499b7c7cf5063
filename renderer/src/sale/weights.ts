/**
 * Scale readings in the product's unit. Scales report kilograms or pounds in thousandths; a product
 * may be sold per kg, g or lb. Conversions round half-up to the thousandth of the target unit, using
 * the exact international pound (0.45359237 kg).
 */
import { mulDiv } from '@pos/app';
import type { ScaleReading } from '@pos/app/contracts/desktop-bridge';
import type { Unit } from '@pos/app';

/** Nanograms in one thousandth of each unit: 1 g, 0.45359237 g, 1 mg. */
const KG_THOUSANDTH = 1_000_000_000;
const LB_THOUSANDTH = 453_592_370;
const G_THOUSANDTH = 1_000_000;

/** Thousandths of `unit`, or null when the unit is not a weight. */
export function weightIn(reading: Pick<ScaleReading, 'weight' | 'unit'>, unit: Unit): number | null {
  const perReadingThousandth = reading.unit === 'kg' ? KG_THOUSANDTH : LB_THOUSANDTH;
  let perTargetThousandth: number;
  switch (unit) {
    case 'kg':
      perTargetThousandth = KG_THOUSANDTH;
      break;
    case 'lb':
      perTargetThousandth = LB_THOUSANDTH;
      break;
    case 'g':
      perTargetThousandth = G_THOUSANDTH;
      break;
    case 'each':
    case 'm':
      return null;
  }
  if (perReadingThousandth === perTargetThousandth) return reading.weight;
  return mulDiv(reading.weight, perReadingThousandth, perTargetThousandth, 'half-up');
}
