/**
 * The CWMP endpoint of one device: turns the device runtime's domain events into CWMP event
 * codes and CPE requests, decides when a session runs (boot, periodic, scheduled, value change,
 * connection request, retry), runs one at a time, and hands deferred device actions back to the
 * runtime after the session. The session itself is composed in cwmp-session.ts.
 */
import { addEvent, EventCode, eventsAfterFailedSession, eventsAfterReboot } from '../cwmp/events.js';
import type { CpeRequest, KickedRequest } from '../cwmp/messages.js';
import { retryAfterWaitSeconds, retryWaitSeconds } from '../cwmp/retry.js';
import type { DomainEvent } from '../device/domain-events.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { DeviceInfoPaths, ManagementServerPaths } from '../models/device-core.js';
import type { TimerHandle } from '../runtime/clock.js';
import type { Acknowledgement, SessionOutcome } from '../session/session-machine.js';
import type { AgentState, ScheduledInform } from '../storage/agent-state.js';
import type { PersistedState } from '../storage/state-cell.js';
import type { AgentOptions, SessionTiming } from './agent-options.js';
import { ChangeReporting } from './change-reporting.js';
import { runCwmpSession } from './cwmp-session.js';
import { InformSchedule } from './inform-schedule.js';
import { RebootSchedule } from './reboot-schedule.js';
import type { ComposedInform } from './session-inform.js';
import { applyAcknowledgement } from './session-inform.js';
import { StandbyState, type StandbyMode, type StandbyRefusal, type StandbyRequest } from './standby.js';

export type SessionListener = (o: SessionOutcome, timing: SessionTiming) => void;

export class CwmpEndpoint {
  private running = false;
  private sessionActive = false;
  private sessionWanted = false;
  private loop: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  /** A Heartbeat is due: the next session carries 14 HEARTBEAT alone. */
  private heartbeatDue = false;
  private sessionCount = 0;
  // Replaced, not pushed to (see DataModel's listeners): a fleet holds one per device.
  private sessionListeners: readonly SessionListener[] = [];
  private readonly schedule: InformSchedule;
  private readonly changes: ChangeReporting;
  /** Made when first needed: most devices never use reboot schedules or standby. */
  private rebootScheduler: RebootSchedule | undefined;
  private standbyState: StandbyState | undefined;
  /** Browsers waiting for the ACS's answer to a Kicked request. */
  private kickWaiters: Map<CpeRequest, (nextUrl: string | undefined) => void> | undefined;

  constructor(
    private readonly opts: AgentOptions,
    private readonly device: DeviceRuntime,
    private readonly cell: PersistedState<AgentState>,
    private readonly ms: ManagementServerPaths,
    deviceInfo: DeviceInfoPaths,
  ) {
    const model = device.model;
    this.schedule = new InformSchedule({
      model,
      ms,
      clock: opts.clock,
      scheduled: () => this.cell.state.scheduledInforms,
      due: (kind, entry) => this.informDue(kind, entry),
    });
    this.changes = new ChangeReporting({
      model,
      ms,
      deviceInfo,
      clock: opts.clock,
      log: opts.logger,
      state: cell,
      observer: opts.observer,
      lightweightSender: opts.lightweightSender,
      requestSession: () => this.requestSession(),
    });
    device.attach({ busy: () => this.sessionActive, on: (e) => this.onDomainEvent(e) });
  }

  private get rebootSchedule(): RebootSchedule {
    this.rebootScheduler ??= new RebootSchedule({
      model: this.device.model,
      ms: this.ms,
      clock: this.opts.clock,
      log: this.opts.logger,
      reboot: (reason) => {
        this.opts.logger.info({ reason }, 'scheduled reboot due');
        this.device.deviceAction('reboot');
      },
    });
    return this.rebootScheduler;
  }

  start(): void {
    this.running = true;
  }

  /** Stops timers and waits for the session in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimers();
    await this.changes.stop();
    await this.loop;
  }

  onSessionEnd(listener: SessionListener): void {
    this.sessionListeners = this.sessionListeners.concat([listener]);
  }

  /** Resolves after the next session that ends from now on. */
  nextSession(): Promise<SessionOutcome> {
    return new Promise((resolve) => {
      const listener = (o: SessionOutcome): void => {
        this.sessionListeners = this.sessionListeners.filter((l) => l !== listener);
        resolve(o);
      };
      this.sessionListeners = this.sessionListeners.concat([listener]);
    });
  }

