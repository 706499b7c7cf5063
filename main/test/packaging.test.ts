import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FuseV1Options, type FuseConfig } from '@electron/fuses';
import type { AfterPackContext } from 'electron-builder';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  electronBinaryPath,
  flipOmnitillFuses,
  OMNITILL_FUSES,
  type FuseHookContext,
} from '../src/packaging/flip-fuses.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG_PATH = join(ROOT, 'electron-builder.yml');

/*
 * The YAML parser and ajv are taken from electron-builder's own dependency tree (app-builder-lib), so the
 * test parses and validates with exactly the versions `npm run package` uses — independent of what npm
 * happens to hoist (the root `ajv` is eslint's v6, not the v8 electron-builder validates with).
 */
const requireFromRoot = createRequire(join(ROOT, 'package.json'));
const builderDir = dirname(requireFromRoot.resolve('electron-builder/package.json'));
const libDir = dirname(
  createRequire(join(builderDir, 'package.json')).resolve('app-builder-lib/package.json'),
);
const requireFromLib = createRequire(join(libDir, 'package.json'));

interface AjvError {
  readonly instancePath: string;
  readonly message?: string;
}
interface AjvValidate {
  (data: unknown): boolean;
  errors?: readonly AjvError[] | null;
}
interface AjvInstance {
  addKeyword(definition: { keyword: string; validate: (schema: unknown, data: unknown) => boolean }): void;
  compile(schema: unknown): AjvValidate;
}
type AjvClass = new (options: Record<string, unknown>) => AjvInstance;

const yaml = requireFromLib('js-yaml') as { load: (source: string) => unknown };
const ajvVersion = (requireFromLib('ajv/package.json') as { version: string }).version;
const Ajv = (requireFromLib('ajv') as { default: AjvClass }).default;
const scheme = JSON.parse(readFileSync(join(libDir, 'scheme.json'), 'utf8')) as { $schema: string };

function compileScheme(): AjvValidate {
  // No type coercion (electron-builder coerces): our file must be type-exact, not merely acceptable.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  // scheme.json's one non-standard keyword marks options that only a JS config can set (functions).
  ajv.addKeyword({ keyword: 'typeof', validate: (expected, data) => typeof data === expected });
  return ajv.compile(scheme);
}

const validate = compileScheme();
const errorsOf = (data: unknown): string[] =>
  validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

const config = yaml.load(readFileSync(CONFIG_PATH, 'utf8')) as Record<string, unknown>;
const section = (key: string): Record<string, unknown> => config[key] as Record<string, unknown>;

