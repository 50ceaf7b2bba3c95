/**
 * A save that keeps trying: when a document cannot be written (disk full, no descriptors), the
 * caller hears of it (StateWriteError: an RPC answers 9002) but the agent keeps its in-memory
 * truth and goes on; the latest document is written again with a growing pause until it can be,
 * and at stop. Failures are logged once per cause, then again only after a quiet minute.
 */
import { StateWriteError, type AtomicJsonFile, type StorageLog } from './atomic-json-file.js';

const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 60_000;
const LOG_AGAIN_AFTER_MS = 60_000;

export class RetryingSave<T> {
  private latest: T | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pauseMs = FIRST_RETRY_MS;
  private failing: { code: string; loggedAt: number } | undefined;

  constructor(
    private readonly file: AtomicJsonFile<T>,
    private readonly log?: StorageLog,
  ) {}

  /** Whether the last save failed and a retry is pending. */
  get behind(): boolean {
    return this.failing !== undefined;
  }

  /** Writes `value` now; on failure throws StateWriteError and keeps retrying `value` (as it then is). */
  save(value: T): void {
    this.latest = value;
    this.attempt();
  }

  /** One more try for a pending document (at stop); true when nothing is left unsaved. */
  flush(): boolean {
    if (!this.failing || this.latest === undefined) return true;
    try {
      this.attempt();
      return true;
    } catch {
      return false;
    }
  }

  /** Stops retrying (the agent is gone). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private attempt(): void {
    try {
      this.file.write(this.latest as T);
    } catch (err) {
      const e = err instanceof StateWriteError ? err : new StateWriteError(this.file.filePath, 'EIO', String(err));
      this.noteFailure(e);
      throw e;
    }
    if (this.failing) this.log?.info({ file: this.file.filePath }, 'state saved again');
    this.failing = undefined;
    this.pauseMs = FIRST_RETRY_MS;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private noteFailure(e: StateWriteError): void {
    const now = Date.now();
    if (!this.failing || this.failing.code !== e.code || now - this.failing.loggedAt >= LOG_AGAIN_AFTER_MS) {
      this.log?.error({ file: this.file.filePath, code: e.code, err: e.message }, 'state could not be saved; keeping it in memory and retrying');
      this.failing = { code: e.code, loggedAt: now };
    }
    if (this.timer) return;
    const pause = this.pauseMs;
    this.pauseMs = Math.min(LONGEST_RETRY_MS, this.pauseMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        this.attempt();
      } catch {
        // noted, and the next retry armed, by attempt()
      }
    }, pause);
    // A pending retry does not keep a stopped process alive: stop() flushes instead.
    this.timer.unref();
  }
}
