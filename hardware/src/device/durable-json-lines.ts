/**
 * A JSON-lines file for state that must survive a crash (the print queue's jobs, the payment intents):
 * every append is on disk (fsync) before it resolves, appends are written in the order they were made,
 * and a compaction replaces the whole file atomically (temp file, fsync, rename, directory fsync), so a
 * crash at any point leaves either the old file or the new one. A line torn by a crash mid-append was
 * never acknowledged to anyone: reading skips it.
 */
import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class DurableJsonLines {
  #file: FileHandle | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {}

  /** The value of every complete line, oldest first; none when the file does not exist yet. */
  async read(): Promise<unknown[]> {
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    const values: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        // Torn by a crash mid-append (see the module comment).
      }
    }
    return values;
  }

  /** Appends one line per value; resolves once they are on disk. Fails until `rewrite` opened the file. */
  append(values: readonly unknown[]): Promise<void> {
    const text = values.map((value) => JSON.stringify(value) + '\n').join('');
    const write = this.#writes.then(async () => {
      const file = this.#file;
      if (file === undefined) throw new RangeError(`${this.path} is not open`);
      await file.write(text);
      await file.sync();
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** Replaces the content with one line per value, atomically, and opens the file for appends after them. */
  async rewrite(values: readonly unknown[]): Promise<void> {
    await this.#writes;
    await this.#file?.close();
    this.#file = undefined;
    const temp = `${this.path}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.write(values.map((value) => JSON.stringify(value) + '\n').join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    // The rename is durable only once the directory entry is on disk.
    const dir = await open(dirname(this.path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.#file = await open(this.path, 'a');
  }

  /** Waits for the appends under way, then closes the file. */
  async close(): Promise<void> {
    await this.#writes;
    await this.#file?.close();
    this.#file = undefined;
  }
}
