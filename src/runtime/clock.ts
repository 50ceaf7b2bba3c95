/** Time as the agent sees it. Injected so that tests and fleets can drive time themselves. */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Calls fn after ms milliseconds (any length: long waits are chained). */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

/** A clock that runs off by a fixed offset (a device whose clock drifted): its dates move, its delays do not. */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return { now: () => base.now() + offsetMs, setTimer: (ms, fn) => base.setTimer(ms, fn) };
}

/**
 * Real time. A timer never fires before its due time as now() sees it: Node's timers run on a
 * monotonic clock and can fire a millisecond or so early by Date.now(), so an early wake-up
 * sleeps again for what is left (a periodic schedule re-armed early would fire twice).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    let handle: NodeJS.Timeout;
    const due = Date.now() + ms;
    const arm = (): void => {
      const left = due - Date.now();
      handle = setTimeout(check, Math.max(0, Math.min(left, MAX_TIMEOUT)));
      handle.unref?.();
    };
    const check = (): void => {
      if (Date.now() < due) arm();
      else fn();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

/** A clock that moves only when told to: timers fire in order as advance() passes them. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { due: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const timer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false) };
  }

  /** Milliseconds until the next live timer, or undefined when none is armed. */
  nextTimerIn(): number | undefined {
    const live = this.timers.filter((t) => t.live);
    if (live.length === 0) return undefined;
    return Math.min(...live.map((t) => t.due)) - this.current;
  }

  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => t.live);
      const next = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.current = next.due;
      next.live = false;
      next.fn();
    }
    this.current = target;
  }
}
