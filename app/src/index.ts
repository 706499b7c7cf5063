export * from './domain/index.ts';
export * from './schema/index.ts';

// Names both layers define (the domain's value types and the schema's stored-document types). At the
// package root the domain's win; the schema's stay importable from './schema/index.ts'.
export type { ManualDiscount, PriceBook, Promotion, PromotionTarget } from './domain/index.ts';
export { TENDER_TYPES } from './domain/index.ts';
export * from './input/keyboard-wedge.ts';
export * from './input/card-track.ts';
