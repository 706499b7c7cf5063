import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableJsonLines } from './durable-json-lines.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function fileIn(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'durable-jsonl-'));
  dirs.push(dir);
  return join(dir, 'log.jsonl');
}

describe('a durable JSON-lines file', () => {
  it('reads nothing from a file that does not exist yet', async () => {
    expect(await new DurableJsonLines(await fileIn()).read()).toEqual([]);
  });

  it('skips a line torn by a crash and keeps every complete one', async () => {
    const path = await fileIn();
    await writeFile(path, '{"a":1}\n{"a":2}\n{"a":');
    expect(await new DurableJsonLines(path).read()).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('keeps appends in the order they were made, also when they are not awaited one by one', async () => {
    const path = await fileIn();
    const log = new DurableJsonLines(path);
    await log.rewrite([{ n: 0 }]);
    await Promise.all(Array.from({ length: 50 }, (_, i) => log.append([{ n: i + 1 }])));
    await log.close();
    expect(await new DurableJsonLines(path).read()).toEqual(Array.from({ length: 51 }, (_, n) => ({ n })));
  });

  it('replaces the content whole, leaves no temp file, and appends after the new content', async () => {
    const path = await fileIn();
    const log = new DurableJsonLines(path);
    await log.rewrite([{ v: 'old' }, { v: 'old' }]);
    await log.append([{ v: 'appended' }]);
    await log.rewrite([{ v: 'snapshot' }]);
    await log.append([{ v: 'after' }]);
    await log.close();
    expect(await log.read()).toEqual([{ v: 'snapshot' }, { v: 'after' }]);
    await expect(readFile(`${path}.tmp`)).rejects.toThrow(/ENOENT/);
  });

  it('refuses an append before the file is opened, and the next append still works', async () => {
    const path = await fileIn();
    const log = new DurableJsonLines(path);
    await expect(log.append([{ x: 1 }])).rejects.toThrow(/not open/);
    await log.rewrite([]);
    await log.append([{ x: 2 }]);
    await log.close();
    await appendFile(path, '');
    expect(await log.read()).toEqual([{ x: 2 }]);
  });
});
