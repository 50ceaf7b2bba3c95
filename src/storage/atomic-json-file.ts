/**
 * Crash-safe JSON persistence: write every byte of a temp file, fsync it, keep the previous
 * document as `<file>.bak`, rename the temp file over the old one, fsync the directory. After a
 * kill -9 at any instant the file holds either the old or the new document, never a torn one.
 *
 * Reading never throws for what is in the file: a document that does not parse, has the wrong
 * shape or cannot be read is set aside as `<file>.corrupt-<time>` (named in the log) and the last
 * good copy is used, or nothing (the caller's defaults). A write that fails throws a
 * StateWriteError and leaves the old document in place.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Where the store tells what it did about a bad or unwritable file (a pino logger fits). */
export interface StorageLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A document could not be saved (disk full, no descriptors, read-only...). The old one stands. */
export class StateWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string,
    message: string,
  ) {
    super(`cannot save ${file}: ${message}`);
    this.name = 'StateWriteError';
  }
}

export interface AtomicJsonFileOptions<T> {
  /** Checks a parsed document's shape; throws (a zod error, say) when it is not a T. */
  validate?: (value: unknown) => T;
  log?: StorageLog;
}

const TEMP_SUFFIX = /^\.\d+\.tmp$/;

export class AtomicJsonFile<T> {
  private swept = false;

  constructor(
    readonly filePath: string,
    private readonly opts: AtomicJsonFileOptions<T> = {},
  ) {}

  get backupPath(): string {
    return `${this.filePath}.bak`;
  }

  /** The stored document, or undefined when there is none (or none usable: see the file comment). */
  read(): T | undefined {
    this.sweepTempFiles();
    const main = this.load(this.filePath);
    if (main.ok) return main.value;
    if (main.problem !== 'missing') this.setAside(this.filePath, main.problem);
    const backup = this.load(this.backupPath);
    if (backup.ok) {
      // Missing main with a backup: a stop between the two renames of a write; the backup is the truth.
      if (main.problem !== 'missing') this.opts.log?.warn({ file: this.filePath, backup: this.backupPath }, 'using the last good copy of a state file');
      return backup.value;
    }
    if (backup.problem !== 'missing') this.setAside(this.backupPath, backup.problem);
    if (main.problem !== 'missing') this.opts.log?.warn({ file: this.filePath }, 'no usable copy of a state file: starting from defaults');
    return undefined;
  }

  /** Saves the document; throws StateWriteError (and keeps the old document) when it cannot. */
  write(value: T): void {
    const dir = path.dirname(this.filePath);
    const tmp = `${this.filePath}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true });
      writeAllSync(tmp, Buffer.from(JSON.stringify(value)));
      try {
        fs.renameSync(this.filePath, this.backupPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      fs.renameSync(tmp, this.filePath);
      fsyncDirectory(dir);
    } catch (err) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // never made, or already renamed
      }
      const e = err as NodeJS.ErrnoException;
      throw new StateWriteError(this.filePath, e.code ?? 'EIO', e.code ? `${e.code} (${e.message})` : String(err));
    }
  }

  /** Removes both copies (a factory reset of what this file holds). */
  remove(): void {
    for (const f of [this.filePath, this.backupPath]) fs.rmSync(f, { force: true });
  }

  private load(file: string): { ok: true; value: T } | { ok: false; problem: string } {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, problem: code === 'ENOENT' ? 'missing' : `unreadable (${code ?? String(err)})` };
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return { ok: true, value: this.opts.validate ? this.opts.validate(parsed) : (parsed as T) };
    } catch (err) {
      const reason = err instanceof SyntaxError ? `not JSON (${err.message})` : `not the expected shape (${firstLine(err)})`;
      return { ok: false, problem: reason };
    }
  }

  /** Moves a bad file out of the way, so that the next write does not keep it as the backup. */
  private setAside(file: string, problem: string): void {
    const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      fs.renameSync(file, aside);
      this.opts.log?.warn({ file, problem, keptAs: aside }, 'state file unusable: set aside');
    } catch (err) {
      this.opts.log?.error({ file, problem, code: (err as NodeJS.ErrnoException).code }, 'state file unusable and cannot be set aside');
    }
  }

  /** Temp files a kill left behind (`<file>.<pid>.tmp`): never a committed document, so removed. */
  private sweepTempFiles(): void {
    if (this.swept) return;
    this.swept = true;
    const dir = path.dirname(this.filePath);
    const base = path.basename(this.filePath);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (!name.startsWith(base) || !TEMP_SUFFIX.test(name.slice(base.length))) continue;
      try {
        fs.unlinkSync(path.join(dir, name));
        this.opts.log?.info({ file: path.join(dir, name) }, 'removed a temp file left by an earlier stop');
      } catch {
        // gone meanwhile, or not ours to remove
      }
    }
  }
}

/** Writes every byte (a short write on a nearly full disk is not success), then fsyncs. */
function writeAllSync(file: string, data: Buffer): void {
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    let offset = 0;
    while (offset < data.length) {
      const n = fs.writeSync(fd, data, offset, data.length - offset);
      if (n <= 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
      offset += n;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}
