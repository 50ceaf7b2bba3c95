/**
 * The Informs the clock makes due: periodic (PeriodicInformEnable / Interval / Time), heartbeat
 * (HeartbeatPolicy, TR-069 Annex O) and those ScheduleInform asked for. Each phased schedule
 * counts from its phase time when one is set, otherwise from boot or the last change of its
 * settings. What to do when one is due is the agent's.
 */
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { ManagementServerPaths } from '../models/device-core.js';
import { nextPeriodicInform, parsePeriodicInformTime } from '../cwmp/periodic-inform.js';
import type { ScheduledInform } from '../storage/agent-state.js';

export interface InformScheduleContext {
  model: DataModel;
  ms: ManagementServerPaths;
  clock: Clock;
  /** The ScheduleInform entries still to come (persisted by the agent). */
  scheduled: () => readonly ScheduledInform[];
  /** An Inform is due: periodic, heartbeat, or a ScheduleInform entry's. */
  due: (kind: 'periodic' | 'heartbeat' | 'scheduled', entry?: ScheduledInform) => void;
}

interface Phased {
  enable: string;
  interval: string;
  phase: string;
}

export class InformSchedule {
  private periodicTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private scheduledTimers: TimerHandle[] = [];
  private periodicBase = 0;
  private heartbeatBase = 0;
  /** The due time each schedule last fired for: the next one is strictly later, whatever now() says. */
  private periodicFired = 0;
  private heartbeatFired = 0;
  private running = false;

  constructor(private readonly c: InformScheduleContext) {}

  private get periodic(): Phased {
    return { enable: this.c.ms.periodicInformEnable, interval: this.c.ms.periodicInformInterval, phase: this.c.ms.periodicInformTime };
  }

  private get heartbeat(): Phased {
    return { enable: this.c.ms.heartbeatEnable, interval: this.c.ms.heartbeatInterval, phase: this.c.ms.heartbeatTime };
  }

  /** The device has booted: every schedule counts from now. */
  start(): void {
    this.running = true;
    this.periodicBase = this.heartbeatBase = this.c.clock.now();
    this.armPeriodic();
    this.armHeartbeat();
    this.armScheduled();
  }

  stop(): void {
    this.running = false;
    this.periodicTimer?.cancel();
    this.heartbeatTimer?.cancel();
    for (const t of this.scheduledTimers) t.cancel();
    this.periodicTimer = this.heartbeatTimer = undefined;
    this.scheduledTimers = [];
  }

  /** Settings changed: a schedule whose settings moved counts from now. */
  settingsChanged(names: readonly string[]): void {
    const touches = (p: Phased): boolean => names.includes(p.enable) || names.includes(p.interval) || names.includes(p.phase);
    if (touches(this.periodic)) {
      this.periodicBase = this.c.clock.now();
      this.armPeriodic();
    }
    if (touches(this.heartbeat)) {
      this.heartbeatBase = this.c.clock.now();
      this.armHeartbeat();
    }
  }

  /** The ScheduleInform entries changed (one added, say): their timers again. */
  armScheduled(): void {
    for (const t of this.scheduledTimers) t.cancel();
    this.scheduledTimers = [];
    if (!this.running) return;
    const now = this.c.clock.now();
    for (const entry of this.c.scheduled()) {
      this.scheduledTimers.push(this.c.clock.setTimer(Math.max(0, entry.at - now), () => this.c.due('scheduled', entry)));
    }
  }

  /** A timer for the next tick of a phased schedule; undefined when it is off. */
  private phasedTimer(p: Phased, base: number, lastFired: number, fire: (due: number) => void): TimerHandle | undefined {
    const { model, clock } = this.c;
    // A root without the schedule's parameters (HeartbeatPolicy in TR-098) has it off.
    if (!this.running || !model.definitionOf(p.enable) || model.read(p.enable) !== 'true') return undefined;
    const now = clock.now();
    // One due moment, one Inform: a timer that ran a little early must not find the same moment due again.
    const due = nextPeriodicInform(Math.max(now, lastFired), Number(model.read(p.interval)), parsePeriodicInformTime(model.read(p.phase)), base);
    return clock.setTimer(Math.max(0, due - now), () => fire(due));
  }

  private armPeriodic(): void {
    this.periodicTimer?.cancel();
    this.periodicTimer = this.phasedTimer(this.periodic, this.periodicBase, this.periodicFired, (due) => {
      this.periodicBase = this.periodicFired = due;
      this.c.due('periodic');
      this.armPeriodic();
    });
  }

  private armHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.phasedTimer(this.heartbeat, this.heartbeatBase, this.heartbeatFired, (due) => {
      this.heartbeatBase = this.heartbeatFired = due;
      this.c.due('heartbeat');
      this.armHeartbeat();
    });
  }
}
