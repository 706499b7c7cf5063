import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRotatingFileLogger } from './file-logger.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omnitill-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rotating file logger', () => {
  it('writes JSON lines (0600) and rotates by size, keeping maxFiles', async () => {
    const file = join(dir, 'logs', 'main.log');
    const logger = createRotatingFileLogger({
      file,
      maxBytes: 200,
      maxFiles: 2,
      clock: () => new Date('2026-11-23T10:00:00.000Z'),
    });
    // Each line is 82 bytes: two fit in 200, the third rotates.
    for (let index = 0; index < 7; index += 1) logger.info('command failed', { n: index });
    const line = (n: number) =>
      `{"at":"2026-11-23T10:00:00.000Z","level":"info","message":"command failed","n":${n}}\n`;
    expect(line(0).length).toBe(82);
    expect((await readdir(join(dir, 'logs'))).sort()).toEqual(['main.log', 'main.log.1', 'main.log.2']);
    expect(await readFile(file, 'utf8')).toBe(line(6));
    expect(await readFile(`${file}.1`, 'utf8')).toBe(line(4) + line(5));
    expect(await readFile(`${file}.2`, 'utf8')).toBe(line(2) + line(3));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