  get sessionsRun(): number {
    return this.sessionCount;
  }

  /** Queues an event and asks for a session (connection request, diagnostics, ...). */
  trigger(code: string, commandKey = ''): void {
    if (code === EventCode.ConnectionRequest && !this.hearsConnectionRequests()) {
      this.opts.logger.info('connection request while in standby without connection-request awareness: not heard');
      return;
    }
    this.cell.change((s) => void (s.events = addEvent(s.events, { code, commandKey })));
    this.requestSession();
  }

  /** Queues a CPE request (TransferComplete, ...) to be sent until the ACS acknowledges it. */
  queueCpeRequest(request: CpeRequest): void {
    this.cell.change((s) => void s.pendingCpeRequests.push(request));
  }

  /** Kicked (A.4.2.1): a session with 5 KICKED asks the ACS where the browser goes; without an answer in time, its own Next. */
  kick(request: KickedRequest, timeoutMs: number): Promise<string> {
    return new Promise((resolve) => {
      const done = (nextUrl: string | undefined): void => {
        timer.cancel();
        this.kickWaiters?.delete(request);
        // Answered or not, the browser has gone on: the request is not sent again.
        if (this.cell.state.pendingCpeRequests.includes(request))
          this.cell.change((s) => void s.pendingCpeRequests.splice(s.pendingCpeRequests.indexOf(request), 1));
        resolve(nextUrl || request.next);
      };
      const timer = this.opts.clock.setTimer(timeoutMs, () => done(undefined));
      (this.kickWaiters ??= new Map()).set(request, done);
      this.queueCpeRequest(request);
      this.requestSession();
    });
  }

  /* ---------- standby (TR-069 Annex L: ManagementServer.StandbyPolicy decides, so CWMP's) ---------- */

  enterStandby(requested: StandbyRequest): StandbyMode | StandbyRefusal {
    this.standbyState ??= new StandbyState(this.device.model, this.ms);
    const mode = this.standbyState.enter(requested, this.opts.clock.now(), this.cell.state.scheduledInforms.length > 0);
    this.opts.logger.info({ requested, granted: mode }, 'standby');
    return mode;
  }

  wake(): void {
    const result = this.standbyState?.wake(this.opts.clock.now());
    if (!result) return;
    this.opts.logger.info({ wakeup: result.wakeup, reasons: result.reasons }, 'awake');
    if (result.wakeup) this.cell.change((s) => void (s.events = addEvent(s.events, { code: EventCode.Wakeup, commandKey: '' })));
    if (result.resume) this.requestSession();
  }

  get standbyMode(): StandbyMode | undefined {
    return this.standbyState?.mode;
  }

  hearsConnectionRequests(): boolean {
    return this.standbyState?.hearsConnectionRequests() ?? true;
  }

  /* ---------- the device's domain events in CWMP's words ---------- */

  private onDomainEvent(e: DomainEvent): void {
    switch (e.kind) {
      case 'booted':
        return this.booted();
      case 'ready':
        if (this.rebootScheduler || RebootSchedule.wanted(this.device.model, this.ms)) this.rebootSchedule.boot();
        this.schedule.start();
        return this.requestSession();
      case 'going-down':
        return this.cancelTimers();
      case 'values-changed':
        this.schedule.settingsChanged(e.names);
        if (this.rebootScheduler || e.names.includes(this.ms.scheduleReboot) || e.names.includes(this.ms.delayReboot))
          this.rebootSchedule.settingsChanged(e.names);
        return this.changes.changed(e.names, e.origin);
      case 'transfer-finished':
      case 'du-change-finished':
        // Saved with the runtime's change that removed the finished work. A USP command's transfer is the USP endpoint's to tell.
        if (!e.report || (e.kind === 'transfer-finished' && e.transfer?.origin === 'USP')) return;
        this.queueCpeRequest(e.report);
        return this.requestSession();
      case 'diagnostics-complete':
        return this.trigger(EventCode.DiagnosticsComplete);
      case 'transfer-queued':
      case 'timer-fired':
        // A timer is USP's (Device.ScheduleTimer()): CWMP has none to tell.
        return;
    }
  }

