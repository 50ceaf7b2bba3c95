/**
 * One persisted state object shared by the parts of a device that each own some of its fields
 * (the device runtime its transfers and deferred actions, the CWMP endpoint its event queue), so
 * that a change spanning parts (a transfer removed and its report queued) is saved in one write.
 *
 * Changes nest: a change made while another is running is saved with the outermost one. A quiet
 * change whose save fails stays in memory (the store retries); a durable one (what a remote
 * manager is about to be told was accepted) is undone and the store's error thrown, since the
 * manager must not believe in a change a power cut would lose.
 */
export interface StateStore<S> {
  load(): S;
  save(state: S): void;
  /** A last try to save what is still unsaved (at stop). */
  flush?(): void;
}

/** What a part of the device sees of the shared state: its own fields, and the two ways to change them. */
export interface StateCell<S> {
  readonly state: S;
  change(fn: (s: S) => void): void;
  changeDurably(fn: (s: S) => void): void;
}

export class PersistedState<S extends object> implements StateCell<S> {
  private current: S;
  private depth = 0;

  constructor(private readonly store: StateStore<S>) {
    this.current = store.load();
  }

  get state(): S {
    return this.current;
  }

  /** Reads the state back from the store, as a device does when it boots. */
  reload(): S {
    this.current = this.store.load();
    return this.current;
  }

  /** Replaces the whole state (a factory reset) and saves it quietly. */
  replace(next: S): void {
    this.current = next;
    this.change(() => {});
  }

  change(fn: (s: S) => void): void {
    if (this.enterNested(fn)) return;
    try {
      this.store.save(this.current);
    } catch {
      // The store logs and retries; the device carries on with its state in memory.
    }
  }

  changeDurably(fn: (s: S) => void): void {
    if (this.depth > 0) return void fn(this.current);
    // Every list is copied, so that an undo takes back whatever the change pushed; their entries
    // are shared (a waiter may know its request by identity).
    const before = { ...this.current } as Record<string, unknown>;
    for (const [key, value] of Object.entries(before)) if (Array.isArray(value)) before[key] = [...value];
    this.run(fn);
    try {
      this.store.save(this.current);
    } catch (err) {
      Object.assign(this.current, before);
      throw err;
    }
  }

  flush(): void {
    this.store.flush?.();
  }

  /** Runs a nested change in place (true), or runs the outermost one and leaves its save to the caller (false). */
  private enterNested(fn: (s: S) => void): boolean {
    if (this.depth > 0) {
      fn(this.current);
      return true;
    }
    this.run(fn);
    return false;
  }

  private run(fn: (s: S) => void): void {
    this.depth++;
    try {
      fn(this.current);
    } finally {
      this.depth--;
    }
  }
}
