/**
 * The preload (sandboxed, context-isolated). It exposes `window.pos` and nothing else: one
 * function per contract command plus `on`, built by the same createBridgeObject as the web host's
 * browser shim. Never `ipcRenderer`, `process` or any Node global; the Electron event object is
 * stripped before a callback sees a payload. Bundled to one CommonJS file, as sandboxed preloads
 * can only `require('electron')`.
 */
import { contextBridge, ipcRenderer, type IpcRenderer, type IpcRendererEvent } from 'electron';
import { commandChannel, eventChannel, type DesktopBridge, type PosResult } from '../contract.ts';
import { createBridgeObject } from '../commands/bridge-object.ts';

export function createPreloadBridge(
  ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
): DesktopBridge {
  return createBridgeObject(
    // invoke resolves with the dispatcher's Result (main never throws across).
    (command, input) => ipc.invoke(commandChannel(command), input) as Promise<PosResult<unknown>>,
    (event, callback) => {
      const channel = eventChannel(event);
      const listener = (_event: IpcRendererEvent, payload: unknown): void => {
        callback(payload);
      };
      ipc.on(channel, listener);
      return () => {
        ipc.removeListener(channel, listener);
      };
    },
  );
}

contextBridge.exposeInMainWorld('pos', createPreloadBridge(ipcRenderer));
