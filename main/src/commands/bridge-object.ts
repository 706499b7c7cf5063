/**
 * Builds `window.pos` from two transport functions. The Electron preload and the web host's
 * browser shim both call this, so the two can never expose different shapes: exactly one
 * function per contract command, keyed by its name, plus `on`; frozen. No Node or DOM imports:
 * this file is bundled into the preload and into /pos-bridge.js.
 */
import {
  COMMAND_NAMES,
  isPosEvent,
  type DesktopBridge,
  type PosCommand,
  type PosEvent,
  type PosResult,
  type Unsubscribe,
} from '../contract.ts';

export type BridgeInvoke = (command: PosCommand, input: unknown) => Promise<PosResult<unknown>>;
export type BridgeSubscribe = (event: PosEvent, callback: (payload: unknown) => void) => Unsubscribe;

export function createBridgeObject(invoke: BridgeInvoke, subscribe: BridgeSubscribe): DesktopBridge {
  const api: Record<string, unknown> = {};
  for (const command of COMMAND_NAMES) {
    // One argument only: extra arguments from the page are dropped, not forwarded.
    api[command] = (input?: unknown) => invoke(command, input);
  }
  api.on = (event: unknown, callback: unknown): Unsubscribe => {
    if (!isPosEvent(event)) throw new TypeError('Unknown event.');
    if (typeof callback !== 'function') throw new TypeError('The callback must be a function.');
    return subscribe(event, (payload) => {
      (callback as (value: unknown) => void)(payload);
    });
  };
  // Built from COMMAND_NAMES plus `on`, which is exactly DesktopBridge's key set; the typed
  // signatures are the contract's, enforced by main's parsing, not by this object.
  return Object.freeze(api) as DesktopBridge;
}
