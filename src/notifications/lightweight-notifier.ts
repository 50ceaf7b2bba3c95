/**
 * Lightweight Notifications (TR-069 Annex M) for one agent. Values whose Notification attribute
 * asks for them (3, 4: passive; 5, 6: active) are collected; an active change sends them all
 * at once, and passive ones wait for an active one or the trigger schedule
 * (LightweightNotificationTriggerInterval, phased by LightweightNotificationTriggerTime).
 * Nothing is collected while LightweightNotificationProtocolsUsed does not name UDP.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { lightweightNotificationDatagrams, type LightweightBacklog } from '../cwmp/lightweight-notification.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceInfoPaths, ManagementServerPaths } from '../models/device-core.js';
import { nextPeriodicInform, parsePeriodicInformTime } from '../cwmp/periodic-inform.js';
import type { DatagramSender } from './udp-datagram-sender.js';

export interface LightweightNotifierContext {
  model: DataModel;
  ms: ManagementServerPaths;
  deviceInfo: DeviceInfoPaths;
  clock: Clock;
  log: Logger;
  backlog(): LightweightBacklog;
  saveBacklog(b: LightweightBacklog): void;
  send: DatagramSender;
}

const settingsByPaths = new WeakMap<ManagementServerPaths, Set<string>>();

/** UDP Lightweight Notifications go to this port when the ACS names none (TR-181). */
export const DEFAULT_LIGHTWEIGHT_PORT = 7547;
/**
 * Active notifications of a value that keeps changing are spaced at least this far apart; the
 * changes in between travel together. TR-069 sets no rate, and an unbounded one floods the ACS.
 */
const MIN_ACTIVE_SPACING_MS = 1000;

/** Whether a Notification attribute value asks for lightweight notification, and how. */
export function lightweightKind(level: number): 'passive' | 'active' | undefined {
  return level === 3 || level === 4 ? 'passive' : level === 5 || level === 6 ? 'active' : undefined;
}

export class LightweightNotifier {
  /** The ManagementServer parameters that steer it (one set per root, shared). */
  static settings(ms: ManagementServerPaths): ReadonlySet<string> {
    let set = settingsByPaths.get(ms);
    if (!set)
      settingsByPaths.set(
        ms,
        (set = new Set([ms.lightweightProtocolsUsed, ms.lightweightTriggerInterval, ms.lightweightTriggerTime, ms.udpLightweightHost, ms.udpLightweightPort])),
      );
    return set;
  }

  /** Whether a device just booted has anything for it: changes waiting, or a trigger schedule. */
  static wanted(model: DataModel, ms: ManagementServerPaths, backlog: LightweightBacklog): boolean {
    return (
      backlog.names.length > 0 || (model.definitionOf(ms.lightweightTriggerInterval) !== undefined && Number(model.read(ms.lightweightTriggerInterval)) > 0)
    );
  }

