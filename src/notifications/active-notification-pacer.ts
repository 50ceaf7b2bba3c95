/**
 * When a session that only delivers active notifications may start. Two rules of the data model:
 * - ManagementServer.DefaultActiveNotificationThrottle: no sooner than that many seconds after
 *   the last successful session ended (not remembered across reboots);
 * - per-parameter limits: ManageableDeviceNotificationLimit for ManageableDeviceNumberOfEntries,
 *   and TR-098's UDPConnectionRequestAddressNotificationLimit for UDPConnectionRequestAddress:
 *   active notifications of that parameter at least that many seconds apart.
 * A change held back still goes with any session that happens sooner.
 */
import type { DataModel } from '../datamodel/data-model.js';

export interface NotificationLimit {
  /** The parameter whose active notifications are spaced. */
  parameter: string;
  /** The parameter holding the spacing, seconds. */
  limit: string;
}

export class ActiveNotificationPacer {
  private lastSessionEndedAt = -Infinity;
  /** When each limited parameter was last (or will next be) actively notified. */
  private lastNotified: Map<string, number> | undefined;

  constructor(
    private readonly model: DataModel,
    private readonly throttleParameter: string,
    private readonly limits: readonly NotificationLimit[],
  ) {}

  sessionEnded(now: number): void {
    this.lastSessionEndedAt = now;
  }

  /**
   * Milliseconds to wait before a session for these actively notified changes (0: at once): the
   * soonest any of them may go. The limited ones among them count as notified at that time.
   */
  delay(changed: readonly string[], now: number): number {
    const throttle = this.lastSessionEndedAt + this.seconds(this.throttleParameter) * 1000 - now;
    let wait = Infinity;
    for (const name of changed) {
      const limit = this.limits.find((l) => l.parameter === name);
      const own = limit ? (this.lastNotified?.get(name) ?? -Infinity) + this.seconds(limit.limit) * 1000 - now : -Infinity;
      wait = Math.min(wait, Math.max(0, throttle, own));
    }
    if (wait === Infinity) return 0;
    for (const name of changed) if (this.limits.some((l) => l.parameter === name)) (this.lastNotified ??= new Map()).set(name, now + wait);
    return wait;
  }

  /** A parameter's value in seconds; 0 where the model does not define it. */
  private seconds(name: string): number {
    return this.model.definitionOf(name) ? Number(this.model.read(name)) || 0 : 0;
  }
}
