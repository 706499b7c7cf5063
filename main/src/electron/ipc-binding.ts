/**
 * The Electron binding of the command contract: one `ipcMain.handle` per contract channel, all
 * through the shared dispatcher. No business logic here.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { COMMAND_NAMES, commandChannel, eventChannel } from '../contract.ts';
import type { Dispatcher } from '../commands/dispatcher.ts';
import { fail } from '../commands/dispatcher.ts';
import type { EventSink } from '../commands/events.ts';
import { isAppUrl } from './app-origin.ts';

/**
 * Checklist #17: only the till's own page may call, and only from a main frame. An iframe (even
 * one of ours), a page navigated elsewhere, or a frame already gone (`senderFrame` is null after
 * a navigation) is refused.
 */
export function isTrustedIpcSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (frame === null) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/** Registers every contract command; returns a function that removes them again. */
export function registerIpcCommands(
  ipc: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dispatcher: Dispatcher<IpcMainInvokeEvent>,
): () => void {
  for (const command of COMMAND_NAMES) {
    ipc.handle(commandChannel(command), (event, ...args: unknown[]) => {
      // The preload sends exactly one argument; anything else did not come from it.
      if (args.length > 1) return fail('invalid_input', 'Invalid input: one argument expected.');
      return dispatcher.dispatch(command, args[0], event);
    });
  }
  return () => {
    for (const command of COMMAND_NAMES) ipc.removeHandler(commandChannel(command));
  };
}

/** Sends events only to live web contents that show the till's own page. */
export function createWebContentsSink(targets: () => readonly WebContents[]): EventSink {
  return (event, payload) => {
    for (const contents of targets()) {
      if (contents.isDestroyed() || !isAppUrl(contents.getURL())) continue;
      contents.send(eventChannel(event), payload);
    }
  };
}
