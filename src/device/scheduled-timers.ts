/**
 * Timers a manager scheduled on the device (USP's Device.ScheduleTimer()): persisted with the
 * device's state, so that one survives a reboot or a power cut (TR-181: "A scheduled timer MUST
 * persist across reboots"), armed at boot, and told to the endpoints as 'timer-fired' when due (at
 * once, for one that fell due while the device was down).
 */
import type { TimerHandle } from '../runtime/clock.js';
import type { ScheduledTimer } from '../storage/agent-state.js';
import type { DeviceWorkHost } from './transfer-queue.js';

export type { ScheduledTimer };

/** Timers that may wait at once on one device; more is refused. */
export const MAX_SCHEDULED_TIMERS = 64;

export class ScheduledTimers {
  private readonly armed = new Map<string, TimerHandle>();

  constructor(private readonly host: DeviceWorkHost) {}

  list(): readonly ScheduledTimer[] {
    return this.host.state.state.timers ?? [];
  }

  /** Persists a timer (durably: throws the store's error when it cannot be saved) and arms it. */
  schedule(t: ScheduledTimer): void {
    if (this.list().length >= MAX_SCHEDULED_TIMERS) throw new Error(`${MAX_SCHEDULED_TIMERS} timers are already scheduled`);
    this.host.state.changeDurably((s) => void (s.timers = [...(s.timers ?? []), t]));
    this.arm(t);
  }

  /** Takes a timer back before it fires; false when there is none of that id. */
  cancel(id: string): boolean {
    if (!this.list().some((t) => t.id === id)) return false;
    this.armed.get(id)?.cancel();
    this.armed.delete(id);
    this.host.state.changeDurably((s) => void (s.timers = (s.timers ?? []).filter((t) => t.id !== id)));
    return true;
  }

  /** At boot: every persisted timer armed again (after a factory reset, none is). */
  boot(): void {
    this.stop();
    for (const t of this.list()) this.arm(t);
  }

  stop(): void {
    for (const h of this.armed.values()) h.cancel();
    this.armed.clear();
  }

  private arm(t: ScheduledTimer): void {
    this.armed.get(t.id)?.cancel();
    this.armed.set(
      t.id,
      this.host.clock.setTimer(Math.max(0, t.at - this.host.clock.now()), () => {
        this.armed.delete(t.id);
        // Removed and told in one step: a stop in between tells it again at the next boot, never loses it.
        this.host.state.change((s) => void (s.timers = (s.timers ?? []).filter((x) => x.id !== t.id)));
        this.host.emit({ kind: 'timer-fired', timer: t });
      }),
    );
  }
}
