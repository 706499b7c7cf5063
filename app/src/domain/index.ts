/**
 * The domain core's public surface: everything the renderer, the main process and the sync server
 * use from `@pos/app`. Test fixtures stay out; they are imported by path from tests and benchmarks.
 */
export * from './errors.ts';
export * from './money.ts';
export * from './records.ts';
export * from './permissions.ts';
export * from './catalog.ts';
export * from './barcode.ts';
export * from './prices.ts';
export * from './promotions.ts';
export * from './tax.ts';
export * from './sale.ts';
export * from './tender.ts';
export * from './receipt.ts';
export * from './returns.ts';
export * from './shift.ts';