/** Width and height from a PNG's IHDR chunk, or null when the bytes are not a PNG. */
function pngSize(path: string): { width: number; height: number } | null {
  const bytes = readFileSync(path);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature) || bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml against electron-builder scheme.json', () => {
  it('uses the ajv major electron-builder validates with, on the draft the scheme declares', () => {
    expect(ajvVersion.split('.')[0]).toBe('8');
    expect(scheme.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  it('is a valid configuration', () => {
    expect(errorsOf(config)).toEqual([]);
  });

  it("passes electron-builder's own validateConfiguration (schema plus its deprecation checks)", async () => {
    const { validateConfiguration } = requireFromLib('./out/util/config/config.js') as {
      validateConfiguration: (c: unknown, debug: { isEnabled: boolean; add: () => void }) => Promise<void>;
    };
    await expect(
      validateConfiguration(config, { isEnabled: false, add: () => undefined }),
    ).resolves.toBeUndefined();
    await expect(
      validateConfiguration(
        { ...config, npmSkipBuildFromSource: false },
        { isEnabled: false, add: () => undefined },
      ),
    ).rejects.toThrow('npmSkipBuildFromSource is deprecated');
  });

  it.each([
    ['a misspelt option', { ...config, asarUnpak: ['*.node'] }, 'must NOT have additional properties'],
    ['a string where a boolean belongs', { ...config, asar: 'yes' }, '/asar must be null,boolean'],
    ['a misspelt nsis option', { ...config, nsis: { ...section('nsis'), oneClik: false } }, '/nsis'],
    [
      'an unknown mac category type',
      { ...config, mac: { ...section('mac'), category: 42 } },
      '/mac/category',
    ],
  ])('rejects %s (the validator is live)', (_label, broken, expected) => {
    expect(errorsOf(broken).join('\n')).toContain(expected);
  });
});

describe('electron-builder.yml security and layout settings', () => {
  it('identifies the product', () => {
    expect(config).toMatchObject({ appId: 'com.omnitill.pos', productName: 'Omnitill' });
  });

  it('packs from the repo root, not the app/ workspace electron-builder would otherwise pick', async () => {
    const directories = section('directories');
    expect(directories).toEqual({ app: '.', buildResources: 'build', output: 'dist/packages' });
    const { computeDefaultAppDirectory } = requireFromLib('./out/util/config/config.js') as {
      computeDefaultAppDirectory: (projectDir: string, userAppDir: unknown) => Promise<string>;
    };
    // The trap: app/package.json (our domain workspace) makes electron-builder's default pick app/.
    expect(await computeDefaultAppDirectory(resolve(ROOT), undefined)).toBe(join(ROOT, 'app'));
    expect(await computeDefaultAppDirectory(resolve(ROOT), directories.app)).toBe(resolve(ROOT));
  });

  it('ships only the built output and the manifest, never sources or maps', () => {
    expect(config.files).toEqual([
      'out/**',
      'package.json',
      '!**/*.map',
      '!**/*.{ts,tsx,mts,cts}',
      '!**/*.test.*',
    ]);
    // homepage: the deb target fails without one and the root manifest has none yet.
    expect(config.extraMetadata).toEqual({ main: 'out/main/index.js', homepage: 'https://omnitill.invalid' });
  });

  it('packs into an asar and unpacks the native modules', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual([
      '**/node_modules/serialport/**',
      '**/node_modules/@serialport/**',
      '**/node_modules/node-hid/**',
      '**/*.node',
    ]);
    expect(config.npmRebuild).toBe(false);
  });

  it('keeps the asar integrity data the EnableEmbeddedAsarIntegrityValidation fuse checks against', () => {
    // With the fuse on and the integrity data missing, Electron refuses to start on macOS and Windows.
    expect(config.disableAsarIntegrity).toBeUndefined();
    // One place decides the fuse wire: the hook, not electron-builder's built-in electronFuses.
    expect(config.electronFuses).toBeUndefined();
  });

  it('runs the fuse hook after packing, from a file that exists in the repo', () => {
    expect(config.afterPack).toBe('./main/src/packaging/after-pack.js');
    expect(existsSync(join(ROOT, 'main/src/packaging/after-pack.js'))).toBe(true);
  });

  it('targets all three platforms with the agreed installers', () => {
    expect(section('linux')).toMatchObject({
      target: ['AppImage', 'deb'],
      executableName: 'omnitill',
      category: 'Office',
      synopsis: 'Offline-first point of sale',
      icon: 'build/icons',
    });
    expect(section('linux').maintainer).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(section('win')).toMatchObject({ target: ['nsis'], icon: 'build/icon.png' });
    expect(section('nsis')).toEqual({
      oneClick: false,
      perMachine: true,
      allowToChangeInstallationDirectory: true,
    });
    expect(section('mac')).toMatchObject({
      target: ['dmg'],
      category: 'public.app-category.business',
      hardenedRuntime: true,
      entitlements: 'build/entitlements.mac.plist',
      entitlementsInherit: 'build/entitlements.mac.plist',
      icon: 'build/icon.png',
    });
  });

  it('grants the hardened runtime nothing beyond JIT', () => {
    const plist = readFileSync(join(ROOT, 'build/entitlements.mac.plist'), 'utf8');
    const keys = [...plist.matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
    expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
  });

  it.each([
    ['build/icon.png', 512],
    ['build/icons/512x512.png', 512],
    ['build/icons/256x256.png', 256],
  ])('%s is a %ipx square PNG', (file, size) => {
    expect(pngSize(join(ROOT, file))).toEqual({ width: size, height: size });
  });

  it('names every Linux icon by its real size, as electron-builder reads the size from the name', () => {
    const dir = join(ROOT, 'build/icons');
    const names = readdirSync(dir).sort();
    expect(names).toEqual(['256x256.png', '512x512.png']);
    for (const name of names) {
      const size = Number(name.split('x')[0]);
      expect(pngSize(join(dir, name))).toEqual({ width: size, height: size });
    }
  });

  it('declares the package script', () => {
    const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(rootManifest.scripts.package).toBe('electron-builder --config electron-builder.yml');
  });
});

// The wire as written in the task, by fuse index (FuseV1Options values), checked independently of the hook.
const EXPECTED_WIRE = {
  0: false,
  1: true,
  2: false,
  3: false,
  4: true,
  5: true,
  6: false,
  7: false,
} as const;

describe('fuse map', () => {
  it.each([
    ['RunAsNode', 0, false],
    ['EnableCookieEncryption', 1, true],
    ['EnableNodeOptionsEnvironmentVariable', 2, false],
    ['EnableNodeCliInspectArguments', 3, false],
    ['EnableEmbeddedAsarIntegrityValidation', 4, true],
    ['OnlyLoadAppFromAsar', 5, true],
    ['LoadBrowserProcessSpecificV8Snapshot', 6, false],
    ['GrantFileProtocolExtraPrivileges', 7, false],
  ] as const)('%s (wire index %i) is %s', (name, index, value) => {
    expect(FuseV1Options[name]).toBe(index);
    expect(OMNITILL_FUSES[FuseV1Options[name]]).toBe(value);
  });

  it('sets every fuse the installed @electron/fuses knows, and nothing else', () => {
    expect({ ...OMNITILL_FUSES }).toStrictEqual(EXPECTED_WIRE);
  });

  it('accepts the context electron-builder passes to afterPack', () => {
    expectTypeOf<AfterPackContext>().toExtend<FuseHookContext>();
  });
});

interface FlipCall {
  readonly path: string;
  readonly config: FuseConfig;
}

function recordingFlip(result = 1): {
  calls: FlipCall[];
  flip: (path: string, config: FuseConfig) => Promise<number>;
} {
  const calls: FlipCall[] = [];
  return {
    calls,
    flip: (path, fuseConfig) => {
      calls.push({ path, config: fuseConfig });
      return Promise.resolve(result);
    },
  };
}

const contextFor = (electronPlatformName: string, executableName?: string): FuseHookContext => ({
  appOutDir: '/tmp/pack/out',
  electronPlatformName,
  packager: {
    appInfo: { productFilename: 'Omnitill' },
    ...(executableName === undefined ? {} : { executableName }),
  },
});

describe('flipOmnitillFuses', () => {
  it.each([
    ['linux', '/tmp/pack/out/omnitill', false],
    ['win32', '/tmp/pack/out/Omnitill.exe', false],
    ['darwin', '/tmp/pack/out/Omnitill.app', true],
    ['mas', '/tmp/pack/out/Omnitill.app', true],
  ])('on %s flips %s once with the full wire (ad-hoc re-sign: %s)', async (platform, path, resign) => {
    const { calls, flip } = recordingFlip();
    await flipOmnitillFuses(contextFor(platform, 'omnitill'), flip);
    expect(calls).toStrictEqual([
      { path, config: { version: '1', ...EXPECTED_WIRE, resetAdHocDarwinSignature: resign } },
    ]);
  });

  it('uses the Linux executable name, not the product name', () => {
    expect(electronBinaryPath(contextFor('linux', 'omnitill-pos'))).toBe('/tmp/pack/out/omnitill-pos');
  });

  it.each([
    ['an unknown platform', contextFor('freebsd', 'omnitill'), /unknown platform 'freebsd'/],
    ['a Linux packager without executableName', contextFor('linux'), /no executableName/],
  ])('refuses %s before touching any binary', async (_label, context, message) => {
    const { calls, flip } = recordingFlip();
    await expect(flipOmnitillFuses(context, flip)).rejects.toThrow(RangeError);
    await expect(flipOmnitillFuses(context, flip)).rejects.toThrow(message);
    expect(calls).toEqual([]);
  });

  it('fails the build when no fuse wire was patched', async () => {
    const { flip } = recordingFlip(0);
    await expect(flipOmnitillFuses(contextFor('win32'), flip)).rejects.toThrow(
      'No Electron fuse wire was patched in /tmp/pack/out/Omnitill.exe',
    );
  });

  it('lets a failure of @electron/fuses fail the build', async () => {
    const flip = (): Promise<number> => Promise.reject(new Error('Could not find sentinel'));
    await expect(flipOmnitillFuses(contextFor('linux', 'omnitill'), flip)).rejects.toThrow(
      'Could not find sentinel',
    );
  });
});

/*
 * End to end without Electron: a fake binary holding just a fuse wire (sentinel, version 1, length 8, all
 * fuses ENABLE='1'), patched by the real @electron/fuses through the hook file named in electron-builder.yml,
 * loaded by electron-builder's own hook loader in a plain Node process — exactly as `npm run package` would.
 */
describe('after-pack.js loaded the way electron-builder loads it', () => {
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
  const work = mkdtempSync(join(tmpdir(), 'omnitill-fuses-'));
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const runHook = promisify(execFile);
  const loader = `
    const path = require('node:path');
    const builderDir = path.dirname(require.resolve('electron-builder/package.json'));
    const resolveModule = require.resolve('app-builder-lib/out/util/resolve', { paths: [builderDir] });
    const { resolveFunction } = require(resolveModule);
    const [hookPath, context] = process.argv.slice(1);
    resolveFunction(undefined, hookPath, 'afterPack', process.cwd())
      .then((hook) => hook(JSON.parse(context)))
      .catch((error) => { console.error(error); process.exit(1); });
  `;

  it.each([
    ['linux', 'omnitill'],
    ['win32', 'Omnitill.exe'],
  ])('on %s rewrites the wire of %s to 0,1,0,0,1,1,0,0', { timeout: 30_000 }, async (platform, file) => {
    const appOutDir = join(work, platform);
    const binary = join(appOutDir, file);
    rmSync(appOutDir, { recursive: true, force: true });
    mkdirSync(appOutDir, { recursive: true });
    writeFileSync(
      binary,
      Buffer.concat([
        Buffer.from('ELF…'),
        Buffer.from(SENTINEL),
        Buffer.from([1, 8]),
        Buffer.alloc(8, '1'),
        Buffer.from('…'),
      ]),
    );
    const context = {
      appOutDir,
      electronPlatformName: platform,
      packager: { executableName: 'omnitill', appInfo: { productFilename: 'Omnitill' } },
    };

    await runHook(process.execPath, ['-e', loader, String(config.afterPack), JSON.stringify(context)], {
      cwd: ROOT,
    });

    const patched = readFileSync(binary);
    const wireAt = patched.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(patched.toString('latin1', wireAt, wireAt + 8)).toBe('01001100');
  });
});