  private flushTimer: TimerHandle | undefined;
  private triggerTimer: TimerHandle | undefined;
  private triggerBase = 0;
  private lastActiveAt = -Infinity;
  private running = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly c: LightweightNotifierContext) {}

  start(): void {
    this.running = true;
    this.triggerBase = this.c.clock.now();
    this.armTrigger();
    if (this.c.backlog().activeDue && this.enabled()) this.scheduleFlush();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.flushTimer?.cancel();
    this.triggerTimer?.cancel();
    this.flushTimer = this.triggerTimer = undefined;
    await this.sending;
  }

  enabled(): boolean {
    const used = this.c.ms.lightweightProtocolsUsed;
    return this.c.model.definitionOf(used) !== undefined && this.c.model.read(used).split(',').includes('UDP');
  }

  /** Values changed on the device; only those with a lightweight Notification attribute are given. */
  changed(passive: readonly string[], active: readonly string[]): void {
    if (!this.enabled() || passive.length + active.length === 0) return;
    const b = this.c.backlog();
    this.c.saveBacklog({ names: [...new Set([...b.names, ...passive, ...active])], activeDue: b.activeDue || active.length > 0 });
    if (active.length > 0) this.scheduleFlush();
  }

  /** ManagementServer settings changed: the schedule may move, or notifications stop. */
  settingsChanged(names: readonly string[]): void {
    const ms = this.c.ms;
    if (names.includes(ms.lightweightProtocolsUsed) && !this.enabled()) this.c.saveBacklog({ names: [], activeDue: false });
    if (names.includes(ms.lightweightTriggerInterval) || names.includes(ms.lightweightTriggerTime)) {
      this.triggerBase = this.c.clock.now();
      this.armTrigger();
    }
  }

  private scheduleFlush(): void {
    if (!this.running || this.flushTimer) return;
    const wait = Math.max(0, this.lastActiveAt + MIN_ACTIVE_SPACING_MS - this.c.clock.now());
    this.flushTimer = this.c.clock.setTimer(wait, () => {
      this.flushTimer = undefined;
      this.lastActiveAt = this.c.clock.now();
      this.flush();
    });
  }

  private armTrigger(): void {
    this.triggerTimer?.cancel();
    this.triggerTimer = undefined;
    const { model, ms, clock } = this.c;
    if (!this.running || !model.definitionOf(ms.lightweightTriggerInterval)) return;
    const interval = Number(model.read(ms.lightweightTriggerInterval));
    if (!(interval > 0)) return;
    const now = clock.now();
    const due = nextPeriodicInform(now, interval, parsePeriodicInformTime(model.read(ms.lightweightTriggerTime)), this.triggerBase);
    this.triggerTimer = clock.setTimer(due - now, () => {
      this.triggerBase = due;
      if (this.c.backlog().names.length > 0 && this.enabled()) this.flush();
      this.armTrigger();
    });
  }

  /** Sends everything waiting, one send at a time; what could not be sent waits for the next. */
  private flush(): void {
    this.sending = this.sending.then(() => this.sendBacklog()).catch((err: unknown) => this.c.log.warn({ err }, 'lightweight notification not sent'));
  }

  private async sendBacklog(): Promise<void> {
    const { model, ms, deviceInfo: di, clock } = this.c;
    const taken = this.c.backlog().names;
    if (taken.length === 0 || !this.enabled()) return;
    // Instances deleted since the change have nothing left to report.
    const values = model.getParameterValues(taken.filter((n) => model.definitionOf(n) !== undefined));
    const { host, port } = this.destination();
    if (values.length > 0) {
      const datagrams = lightweightNotificationDatagrams(
        {
          ts: Math.floor(clock.now() / 1000),
          username: model.read(ms.username),
          oui: model.read(di.manufacturerOui),
          productClass: model.read(di.productClass),
          serialNumber: model.read(di.serialNumber),
        },
        values,
        () => randomBytes(16).toString('hex'),
        { host, password: model.read(ms.password) },
      );
      await this.c.send(host, port, datagrams);
      this.c.log.info({ host, port, parameters: values.length, datagrams: datagrams.length }, 'lightweight notification sent');
    }
    // Changes that arrived while sending stay for the next notification.
    const sent = new Set(taken);
    const b = this.c.backlog();
    this.c.saveBacklog({ names: b.names.filter((n) => !sent.has(n)), activeDue: this.flushTimer !== undefined });
  }

  /** UDPLightweightNotificationHost, or the ACS URL's host when empty; the port as configured. */
  private destination(): { host: string; port: number } {
    const { model, ms } = this.c;
    const configured = model.definitionOf(ms.udpLightweightHost) ? model.read(ms.udpLightweightHost).trim() : '';
    const host = configured !== '' ? configured : new URL(model.read(ms.url)).hostname;
    const port = model.definitionOf(ms.udpLightweightPort) ? Number(model.read(ms.udpLightweightPort)) : DEFAULT_LIGHTWEIGHT_PORT;
    return { host, port: port > 0 ? port : DEFAULT_LIGHTWEIGHT_PORT };
  }
}
