/**
 * Crash-safe JSON persistence: write a temp file, fsync it, rename it over the old one, fsync
 * the directory. After a kill -9 at any instant the file holds either the old or the new
 * document, never a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';

export class AtomicJsonFile<T> {
  constructor(readonly filePath: string) {}

  /** The stored document, or undefined when there is none yet. A corrupt file is an error. */
  read(): T | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return JSON.parse(text) as T;
  }

  write(value: T): void {
    const dir = path.dirname(this.filePath);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${this.filePath}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(value));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.filePath);
    const dirFd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  }
}