  /** The device booted: the queue as a reboot leaves it, BOOT (and the configured URL where it changed). */
  private booted(): void {
    const { opts, ms } = this;
    const model = this.device.model;
    // A URL given in the configuration wins once each time it changes; between changes the ACS
    // may move the device by setting ManagementServer.URL itself.
    if (this.cell.state.configuredAcsUrl !== opts.acsUrl) model.provision({ [ms.url]: opts.acsUrl });
    // A Kicked request's browser is gone after a reboot: it is not sent again.
    this.cell.change((s) => {
      s.configuredAcsUrl = opts.acsUrl;
      s.events = addEvent(eventsAfterReboot(s.events), { code: EventCode.Boot, commandKey: '' });
      s.pendingCpeRequests = s.pendingCpeRequests.filter((r) => r.method !== 'Kicked');
    });
    this.changes.start();
  }

  /** A clock-driven Inform is due (see InformSchedule). */
  private informDue(kind: 'periodic' | 'heartbeat' | 'scheduled', entry?: ScheduledInform): void {
    if (kind === 'periodic') {
      // In standby without its timers the contact is missed, and counted for the wake-up.
      if (this.standbyState && !this.standbyState.contact('periodic')) return;
      this.trigger(EventCode.Periodic);
    } else if (kind === 'heartbeat') {
      // HeartbeatPolicy: 14 HEARTBEAT alone; when other events are pending their own session is due anyway.
      if (this.cell.state.events.length > 0 || this.cell.state.pendingCpeRequests.length > 0 || this.sessionActive) return;
      if (this.standbyState?.mode && !this.standbyState.mode.timerAware) return;
      this.heartbeatDue = true;
      this.requestSession();
    } else if (entry) {
      this.cell.change((s) => {
        s.scheduledInforms = s.scheduledInforms.filter((e) => e !== entry);
        s.events = addEvent(s.events, { code: EventCode.Scheduled, commandKey: '' });
        s.events = addEvent(s.events, { code: EventCode.MScheduleInform, commandKey: entry.commandKey });
      });
      // Missed in standby without timers: counted, and its events wait for the wake-up session.
      this.standbyState?.contact('scheduled');
      this.requestSession();
    }
  }

  /* ---------- sessions ---------- */

  requestSession(): void {
    if (!this.running) return;
    if (this.standbyState?.holdsSessions(this.cell.state.events, this.heartbeatDue)) return;
    this.sessionWanted = true;
    // While the device reboots, the session waits for its 'ready'.
    if (this.sessionActive || this.device.acting) return;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.sessionActive = true;
    this.loop = this.sessionLoop();
  }

  /** Whether a session now would carry anything: an event, a CPE request, a heartbeat, a first contact with this URL. */
  private hasSomethingToReport(): boolean {
    return (
      this.cell.state.events.length > 0 ||
      this.cell.state.pendingCpeRequests.length > 0 ||
      this.heartbeatDue ||
      this.device.model.read(this.ms.url) !== this.cell.state.bootstrappedUrl
    );
  }

  private async sessionLoop(): Promise<void> {
    const { opts } = this;
    try {
      while (this.running && this.sessionWanted) {
        this.sessionWanted = false;
        if (this.device.model.read(this.ms.enableCwmp) !== 'true') break;
        // A trigger whose event was already pending (a periodic firing, a connection request while
        // the session carrying it was in flight or at the gate) asked for nothing new.
        if (!this.hasSomethingToReport()) break;
        const release = opts.sessionGate ? await opts.sessionGate.acquire() : undefined;
        if (!this.running || !this.hasSomethingToReport()) {
          release?.();
          break;
        }
        const startedAt = opts.clock.now();
        let ran: Awaited<ReturnType<typeof runCwmpSession>>;
        try {
          ran = await this.runSession();
        } finally {
          release?.();
        }
        const { outcome } = ran;
        const timing: SessionTiming = { startedAt, endedAt: opts.clock.now(), events: ran.events, rpcs: ran.rpcs };
        opts.observer?.sessionEnded?.(outcome.ok, (timing.endedAt - timing.startedAt) / 1000, ran.events[0] ?? '', this.device.identity.serialNumber);
        this.afterSessionOutcome(outcome);
        for (const l of this.sessionListeners) l(outcome, timing);
        this.device.exchangeEnded();
        // A reboot or reset accepted, or due, happens after the session however it ended: the ACS
        // may have seen the RebootResponse, and a scheduled reboot does not depend on the ACS at all.
        const deferred = this.device.pendingAction !== undefined;
        if (deferred) await this.device.carryOutPendingAction();
        // After a reboot the device's boot session is due whatever the last one did.
        if (!outcome.ok && !deferred) break;
      }
    } catch (err) {
      opts.logger.error({ err }, 'session loop failed');
    } finally {
      this.sessionActive = false;
    }
    this.device.idle();
  }

