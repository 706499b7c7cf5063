/** The till's status bar: sync state and every device's state, live. */
export { StatusBar, CLOCK_TICK_MS, deviceItems, syncItems } from './status-bar.tsx';
export type { StatusItem } from './status-bar.tsx';
export { useDeviceStates, LIST_RETRY_MS } from './device-states.ts';
export type { DeviceStates, DeviceService } from './device-states.ts';
export { conditionOf, printerConditionIn, toneOf } from './device-words.ts';
export type { DeviceCondition, DeviceView, Tone } from './device-words.ts';
