/**
 * Subscription.TimeToLive: a subscription with a lifetime is deleted that many seconds after its
 * CreationDate (kept across reboots, so the time left is counted from it). One timer a
 * subscription, re-armed when a subscription changes.
 */
import type { DataModel } from '../datamodel/data-model.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';

export class SubscriptionExpiry {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly model: DataModel,
    private readonly clock: Clock,
    private readonly parameterKeyName: string,
  ) {}

  /** (Re)arms a timer for each subscription with a TimeToLive. */
  arm(): void {
    this.stop();
    const m = this.model;
    const table = LocalAgentPaths.subscription;
    if (!m.schema.tables.has(`${table}{i}.`)) return;
    for (const n of m.instanceIds(table)) {
      const at = `${table}${n}.`;
      const ttl = Number(m.read(`${at}TimeToLive`));
      const created = Date.parse(m.read(`${at}CreationDate`));
      if (!(ttl > 0) || Number.isNaN(created) || created < Date.UTC(1000, 0)) continue;
      const left = created + ttl * 1000 - this.clock.now();
      this.timers.set(
        at,
        this.clock.setTimer(Math.max(0, left), () => {
          this.timers.delete(at);
          if (!m.instanceIds(table).includes(n)) return;
          const key = m.definitionOf(this.parameterKeyName) ? m.read(this.parameterKeyName) : '';
          m.deleteObject(at, this.parameterKeyName, key);
        }),
      );
    }
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
