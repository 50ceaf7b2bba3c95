/**
 * How the CWMP endpoint reports the device's value changes, by each parameter's notification
 * attribute: into the next Inform (4 VALUE CHANGE, passive), with a session of their own when
 * the active-notification pacer allows (active), or as UDP Lightweight Notifications (Annex M).
 */
import { addEvent, EventCode } from '../cwmp/events.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceInfoPaths, ManagementServerPaths } from '../models/device-core.js';
import { ActiveNotificationPacer, type NotificationLimit } from '../notifications/active-notification-pacer.js';
import { LightweightNotifier } from '../notifications/lightweight-notifier.js';
import { udpDatagramSender, type DatagramSender, type UdpDatagramSender } from '../notifications/udp-datagram-sender.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { AgentState } from '../storage/agent-state.js';
import type { StateCell } from '../storage/state-cell.js';
import type { Logger } from 'pino';
import type { AgentObserver } from './agent-observer.js';
import { routeChanges } from './value-change-levels.js';

export interface ChangeReportingHost {
  model: DataModel;
  ms: ManagementServerPaths;
  deviceInfo: DeviceInfoPaths;
  clock: Clock;
  log: Logger;
  state: StateCell<AgentState>;
  observer: AgentObserver | undefined;
  /** Sends UDP Lightweight Notifications (a fleet shares one); by default a socket of its own. */
  lightweightSender: DatagramSender | undefined;
  requestSession(): void;
}

export class ChangeReporting {
  private readonly pacer: ActiveNotificationPacer;
  /** Made when first needed: most devices never use Lightweight Notifications. */
  private lightweightNotifier: LightweightNotifier | undefined;
  private ownSender: UdpDatagramSender | undefined;
  /** A session held back by the pacer, and when it is due. */
  private throttleTimer: TimerHandle | undefined;
  private throttleDue = 0;
  private running = false;

  constructor(private readonly host: ChangeReportingHost) {
    this.pacer = new ActiveNotificationPacer(host.model, host.ms.defaultActiveNotificationThrottle, notificationLimits(host.ms));
  }

  /** At boot: Lightweight Notifications start where the model asks for them. */
  start(): void {
    this.running = true;
    const h = this.host;
    if (this.lightweightNotifier) this.lightweightNotifier.start();
    else if (LightweightNotifier.wanted(h.model, h.ms, h.state.state.lightweight)) void this.lightweight;
  }

  /** The device goes down or the agent stops: timers off. */
  pause(): void {
    this.throttleTimer?.cancel();
    this.throttleTimer = undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pause();
    await this.lightweightNotifier?.stop();
    this.ownSender?.close();
  }

  /** A session ended well: the pacer counts from now. */
  sessionEnded(now: number): void {
    this.pacer.sessionEnded(now);
  }

  /** Values changed: settings of the notifier taken in; the device's own changes reported as their attributes say. */
  changed(names: readonly string[], origin: 'acs' | 'usp' | 'device'): void {
    const h = this.host;
    const lightweightSettings = LightweightNotifier.settings(h.ms);
    if (this.lightweightNotifier || names.some((n) => lightweightSettings.has(n))) this.lightweight.settingsChanged(names);
    // Changes the ACS made itself are not reported back to it; a USP Controller's are.
    if (origin === 'acs') return;
    const routed = routeChanges(h.model, names);
    if (routed.lightweightPassive.length + routed.lightweightActive.length > 0) {
      this.lightweight.changed(routed.lightweightPassive, routed.lightweightActive);
      h.observer?.notification?.('lightweight', routed.lightweightPassive.length + routed.lightweightActive.length);
    }
    if (routed.inInform.length === 0) return;
    h.state.change((s) => {
      s.changedParameters = [...new Set([...s.changedParameters, ...routed.inInform])];
      s.events = addEvent(s.events, { code: EventCode.ValueChange, commandKey: '' });
    });
    h.observer?.notification?.('value-change', routed.inInform.length);
    if (routed.active.length > 0) {
      h.observer?.notification?.('active', routed.active.length);
      this.requestActiveNotificationSession(routed.active);
    }
  }

  private get lightweight(): LightweightNotifier {
    if (!this.lightweightNotifier) {
      const h = this.host;
      const notifier = new LightweightNotifier({
        model: h.model,
        ms: h.ms,
        deviceInfo: h.deviceInfo,
        clock: h.clock,
        log: h.log,
        backlog: () => h.state.state.lightweight,
        saveBacklog: (b) => h.state.change((s) => void (s.lightweight = b)),
        send: h.lightweightSender ?? ((host, port, datagrams) => (this.ownSender ??= udpDatagramSender()).send(host, port, datagrams)),
      });
      this.lightweightNotifier = notifier;
      if (this.running) notifier.start();
    }
    return this.lightweightNotifier;
  }

  /**
   * A session to deliver active notifications, when the pacer allows (throttle, per-parameter
   * limits). Any other session meanwhile carries them, and then this one is not needed.
   */
  private requestActiveNotificationSession(changed: readonly string[]): void {
    const h = this.host;
    const now = h.clock.now();
    const wait = this.pacer.delay(changed, now);
    if (wait <= 0) return h.requestSession();
    if (this.throttleTimer && this.throttleDue <= now + wait) return;
    this.throttleTimer?.cancel();
    this.throttleDue = now + wait;
    this.throttleTimer = h.clock.setTimer(wait, () => {
      this.throttleTimer = undefined;
      if (h.state.state.events.some((e) => e.code === EventCode.ValueChange)) h.requestSession();
    });
  }
}

/** The per-parameter active-notification limits, one list per root, shared by every agent. */
const limitsByPaths = new WeakMap<ManagementServerPaths, NotificationLimit[]>();
function notificationLimits(ms: ManagementServerPaths): NotificationLimit[] {
  let list = limitsByPaths.get(ms);
  if (!list) {
    list = [
      { parameter: ms.manageableDeviceCount, limit: ms.manageableDeviceNotificationLimit },
      { parameter: ms.udpConnectionRequestAddress, limit: ms.udpConnectionRequestAddressNotificationLimit },
    ];
    limitsByPaths.set(ms, list);
  }
  return list;
}