  private runSession(): ReturnType<typeof runCwmpSession> {
    const url = this.device.model.read(this.ms.url);
    if (url !== this.cell.state.bootstrappedUrl) this.cell.change((s) => void (s.events = addEvent(s.events, { code: EventCode.Bootstrap, commandKey: '' })));
    const heartbeat = this.heartbeatDue;
    this.heartbeatDue = false;
    return runCwmpSession({
      opts: this.opts,
      device: this.device,
      ms: this.ms,
      url,
      state: this.cell.state,
      heartbeat,
      sessionNo: ++this.sessionCount,
      // Recorded only for a listener (the control API): a fleet nobody watches keeps nothing.
      recordRpcs: this.opts.recordSessionRpcs ? this.opts.recordSessionRpcs() : this.sessionListeners.length > 0,
      rpcControl: { state: this.cell, schedule: this.schedule },
      onAcknowledgement: (ack, sent) => this.acknowledge(ack, sent, url),
      stopping: () => !this.running,
    });
  }

  private acknowledge(ack: Acknowledgement, sent: ComposedInform, url: string): void {
    this.cell.change((s) => applyAcknowledgement(s, ack, sent, url));
    if (ack.kind === 'inform') return;
    this.opts.observer?.cpeRequest?.(ack.request.method);
    const waiter = this.kickWaiters?.get(ack.request);
    if (waiter) queueMicrotask(() => waiter(ack.kind === 'cpeRequest' && ack.response.method === 'KickedResponse' ? ack.response.nextURL : undefined));
    if (ack.kind === 'cpeRequestRejected')
      this.opts.logger.warn({ method: ack.request.method, faultCode: ack.faultCode, faultString: ack.faultString }, 'ACS rejected a CPE request');
  }

  private afterSessionOutcome(outcome: SessionOutcome): void {
    const { opts } = this;
    this.rebootScheduler?.sessionEnded();
    if (outcome.ok) {
      this.changes.sessionEnded(opts.clock.now());
      this.cell.change((s) => void (s.retryCount = 0));
      return;
    }
    this.cell.change((s) => {
      if (!outcome.informAcknowledged) s.events = eventsAfterFailedSession(s.events);
      s.retryCount += 1;
    });
    // Browsers waiting on a Kicked request go on to their own Next rather than wait for a retry.
    for (const waiter of [...(this.kickWaiters?.values() ?? [])]) waiter(undefined);
    const model = this.device.model;
    const policy = {
      minimumWaitSeconds: Number(model.read(this.ms.retryMinimumWaitInterval)),
      intervalMultiplier: Number(model.read(this.ms.retryIntervalMultiplier)),
    };
    // An overloaded ACS's Retry-After (bounded, and spread so a crowd turned away together does
    // not come back together) comes on top of the TR-069 wait.
    const asked = Math.min(outcome.retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS);
    const wait = retryAfterWaitSeconds(asked, opts.random(), policy) + retryWaitSeconds(this.cell.state.retryCount, opts.random(), policy);
    opts.logger.warn(
      { retry: this.cell.state.retryCount, waitSeconds: Math.round(wait * 10) / 10, ...(asked > 0 ? { retryAfterSeconds: asked } : {}) },
      'session failed; retrying',
    );
    opts.observer?.retry?.(wait);
    this.retryTimer = opts.clock.setTimer(wait * 1000, () => {
      this.retryTimer = undefined;
      this.requestSession();
    });
  }

  private cancelTimers(): void {
    this.schedule.stop();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.changes.pause();
    this.rebootScheduler?.stop();
  }
}

/** The longest Retry-After an ACS's 503 can impose (then the TR-069 wait follows as usual). */
const MAX_RETRY_AFTER_SECONDS = 3600;
