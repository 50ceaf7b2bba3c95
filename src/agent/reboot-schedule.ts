/**
 * Reboots the ACS asks for through parameters rather than the Reboot RPC (TR-181
 * ManagementServer, TR-069 Amendment 5):
 * - ScheduleReboot: at an absolute time (none when it has passed); a session in progress then
 *   ends first.
 * - DelayReboot: that many seconds after the end of the session that set it; back to -1
 *   whenever the device reboots.
 * The reboot itself is the agent's (device hook, then 1 BOOT as after any power-on).
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { ManagementServerPaths } from '../models/device-core.js';
import { parsePeriodicInformTime } from '../cwmp/periodic-inform.js';

export interface RebootScheduleContext {
  model: DataModel;
  ms: ManagementServerPaths;
  clock: Clock;
  log: Logger;
  /** Reboot as soon as no session is running. */
  reboot(reason: 'ScheduleReboot' | 'DelayReboot'): void;
}

export class RebootSchedule {
  /** Whether a device just booted has a reboot to schedule or a DelayReboot to reset. */
  static wanted(model: DataModel, ms: ManagementServerPaths): boolean {
    const delay = model.definitionOf(ms.delayReboot) ? model.read(ms.delayReboot) : '-1';
    const at = model.definitionOf(ms.scheduleReboot) ? parsePeriodicInformTime(model.read(ms.scheduleReboot)) : null;
    return delay !== '-1' || at !== null;
  }

  private scheduleTimer: TimerHandle | undefined;
  private delayTimer: TimerHandle | undefined;
  /** DelayReboot was set in the running session: its count starts when the session ends. */
  private delaySetInSession = false;

  constructor(private readonly c: RebootScheduleContext) {}

  /** The device has (re)booted: DelayReboot goes back to -1, and a ScheduleReboot still ahead is armed. */
  boot(): void {
    const { model, ms } = this.c;
    this.delaySetInSession = false;
    if (model.definitionOf(ms.delayReboot) && model.read(ms.delayReboot) !== '-1') model.provision({ [ms.delayReboot]: '-1' });
    this.armSchedule();
  }

  stop(): void {
    this.scheduleTimer?.cancel();
    this.delayTimer?.cancel();
    this.scheduleTimer = this.delayTimer = undefined;
  }

  /** The ACS set parameters in a session. */
  settingsChanged(names: readonly string[]): void {
    const { ms } = this.c;
    if (names.includes(ms.scheduleReboot)) this.armSchedule();
    if (names.includes(ms.delayReboot)) {
      // A new value replaces a countdown already running; -1 cancels it.
      this.delayTimer?.cancel();
      this.delayTimer = undefined;
      this.delaySetInSession = Number(this.c.model.read(ms.delayReboot)) >= 0;
    }
  }

  /** A session ended: a DelayReboot set in it starts counting now. */
  sessionEnded(): void {
    if (!this.delaySetInSession) return;
    this.delaySetInSession = false;
    const seconds = Number(this.c.model.read(this.c.ms.delayReboot));
    if (!(seconds >= 0)) return;
    this.c.log.info({ seconds }, 'reboot in DelayReboot seconds');
    this.delayTimer = this.c.clock.setTimer(seconds * 1000, () => {
      this.delayTimer = undefined;
      this.c.reboot('DelayReboot');
    });
  }

  private armSchedule(): void {
    const { model, ms, clock } = this.c;
    this.scheduleTimer?.cancel();
    this.scheduleTimer = undefined;
    if (!model.definitionOf(ms.scheduleReboot)) return;
    const at = parsePeriodicInformTime(model.read(ms.scheduleReboot));
    if (at === null || at <= clock.now()) return;
    this.c.log.info({ at: new Date(at).toISOString() }, 'reboot scheduled');
    this.scheduleTimer = clock.setTimer(at - clock.now(), () => {
      this.scheduleTimer = undefined;
      this.c.reboot('ScheduleReboot');
    });
  }
}
