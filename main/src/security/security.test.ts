import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCsp } from './csp.ts';
import { openExternalSafely, toSafeExternalUrl } from './external-links.ts';
import { readStaticFile, resolveStaticPath } from './static-files.ts';

describe('buildCsp', () => {
  it('is the strict policy, with extra connect-src origins appended', () => {
    expect(buildCsp({ connectSrc: ['https://sync.omnitill.example'] })).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self' https://sync.omnitill.example; worker-src 'self'; manifest-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-src 'none'; frame-ancestors 'none'",
    );
  });

  it.each([
    ["https://a.example; script-src 'unsafe-inline'"],
    ['https://a.example https://b.example'],
    ['*'],
    ['javascript:x'],
  ])('refuses %s as an origin', (origin) => {
    expect(() => buildCsp({ connectSrc: [origin] })).toThrow(RangeError);
  });
});

describe('toSafeExternalUrl', () => {
  const allowed = ['help.omnitill.example'];
  it.each([
    ['https://help.omnitill.example/a?b=1', 'https://help.omnitill.example/a?b=1'],
    ['https://HELP.omnitill.example/', 'https://help.omnitill.example/'],
    ['https://help.omnitill.example.evil.example/', null],
    ['https://evil.example/help.omnitill.example', null],
    ['https://help.omnitill.example@evil.example/', null],
    ['https://user:pw@help.omnitill.example/', null],
    ['https://help.omnitill.example:8443/', null],
    ['http://help.omnitill.example/', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['smb://help.omnitill.example/share', null],
    ['not a url', null],
    [42, null],
  ])('%s → %s', (raw, expected) => {
    expect(toSafeExternalUrl(raw, allowed)).toBe(expected);
  });

  it('opens only what passes', async () => {
    const shell = { openExternal: vi.fn(() => Promise.resolve()) };
    expect(await openExternalSafely(shell, 'file:///etc/passwd', allowed)).toBe(false);
    expect(await openExternalSafely(shell, 'https://help.omnitill.example/x', allowed)).toBe(true);
    expect(shell.openExternal.mock.calls).toEqual([['https://help.omnitill.example/x']]);
  });
});

describe('static files', () => {
  let root: string;
  let site: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'omnitill-static-'));
    site = join(root, 'site');
    await mkdir(join(site, 'assets'), { recursive: true });
    await writeFile(join(site, 'index.html'), 'index');
    await writeFile(join(site, 'assets', 'a b.css'), 'css');
    await writeFile(join(root, 'secret.txt'), 'secret');
    await symlink(join(root, 'secret.txt'), join(site, 'link.txt'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['/', 'index.html'],
    ['/index.html', 'index.html'],
    ['/assets/a%20b.css', join('assets', 'a b.css')],
  ])('resolves %s', (pathname, rel) => {
    expect(resolveStaticPath(site, pathname)).toBe(join(site, rel));
  });

  it.each([
    ['/../secret.txt'],
    ['/%2e%2e/secret.txt'],
    ['/assets/%2e%2e/%2e%2e/secret.txt'],
    ['/..%2fsecret.txt'],
    ['/..%5csecret.txt'],
    ['/assets\\..\\..\\secret.txt'],
    ['/a%00.html'],
    ['/.git/config'],
    ['//secret.txt'],
    ['/C:/Windows/win.ini'],
    ['/%E0%A4%A'],
    ['relative.txt'],
  ])('refuses %s', (pathname) => {
    expect(resolveStaticPath(site, pathname)).toBeNull();
  });

  it('reads a file with its content type, and never follows a symlink out of the root', async () => {
    expect(await readStaticFile(site, '/assets/a%20b.css')).toMatchObject({
      contentType: 'text/css; charset=utf-8',
    });
    expect(await readStaticFile(site, '/link.txt')).toBeNull();
    expect(await readStaticFile(site, '/assets')).toBeNull();
    expect(await readStaticFile(site, '/missing.js')).toBeNull();
  });
});
