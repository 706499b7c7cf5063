import { join } from 'node:path';
import { flipFuses, FuseV1Options, FuseVersion, type FuseConfig } from '@electron/fuses';

/**
 * The fuse wire of every packaged Omnitill build (architecture.md, security baseline). Fuses are
 * compiled into the Electron binary, so they hold even when an attacker controls the environment,
 * the command line or the files next to the app — the cases runtime checks cannot cover.
 *
 * Typed as a full `Record` so a fuse added to @electron/fuses fails typecheck here until someone
 * decides its value.
 */
export const OMNITILL_FUSES: Readonly<Record<FuseV1Options, boolean>> = {
  // ELECTRON_RUN_AS_NODE would turn the signed binary into a general-purpose Node interpreter.
  [FuseV1Options.RunAsNode]: false,
  // Cookies (sync session) encrypted with the OS keychain key rather than stored in clear.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS=--require … would inject code into main before our own code runs.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect would let anyone at the till attach a debugger and read PIN hashes and sync credentials.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // Refuse a tampered app.asar (macOS and Windows; Electron ignores it on Linux).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Without this Electron falls back to a loose resources/app folder, bypassing the integrity check.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // We ship no custom V8 snapshot.
  [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
  // The UI is served from our own app:// scheme; file:// gets no special powers.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The part of electron-builder's `AfterPackContext` the hook reads (kept narrow so tests need no packager). */
export interface FuseHookContext {
  readonly appOutDir: string;
  readonly electronPlatformName: string;
  readonly packager: {
    readonly appInfo: { readonly productFilename: string };
  };
}

export type FlipFuses = (pathToElectron: string, config: FuseConfig) => Promise<number>;

const isMacPlatform = (platform: string): boolean => platform === 'darwin' || platform === 'mas';

/**
 * Path of the Electron binary inside an unpacked build, as electron-builder lays it out. On Linux the
 * executable is named by `executableName` (a LinuxPackager-only field), elsewhere by the product file name.
 */
export function electronBinaryPath(context: FuseHookContext): string {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'linux':
      return join(appOutDir, linuxExecutableName(packager));
    case 'win32':
      return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    case 'darwin':
    case 'mas':
      return join(appOutDir, `${packager.appInfo.productFilename}.app`);
    default:
      // An unknown platform would otherwise ship with default (open) fuses; fail the build instead.
      throw new RangeError(`Cannot flip Electron fuses for unknown platform '${electronPlatformName}'`);
  }
}

function linuxExecutableName(packager: FuseHookContext['packager']): string {
  if ('executableName' in packager && typeof packager.executableName === 'string') {
    return packager.executableName;
  }
  throw new RangeError('Linux packager has no executableName; cannot locate the Electron binary');
}

/** The config handed to @electron/fuses for one platform. */
export function fuseConfigFor(electronPlatformName: string): FuseConfig {
  return {
    version: FuseVersion.V1,
    ...OMNITILL_FUSES,
    // Rewriting the binary breaks the arm64 ad-hoc signature; electron-builder's real signing runs after
    // afterPack, and an unsigned dev build must still launch on Apple silicon.
    resetAdHocDarwinSignature: isMacPlatform(electronPlatformName),
  };
}

/** Flips Omnitill's fuses in the binary of one packed build. `flip` is injectable for tests. */
export async function flipOmnitillFuses(
  context: FuseHookContext,
  flip: FlipFuses = flipFuses,
): Promise<void> {
  const target = electronBinaryPath(context);
  const patched = await flip(target, fuseConfigFor(context.electronPlatformName));
  // flipFuses returns how many fuse wires it rewrote (two in a universal mac binary); zero means we shipped open fuses.
  if (patched < 1) {
    throw new Error(`No Electron fuse wire was patched in ${target}`);
  }
}

/** electron-builder `afterPack` hook (loaded through after-pack.js, see there). */
export async function afterPack(context: FuseHookContext): Promise<void> {
  await flipOmnitillFuses(context);
}
