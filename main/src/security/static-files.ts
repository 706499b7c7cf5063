import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL pathname (still percent-encoded, as `new URL().pathname` gives it) onto a file under
 * `root`, or null. Refuses rather than normalizes: after decoding, any `..` or `.` segment, a
 * backslash (a separator on Windows), NUL, a drive letter or a dot-file segment is a refusal, and
 * the joined path must still lie under `root`. `/` serves `index.html`.
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  if (!pathname.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null; // malformed percent-encoding
  }
  if (/[\\\0]/.test(decoded)) return null;
  const segments = decoded.split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') return join(root, 'index.html');
  for (const segment of segments) {
    // Empty segments (`//`) and dot-files (`.env`, `..`) are never part of a renderer build.
    if (segment === '' || segment.startsWith('.') || /^[A-Za-z]:/.test(segment)) return null;
  }
  const candidate = join(root, ...segments);
  const rel = relative(root, candidate);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
  return candidate;
}

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  readonly path: string;
}

/**
 * Reads the file `pathname` names under `root`, or null when there is none or it is refused.
 * Symbolic links are followed only when the real path stays under the real root, so a link in
 * the build output cannot expose the rest of the disk.
 */
export async function readStaticFile(root: string, pathname: string): Promise<StaticFile | null> {
  const candidate = resolveStaticPath(root, pathname);
  if (candidate === null) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(candidate)]);
    const rel = relative(realRoot, realFile);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { body: await readFile(realFile), contentType: contentTypeOf(realFile), path: realFile };
  } catch {
    return null; // missing, unreadable or vanished between the checks: all simply "not found"
  }
}
