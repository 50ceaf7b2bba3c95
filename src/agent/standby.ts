/**
 * Device standby (TR-069 Annex L, ManagementServer.StandbyPolicy). A device in standby may still
 * hear connection requests (CR-aware) and keep its timers (Timer-aware), or not. The ACS can ask
 * it to stay aware (CRAwarenessRequested, PeriodicAwarenessRequested, ScheduledAwarenessRequested
 * where the device is capable), and says when waking up is news: after more than
 * CRUnawarenessMaxDuration seconds deaf to connection requests, more than MaxMissedPeriodic
 * missed periodic contacts, or any missed scheduled contact (NotifyMissedScheduled). Then the
 * wake-up session carries 13 WAKEUP. Pure bookkeeping: the agent owns the timers and sessions.
 */
import { EventCode, type CwmpEvent } from '../cwmp/events.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { ManagementServerPaths } from '../models/device-core.js';

export interface StandbyRequest {
  /** Keep listening for connection requests. */
  crAware: boolean;
  /** Keep the timers: wake for periodic and scheduled contacts. */
  timerAware: boolean;
}

export interface StandbyMode extends StandbyRequest {
  /** Epoch ms it began. */
  since: number;
}

export type StandbyRefusal = { refused: string };

export class StandbyState {
  private current: StandbyMode | undefined;
  private missedPeriodic = 0;
  private missedScheduled = 0;
  /** A session was wanted during standby and waits for wake(). */
  private held = false;

  constructor(
    private readonly model: DataModel,
    private readonly ms: ManagementServerPaths,
  ) {}

  /** In standby, only the contacts its awareness allows open a session; the rest are held for wake(). */
  holdsSessions(events: readonly CwmpEvent[], heartbeatDue: boolean): boolean {
    const mode = this.current;
    if (!mode) return false;
    const has = (code: string): boolean => events.some((e) => e.code === code);
    if (mode.crAware && has(EventCode.ConnectionRequest)) return false;
    if (mode.timerAware && (has(EventCode.Periodic) || has(EventCode.Scheduled) || heartbeatDue)) return false;
    this.held = true;
    return true;
  }

  get mode(): StandbyMode | undefined {
    return this.current;
  }

  private flag(name: string): boolean {
    return this.model.definitionOf(name) !== undefined && this.model.read(name) === 'true';
  }

  private number(name: string): number {
    return this.model.definitionOf(name) ? Number(this.model.read(name)) : -1;
  }

  /**
   * The standby the device may enter for the one it asks for: awareness the ACS requested is kept
   * where the device is capable of it; a scheduled contact it may not miss and cannot wake for
   * keeps it awake (refused).
   */
  enter(requested: StandbyRequest, now: number, scheduledPending: boolean): StandbyMode | StandbyRefusal {
    const P = this.ms.standby;
    const capable = { crAware: this.flag(P.networkAwarenessCapable), timerAware: this.flag(P.selfTimerCapable) };
    let crAware = requested.crAware && capable.crAware;
    let timerAware = requested.timerAware && capable.timerAware;
    if (capable.crAware && this.flag(P.crAwarenessRequested)) crAware = true;
    if (capable.timerAware && this.flag(P.periodicAwarenessRequested)) timerAware = true;
    if (scheduledPending && this.flag(P.scheduledAwarenessRequested)) {
      if (!capable.timerAware) return { refused: 'ScheduledAwarenessRequested: a scheduled contact is pending and the device cannot wake for it' };
      timerAware = true;
    }
    this.current = { crAware, timerAware, since: now };
    this.missedPeriodic = this.missedScheduled = 0;
    return this.current;
  }

  /** Whether a contact of this kind happens now, or is missed (counted) for the wake-up. */
  contact(kind: 'periodic' | 'scheduled'): boolean {
    if (!this.current || this.current.timerAware) return true;
    if (kind === 'periodic') this.missedPeriodic++;
    else this.missedScheduled++;
    return false;
  }

  /** Whether a connection request reaches the device now. */
  hearsConnectionRequests(): boolean {
    return !this.current || this.current.crAware;
  }

  /**
   * Back from standby: whether the wake-up is news for the ACS (13 WAKEUP), and why; `resume`
   * when a session is due now (the wake-up's own, or one held meanwhile).
   */
  wake(now: number): { wakeup: boolean; reasons: string[]; resume: boolean } {
    const mode = this.current;
    this.current = undefined;
    const held = this.held;
    this.held = false;
    if (!mode) return { wakeup: false, reasons: [], resume: held };
    const P = this.ms.standby;
    const reasons: string[] = [];
    const maxDeaf = this.number(P.crUnawarenessMaxDuration);
    if (!mode.crAware && maxDeaf >= 0 && (now - mode.since) / 1000 > maxDeaf)
      reasons.push(`deaf to connection requests for ${Math.round((now - mode.since) / 1000)} s`);
    const maxMissed = this.number(P.maxMissedPeriodic);
    if (maxMissed >= 0 && this.missedPeriodic > maxMissed) reasons.push(`${this.missedPeriodic} periodic contacts missed`);
    if (this.missedScheduled > 0 && this.flag(P.notifyMissedScheduled)) reasons.push(`${this.missedScheduled} scheduled contacts missed`);
    return { wakeup: reasons.length > 0, reasons, resume: reasons.length > 0 || held };
  }
}
