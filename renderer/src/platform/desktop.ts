/**
 * The renderer's one door to the privileged side (architecture.md): everything that prints, pays,
 * journals or reads a secret goes through `window.pos`, which the Electron preload or the web
 * host's bridge script installs. Nothing else in the renderer touches `window.pos`.
 *
 * Calls return the contract's Result; `call` turns a refusal into a thrown `PosCommandError` so
 * screens can use try/catch, `tryCall` keeps the Result for callers that branch on the code.
 */
import type {
  CommandInput,
  CommandOutput,
  DesktopBridge,
  EventPayload,
  PosCommand,
  PosErrorCode,
  PosEvent,
  PosResult,
  Unsubscribe,
} from '@pos/app/contracts/desktop-bridge';

declare global {
  interface Window {
    readonly pos?: DesktopBridge;
  }
}

export class PosCommandError extends Error {
  override readonly name = 'PosCommandError';
  constructor(
    readonly command: PosCommand,
    readonly code: PosErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What the renderer needs of the bridge; tests hand in a fake of exactly this. */
export interface Desktop {
  tryCall<C extends PosCommand>(command: C, input: CommandInput<C>): Promise<PosResult<CommandOutput<C>>>;
  call<C extends PosCommand>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  on<E extends PosEvent>(event: E, callback: (payload: EventPayload<E>) => void): Unsubscribe;
}

export function createDesktop(bridge: DesktopBridge): Desktop {
  const invoke = bridge as unknown as Record<PosCommand, (input: unknown) => Promise<PosResult<unknown>>>;
  const tryCall = <C extends PosCommand>(
    command: C,
    input: CommandInput<C>,
  ): Promise<PosResult<CommandOutput<C>>> => invoke[command](input) as Promise<PosResult<CommandOutput<C>>>;
  return {
    tryCall,
    async call(command, input) {
      const result = await tryCall(command, input);
      if (!result.ok) throw new PosCommandError(command, result.error.code, result.error.message);
      return result.value;
    },
    on: (event, callback) => bridge.on(event, callback),
  };
}

/** The bridge of this page, or null when the page was opened outside Electron and the web host. */
export function desktopFromWindow(): Desktop | null {
  const bridge = window.pos;
  return bridge === undefined ? null : createDesktop(bridge);
}
