/**
 * Device.LocalAgent.Periodic! for each Controller: a timer on its PeriodicNotifInterval, aligned
 * with PeriodicNotifTime when that is known (as CWMP's periodic Informs are), armed only while
 * the Controller has a subscription to it, re-armed when either setting or a subscription changes.
 */
import { nextPeriodicInform, parsePeriodicInformTime } from '../cwmp/periodic-inform.js';
import type { DataModel } from '../datamodel/data-model.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';

export class PeriodicNotifications {
  private timers = new Map<string, TimerHandle>();
  private base: number;

  constructor(
    private readonly model: DataModel,
    private readonly clock: Clock,
    private readonly wanted: (controllerPath: string) => boolean,
    private readonly fire: (controllerPath: string) => void,
  ) {
    this.base = clock.now();
  }

  /** Whether a change touches what the timers depend on. */
  static relevant(names: readonly string[]): boolean {
    return names.some(
      (n) => n.startsWith(LocalAgentPaths.subscription) || (n.startsWith(LocalAgentPaths.controller) && /\.(PeriodicNotif\w+|Enable)$/.test(n)),
    );
  }

  /** (Re)arms a timer for each enabled Controller that has a Periodic! subscription. */
  arm(): void {
    this.stop();
    const m = this.model;
    const table = LocalAgentPaths.controller;
    if (!m.schema.tables.has(`${table}{i}.`)) return;
    for (const n of m.instanceIds(table)) {
      const at = `${table}${n}.`;
      if (m.read(`${at}Enable`) !== 'true' || !this.wanted(at)) continue;
      this.schedule(at);
    }
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private schedule(at: string): void {
    const m = this.model;
    const now = this.clock.now();
    const next = nextPeriodicInform(
      now,
      Number(m.read(`${at}PeriodicNotifInterval`)) || 86_400,
      parsePeriodicInformTime(m.read(`${at}PeriodicNotifTime`)),
      this.base,
    );
    this.timers.set(
      at,
      this.clock.setTimer(next - now, () => {
        this.timers.delete(at);
        this.fire(at);
        this.schedule(at);
      }),
    );
  }
}
