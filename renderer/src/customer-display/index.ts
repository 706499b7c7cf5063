/** The customer-facing display: the state the till publishes, the display page, and the pole-display mirror. */
export * from './display-state.ts';
export { CustomerDisplayApp, CustomerDisplayView } from './customer-display.tsx';
export type { CustomerDisplayAppProps } from './customer-display.tsx';
export { createPoleDisplayMirror, POLE_COLUMNS, poleDisplayLines, poleLine } from './pole-display.ts';
