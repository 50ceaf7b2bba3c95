/**
 * One CWMP agent: wires the event queue, the data model, the session engine and the device
 * together. It decides when a session runs (boot, periodic, scheduled, value change,
 * connection request, retry), runs one at a time, and carries out deferred actions after it.
 *
 * Why one file of this size: the session loop, the life cycle (boot, reboot, factory reset,
 * standby) and the RPC-facing controls share one invariant (at most one session, deferred
 * actions after it) and one persisted state. What does not need them lives beside it, as
 * functions (no extra object per fleet device): schedules, standby rules, Inform composition,
 * state saving, value-change routing, autonomous transfers, assembly from a configuration.
 */
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { addEvent, EventCode, eventsAfterFailedSession, eventsAfterReboot, type CwmpEvent } from '../cwmp/events.js';
import { retryAfterWaitSeconds, retryWaitSeconds } from '../cwmp/retry.js';
import type { CwmpVersion } from '../cwmp/namespaces.js';
import type {
  AcsRequest,
  AutonomousTransferCompleteRequest,
  CpeRequest,
  DuOperation,
  CpeResponse,
  KickedRequest,
  TransferCompleteRequest,
} from '../cwmp/messages.js';
import type { TransferRecord } from '../cwmp/transfer-record.js';
import { TransferRunner, type TransferRunnerOptions } from '../transfers/transfer-runner.js';
import type { DuRunner } from '../transfers/du-runner.js';
import type { DuChangeRecord } from '../cwmp/du-change.js';
import { duRunnerFor } from './du-changes.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { DataModel, type ModelStore } from '../datamodel/data-model.js';
import type { Schema } from '../datamodel/schema.js';
import { reRootProviders } from '../datamodel/re-root.js';
import { deviceInfoPaths, managementServerPaths, type DeviceInfoPaths, type ManagementServerPaths } from '../models/device-core.js';
import { BUILT_IN_SCHEMA } from '../models/built-in.js';
import { identityValues, type DeviceHooks } from '../providers/device.js';
import { dispatch, type AgentControl } from '../rpc/dispatcher.js';
import type { ExchangeRecord, TlsOptions } from '../session/acs-transport.js';
import type { DeviceTrace } from '../log/trace-record.js';
import type { AgentObserver } from './agent-observer.js';
import { CwmpFault, parameterFault } from '../cwmp/faults.js';
import type { AgentMisbehaviour, AnswerMisbehaviour } from './agent-misbehaviour.js';
import { driveSession } from '../session/session-driver.js';
import { SessionMachine, type Acknowledgement, type SessionOutcome } from '../session/session-machine.js';
import { emptyAgentState, type AgentState, type AgentStateStore, type ScheduledInform } from '../storage/agent-state.js';
import { LightweightNotifier } from '../notifications/lightweight-notifier.js';
import { autonomousDownloadRecord, type AutonomousDownload } from './autonomous-transfer.js';
import { applyAcknowledgement, composeInform, type ComposedInform } from './session-inform.js';
import { changeForAcs, saveQuietly } from './state-saving.js';
import { routeChanges } from './value-change-levels.js';
import { RebootSchedule } from './reboot-schedule.js';
import { SupportedDataModelProvider } from '../providers/supported-data-model-provider.js';
import { InformSchedule } from './inform-schedule.js';
import { StandbyState, type StandbyMode, type StandbyRefusal, type StandbyRequest } from './standby.js';
import { ActiveNotificationPacer, type NotificationLimit } from '../notifications/active-notification-pacer.js';
import { udpDatagramSender, type DatagramSender, type UdpDatagramSender } from '../notifications/udp-datagram-sender.js';

export interface AgentOptions {
  acsUrl: string;
  acsUsername?: string;
  acsPassword?: string;
  tls?: TlsOptions;
  /** Hosts besides the ACS URL's own that the ACS may redirect a session to (see AcsTransport). */
  acsRedirectHosts?: readonly string[];
  cwmpVersion: CwmpVersion;
  device: DeviceHooks;
  stateStore: AgentStateStore;
  modelStore: ModelStore;
  clock: Clock;
  random: () => number;
  logger: Logger;
  /** Per HTTP exchange with the ACS. */
  requestTimeoutMs?: number;
  /** A whole session; one that runs longer is abandoned as failed. */
  sessionTimeoutMs?: number;
  maxBodyBytes?: number;
  /** Initial PeriodicInformInterval, seconds, for a new device. */
  periodicInformInterval?: number;
  /**
   * Whether to record each session's RPC methods for those told of its end (a dashboard); by
   * default when anyone listens for session ends. A fleet asks its watchers once for all devices.
   */
  recordSessionRpcs?: () => boolean;
  /** Initial ConnectionRequestUsername and Password (factory values: the ACS may set others). */
  connectionRequestUsername?: string;
  connectionRequestPassword?: string;
  schema?: Schema;
  /**
   * Values over the schema's defaults that many devices share (a fleet profile): read through,
   * never copied. The device's identity and the options above come on top.
   */
  baseValues?: Readonly<Record<string, string>>;
  /**
   * How often provider-driven values with notification on are read for changes, seconds
   * (providers that push their changes need none). Default 10.
   */
  notificationPollSeconds?: number;
  /** File transfers: staging folder, TLS for file servers, the log an Upload sends, limits. */
  transfers?: Omit<TransferRunnerOptions, 'parameterKeyName'>;
  /** Misbehaves on purpose (a test harness): faults, delays, dropped connections, failed transfers. */
  misbehaviour?: AgentMisbehaviour;
  /** Waits for a place before each session (a fleet's bound on sessions in flight); none by default. */
  sessionGate?: { acquire(): Promise<() => void> };
  /** Told of sessions, RPCs, transfers and the rest as they happen (metrics); one may serve a fleet. */
  observer?: AgentObserver;
  /** The wire trace of this device (sessions, connection requests, transfers); none when absent. */
  trace?: DeviceTrace;
  /** Sends UDP Lightweight Notifications (a fleet shares one); by default the agent's own socket. */
  lightweightSender?: DatagramSender;
}

export interface SessionTiming {
  /** Epoch ms from the agent's clock. */
  startedAt: number;
  endedAt: number;
  /** The event codes its Inform carried. */
  events: readonly string[];
  /** The ACS's requests it answered, by method, in order (kept only while someone listens for session ends). */
  rpcs: readonly string[];
}

export class Agent implements AgentControl {
  readonly model: DataModel;
  /** ManagementServer paths under this device's root object (Device. or InternetGatewayDevice.). */
  readonly ms: ManagementServerPaths;
  readonly deviceInfo: DeviceInfoPaths;
  private state: AgentState;
  private running = false;
  private sessionActive = false;
  private sessionWanted = false;
  private loop: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private livePollTimer: TimerHandle | undefined;
  /** A Heartbeat is due: the next session carries 14 HEARTBEAT alone. */
  private heartbeatDue = false;
  private afterSession: (() => Promise<void>) | undefined;
  private sessionCount = 0;
  /** What the answer being sent is to suffer (dropped, malformed), set by a misbehaviour rule. */
  private answerMisbehaviour: AnswerMisbehaviour | undefined;
  // Replaced, not pushed to (see DataModel's listeners): a fleet holds one per device.
  private sessionListeners: readonly ((o: SessionOutcome, timing: SessionTiming) => void)[] = [];
  private transferRunnerInstance: TransferRunner | undefined;
  /** Made when a software-module change is first queued: most fleet devices never get one. */
  private duRunnerInstance: DuRunner | undefined;
  private readonly schedule: InformSchedule;
  /** Made when first needed: most devices never use Lightweight Notifications or reboot schedules. */
  private lightweightNotifier: LightweightNotifier | undefined;
  private rebootScheduler: RebootSchedule | undefined;
  private readonly pacer: ActiveNotificationPacer;
  /** Made when the device first goes into standby. */
  private standbyState: StandbyState | undefined;
  /** Browsers waiting for the ACS's answer to a Kicked request. */
  private kickWaiters: Map<CpeRequest, (nextUrl: string | undefined) => void> | undefined;
  /** A session was wanted during standby and waits for wake(). */
  private heldForWake = false;
  /** A session held back by the pacer, and when it is due. */
  private throttleTimer: TimerHandle | undefined;
  private throttleDue = 0;
  private ownSender: UdpDatagramSender | undefined;

  constructor(private readonly opts: AgentOptions) {
    const schema = opts.schema ?? BUILT_IN_SCHEMA;
    this.ms = managementServerPaths(schema.root);
    this.deviceInfo = deviceInfoPaths(schema.root);
    const initial: Record<string, string> = Object.assign(
      Object.create(opts.baseValues ?? null) as Record<string, string>,
      identityValues(opts.device.identity, schema.root),
      { [this.ms.url]: opts.acsUrl },
    );
    if (opts.acsUsername !== undefined) initial[this.ms.username] = opts.acsUsername;
    if (opts.acsPassword !== undefined) initial[this.ms.password] = opts.acsPassword;
    if (opts.periodicInformInterval !== undefined) initial[this.ms.periodicInformInterval] = String(opts.periodicInformInterval);
    if (opts.connectionRequestUsername !== undefined) initial[this.ms.connectionRequestUsername] = opts.connectionRequestUsername;
    if (opts.connectionRequestPassword !== undefined) initial[this.ms.connectionRequestPassword] = opts.connectionRequestPassword;
    const standby = opts.device.standby;
    if (standby) {
      initial[this.ms.standby.networkAwarenessCapable] = String(standby.crAware);
      initial[this.ms.standby.selfTimerCapable] = String(standby.timerAware);
    }
    // The device's providers, and the one entry of DeviceInfo.SupportedDataModel (the agent's own DT).
    // concat, not spread: the list is this device's for good, and spread leaves room for 20 more.
    const providers = reRootProviders(opts.device.providers, schema.root).concat([new SupportedDataModelProvider(schema, this.ms.connectionRequestUrl)]);
    this.model = new DataModel(schema, opts.modelStore, providers, initial, {
      instanceModeParameter: this.ms.instanceMode,
      autoCreateParameter: this.ms.autoCreateInstances,
    });
    this.model.onChange((names, origin) => this.onValuesChanged(names, origin));
    this.state = opts.stateStore.load();
    this.schedule = new InformSchedule({
      model: this.model,
      ms: this.ms,
      clock: opts.clock,
      scheduled: () => this.state.scheduledInforms,
      due: (kind, entry) => this.informDue(kind, entry),
    });
    this.pacer = new ActiveNotificationPacer(this.model, this.ms.defaultActiveNotificationThrottle, notificationLimits(this.ms));
  }

  private get lightweight(): LightweightNotifier {
    if (!this.lightweightNotifier) {
      const opts = this.opts;
      const notifier = new LightweightNotifier({
        model: this.model,
        ms: this.ms,
        deviceInfo: this.deviceInfo,
        clock: opts.clock,
        log: opts.logger,
        backlog: () => this.state.lightweight,
        saveBacklog: (b) => this.mutate((s) => void (s.lightweight = b)),
        send: opts.lightweightSender ?? ((host, port, datagrams) => (this.ownSender ??= udpDatagramSender()).send(host, port, datagrams)),
      });
      this.lightweightNotifier = notifier;
      if (this.running) notifier.start();
    }
    return this.lightweightNotifier;
  }

  private get rebootSchedule(): RebootSchedule {
    this.rebootScheduler ??= new RebootSchedule({
      model: this.model,
      ms: this.ms,
      clock: this.opts.clock,
      log: this.opts.logger,
      reboot: (reason) => {
        this.log.info({ reason }, 'scheduled reboot due');
        this.rebootWhenIdle();
      },
    });
    return this.rebootScheduler;
  }

  get log(): Logger {
    return this.opts.logger;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  /** The trust the ACS connection uses (CA, client certificate), for the agent's other TLS links. */
  get tls(): TlsOptions | undefined {
    return this.opts.tls;
  }

  /** How this device misbehaves on purpose, if it does (the edges ask it too). */
  get misbehaviour(): AgentMisbehaviour | undefined {
    return this.opts.misbehaviour;
  }

  /** Who counts what this agent does (metrics), when anyone does; the edges report to it too. */
  get observer(): AgentObserver | undefined {
    return this.opts.observer;
  }

  /** This device's wire trace, when tracing is on (the edges add their records to it). */
  get trace(): DeviceTrace | undefined {
    return this.opts.trace;
  }

  get random(): () => number {
    return this.opts.random;
  }

  /** Boots the agent: restores state, queues BOOT (and BOOTSTRAP where due), starts a session. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.boot();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimers();
    this.transferRunnerInstance?.stop();
    this.duRunnerInstance?.stop();
    this.model.close();
    await this.lightweightNotifier?.stop();
    this.ownSender?.close();
    await this.loop;
    // Whatever a full disk kept from being saved gets one more try.
    this.opts.stateStore.flush?.();
    this.opts.modelStore.flush?.();
  }

  /** Calls `listener` after every session. */
  onSessionEnd(listener: (o: SessionOutcome, timing: SessionTiming) => void): void {
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

  /** Queues an event and asks for a session (connection request, diagnostics, ...). */
  trigger(code: string, commandKey = ''): void {
    if (code === EventCode.ConnectionRequest && !this.hearsConnectionRequests()) {
      this.log.info('connection request while in standby without connection-request awareness: not heard');
      return;
    }
    this.mutate((s) => void (s.events = addEvent(s.events, { code, commandKey })));
    this.requestSession();
  }

  /** A clock-driven Inform is due (see InformSchedule). */
  private informDue(kind: 'periodic' | 'heartbeat' | 'scheduled', entry?: ScheduledInform): void {
    if (kind === 'periodic') {
      // In standby without its timers the contact is missed, and counted for the wake-up.
      if (this.standbyState && !this.standbyState.contact('periodic')) return;
      this.trigger(EventCode.Periodic);
    } else if (kind === 'heartbeat') {
      // HeartbeatPolicy: 14 HEARTBEAT alone; when other events are pending their own session is due anyway.
      if (this.state.events.length > 0 || this.state.pendingCpeRequests.length > 0 || this.sessionActive) return;
      if (this.standbyState?.mode && !this.standbyState.mode.timerAware) return;
      this.heartbeatDue = true;
      this.requestSession();
    } else if (entry) {
      this.mutate((s) => {
        s.scheduledInforms = s.scheduledInforms.filter((e) => e !== entry);
        s.events = addEvent(s.events, { code: EventCode.Scheduled, commandKey: '' });
        s.events = addEvent(s.events, { code: EventCode.MScheduleInform, commandKey: entry.commandKey });
      });
      // Missed in standby without timers: counted, and its events wait for the wake-up session.
      this.standbyState?.contact('scheduled');
      this.requestSession();
    }
  }

  /* ---------- standby (TR-069 Annex L) ---------- */

  /**
   * The device goes into standby. StandbyPolicy may keep it more aware than it asks (or awake:
   * the refusal says why). Until wake(), sessions wait except those its awareness allows.
   */
  enterStandby(requested: StandbyRequest): StandbyMode | StandbyRefusal {
    this.standbyState ??= new StandbyState(this.model, this.ms);
    const mode = this.standbyState.enter(requested, this.opts.clock.now(), this.state.scheduledInforms.length > 0);
    this.log.info({ requested, granted: mode }, 'standby');
    return mode;
  }

  /** Back from standby: the sessions held meanwhile, and 13 WAKEUP where StandbyPolicy asks for it. */
  wake(): void {
    const result = this.standbyState?.wake(this.opts.clock.now());
    if (!result) return;
    this.log.info({ wakeup: result.wakeup, reasons: result.reasons }, 'awake');
    if (result.wakeup) this.mutate((s) => void (s.events = addEvent(s.events, { code: EventCode.Wakeup, commandKey: '' })));
    if (result.wakeup || this.heldForWake) {
      this.heldForWake = false;
      this.requestSession();
    }
  }

  get standbyMode(): StandbyMode | undefined {
    return this.standbyState?.mode;
  }

  /** Whether a connection request reaches the device now (not in a standby deaf to them). */
  hearsConnectionRequests(): boolean {
    return this.standbyState?.hearsConnectionRequests() ?? true;
  }

  /** In standby, only the contacts its awareness allows open a session; the rest wait for wake(). */
  private standbyHoldsSessions(): boolean {
    const mode = this.standbyState?.mode;
    if (!mode) return false;
    const codes = this.state.events.map((e) => e.code);
    if (mode.crAware && codes.includes(EventCode.ConnectionRequest)) return false;
    if (mode.timerAware && (codes.includes(EventCode.Periodic) || codes.includes(EventCode.Scheduled) || this.heartbeatDue)) return false;
    return true;
  }

  get pendingEvents(): readonly CwmpEvent[] {
    return this.state.events;
  }

  get retryCount(): number {
    return this.state.retryCount;
  }

  /** Queues a CPE request (TransferComplete, ...) to be sent until the ACS acknowledges it. */
  queueCpeRequest(request: CpeRequest): void {
    this.mutate((s) => void s.pendingCpeRequests.push(request));
  }

  /**
   * Kicked (A.4.2.1): a browser on the LAN came to the KickURL. A session with 5 KICKED asks the
   * ACS where it goes next; without an answer in time (no ACS, a fault) it goes to its own Next.
   */
  kick(k: Omit<KickedRequest, 'method'>, timeoutMs = 30_000): Promise<string> {
    const request: KickedRequest = { method: 'Kicked', ...k };
    return new Promise((resolve) => {
      const done = (nextUrl: string | undefined): void => {
        timer.cancel();
        this.kickWaiters?.delete(request);
        // Answered or not, the browser has gone on: the request is not sent again.
        if (this.state.pendingCpeRequests.includes(request)) this.mutate((s) => void s.pendingCpeRequests.splice(s.pendingCpeRequests.indexOf(request), 1));
        resolve(nextUrl || request.next);
      };
      const timer = this.opts.clock.setTimer(timeoutMs, () => done(undefined));
      (this.kickWaiters ??= new Map()).set(request, done);
      this.queueCpeRequest(request);
      this.requestSession();
    });
  }

  /** RequestDownload (A.4.2.2): asks the ACS for a file of this type, until it acknowledges. */
  requestDownload(fileType: string, fileTypeArgs: { name: string; value: string }[] = []): void {
    this.queueCpeRequest({ method: 'RequestDownload', fileType, fileTypeArgs });
    this.requestSession();
  }

  /** A download the device starts by itself, reported with AutonomousTransferComplete. */
  autonomousDownload(d: AutonomousDownload): void {
    const managed = this.model.definitionOf(this.ms.upgradesManaged) !== undefined && this.model.read(this.ms.upgradesManaged) === 'true';
    this.queueTransfer(autonomousDownloadRecord(d, this.newTransferId(), this.opts.clock.now(), managed));
  }

  /* ---------- AgentControl: what RPC handlers ask for ---------- */

  now(): number {
    return this.opts.clock.now();
  }

  newTransferId(): string {
    return `${this.opts.clock.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  transferQueue(): readonly TransferRecord[] {
    return this.state.transfers;
  }

  /** The transfers accepted and not yet reported, with the bytes fetched so far: no URLs, no credentials. */
  transferProgress(): { commandKey: string; fileType: string; isDownload: boolean; phase: string; bytes: number | null; total: number | null }[] {
    return this.state.transfers.map((t) => {
      const p = this.transferRunnerInstance?.progressOf(t.id);
      return {
        commandKey: t.commandKey,
        fileType: t.fileType,
        isDownload: t.isDownload,
        phase: t.phase,
        bytes: p?.bytes ?? null,
        total: p?.total ?? (t.fileSize > 0 ? t.fileSize : null),
      };
    });
  }

  queueTransfer(t: TransferRecord): void {
    this.mutateForAcs((s) => void s.transfers.push(t));
    this.opts.trace?.({
      kind: 'transfer',
      dir: 'in',
      method: t.isDownload ? 'download' : 'upload',
      url: t.url,
      note: `${t.fileType} queued (${t.origin}, CommandKey ${JSON.stringify(t.commandKey)})`,
    });
    this.log.info({ commandKey: t.commandKey, fileType: t.fileType, origin: t.origin }, 'transfer queued');
    this.transferRunner.wake();
  }

  transferInSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }> {
    this.log.info({ commandKey: t.commandKey, fileType: t.fileType }, 'download within the session');
    return this.transferRunner.runInSession(t);
  }

  /** Made when a transfer is first queued, or at boot when one waits: most fleet devices never get one. */
  private get transferRunner(): TransferRunner {
    if (this.transferRunnerInstance) return this.transferRunnerInstance;
    const opts = this.opts;
    const agent = this;
    this.transferRunnerInstance = new TransferRunner(
      {
        clock: opts.clock,
        log: opts.logger,
        model: this.model,
        files: opts.device.files,
        productClass: opts.device.identity.productClass,
        get sessionActive() {
          return agent.sessionActive;
        },
        transfers: () => this.state.transfers,
        updateTransfer: (id, patch) => this.mutate((s) => void (s.transfers = s.transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)))),
        finishTransfer: (id, report) => this.finishTransfer(id, report),
        rebootForTransfer: () => this.rebootWhenIdle(),
        misbehaviour: opts.misbehaviour?.transfer ? (t) => opts.misbehaviour?.transfer?.(opts.device.identity.serialNumber, t.fileType) : undefined,
        rebootLoopBoots: opts.misbehaviour?.rebootLoop ? () => opts.misbehaviour?.rebootLoop?.(opts.device.identity.serialNumber) : undefined,
      },
      { ...opts.transfers, parameterKeyName: this.ms.parameterKey },
    );
    return this.transferRunnerInstance;
  }

  private get duRunner(): DuRunner {
    this.duRunnerInstance ??= duRunnerFor(
      {
        clock: this.opts.clock,
        log: this.log,
        model: this.model,
        software: this.opts.device.software,
        sessionActive: () => this.sessionActive,
        state: () => this.state,
        mutate: (change) => this.mutate(change),
        requestSession: () => this.requestSession(),
      },
      { stagingDir: this.opts.transfers?.stagingDir, tls: this.opts.transfers?.tls, idleTimeoutMs: this.opts.transfers?.idleTimeoutMs },
    );
    return this.duRunnerInstance;
  }

  duChangeQueue(): readonly DuChangeRecord[] {
    return this.state.duChanges;
  }

  get hasSoftwareModules(): boolean {
    return this.opts.device.software !== undefined;
  }

  /** Persists an accepted ChangeDUState; it runs after the session. */
  queueDuChange(c: DuChangeRecord): void {
    this.mutateForAcs((s) => void s.duChanges.push(c));
    this.log.info({ commandKey: c.commandKey, operations: c.operations.map((o) => o.op.op), origin: c.origin }, 'deployment unit change queued');
    this.duRunner.wake();
  }

  /**
   * A change the device makes by itself (a local installer, a user): carried out like a
   * ChangeDUState and reported with AutonomousDUStateChangeComplete where
   * ManagementServer.DUStateChangeComplPolicy asks for it.
   */
  autonomousDuChange(operations: DuOperation[]): void {
    const id = (): string => this.newTransferId();
    this.queueDuChange({
      id: id(),
      origin: 'Autonomous',
      commandKey: '',
      acceptedAt: this.opts.clock.now(),
      operations: operations.map((op) => ({ id: id(), op, startedAt: null, attempts: 0, result: null })),
    });
  }

  cancelTransfers(list: readonly TransferRecord[]): void {
    const ids = new Set(list.map((t) => t.id));
    this.mutateForAcs((s) => void (s.transfers = s.transfers.filter((t) => !ids.has(t.id))));
    for (const t of list) this.transferRunnerInstance?.cancel(t);
  }

  scheduleInform(delaySeconds: number, commandKey: string): void {
    const at = this.opts.clock.now() + delaySeconds * 1000;
    this.mutateForAcs((s) => void s.scheduledInforms.push({ at, commandKey }));
    this.schedule.armScheduled();
  }

  requestReboot(commandKey: string): void {
    // M Reboot is persisted before the RebootResponse goes out, so it survives the reboot.
    this.mutateForAcs((s) => {
      s.events = addEvent(s.events, { code: EventCode.MReboot, commandKey });
      s.pendingDeviceAction = { kind: 'reboot' };
    });
  }

  requestFactoryReset(): void {
    this.mutateForAcs((s) => void (s.pendingDeviceAction = { kind: 'factoryReset' }));
  }

  /* ---------- boot and scheduling ---------- */

  private boot(): void {
    const loaded = this.opts.stateStore.load();
    // A URL given in the configuration wins once each time it changes; between changes the ACS
    // may move the device by setting ManagementServer.URL itself.
    if (loaded.configuredAcsUrl !== this.opts.acsUrl) {
      this.model.provision({ [this.ms.url]: this.opts.acsUrl });
      loaded.configuredAcsUrl = this.opts.acsUrl;
    }
    // A device action persisted but never carried out (power cut right after the session): do it now.
    const action = loaded.pendingDeviceAction;
    if (action?.kind === 'factoryReset') {
      this.resetToFactory();
    } else {
      // A Kicked request's browser is gone after a reboot: it is not sent again.
      this.state = {
        ...loaded,
        events: eventsAfterReboot(loaded.events),
        pendingDeviceAction: null,
        pendingCpeRequests: loaded.pendingCpeRequests.filter((r) => r.method !== 'Kicked'),
      };
      this.state.events = addEvent(this.state.events, { code: EventCode.Boot, commandKey: '' });
      this.persistState();
    }
    if (this.state.transfers.length > 0) this.transferRunner.onBoot();
    this.opts.device.software?.boot();
    if (this.state.duChanges.length > 0) this.duRunner.onBoot();
    // Made here only when there is something to do; otherwise when the ACS first sets them.
    if (this.lightweightNotifier) this.lightweightNotifier.start();
    else if (LightweightNotifier.wanted(this.model, this.ms, this.state.lightweight)) void this.lightweight;
    if (this.rebootScheduler || RebootSchedule.wanted(this.model, this.ms)) this.rebootSchedule.boot();
    this.schedule.start();
    // A firmware upgrade, another gateway: forced-notification values that changed while down
    // go with the boot session (everything else it carries is queued by now).
    // The event is saved before the new values are recorded: a stop in between reports the change again, never loses it.
    const whileDown = this.model.forcedChangesSinceLastBoot();
    if (whileDown.changed.length > 0) this.onValuesChanged(whileDown.changed, 'device');
    whileDown.record();
    this.requestSession();
  }

  private finishTransfer(id: string, report: TransferCompleteRequest | AutonomousTransferCompleteRequest | undefined): void {
    if (report && this.opts.observer?.transfer) {
      const t = this.state.transfers.find((x) => x.id === id);
      this.opts.observer.transfer(t?.isDownload === false ? 'upload' : 'download', report.fault.faultCode, this.opts.device.identity.serialNumber);
    }
    if (this.opts.trace) {
      const t = this.state.transfers.find((x) => x.id === id);
      this.opts.trace({
        kind: 'transfer',
        dir: 'out',
        method: t?.isDownload === false ? 'upload' : 'download',
        url: t?.url,
        note: report ? `done: FaultCode ${report.fault.faultCode} ${report.fault.faultString}`.trim() : 'done, nothing to report',
      });
    }
    this.mutate((s) => {
      s.transfers = s.transfers.filter((t) => t.id !== id);
      if (report) s.pendingCpeRequests.push(report);
    });
    if (report) this.requestSession();
  }

  /** The device reboots (or is reset to its factory state) by itself: now, or after the session in progress. */
  deviceAction(kind: 'reboot' | 'factoryReset'): void {
    if (kind === 'reboot') return this.rebootWhenIdle();
    this.mutate((s) => void (s.pendingDeviceAction = { kind: 'factoryReset' }));
    this.carryOutWhenIdle('factoryReset');
  }

  /** How many sessions this agent has run (the number of the last one: the wire trace's session). */
  get sessionsRun(): number {
    return this.sessionCount;
  }

  /** Reboots now, or after the session in progress (a firmware install, a scheduled reboot). */
  private rebootWhenIdle(): void {
    this.mutate((s) => void (s.pendingDeviceAction = { kind: 'reboot' }));
    this.carryOutWhenIdle('reboot');
  }

  private carryOutWhenIdle(kind: 'reboot' | 'factoryReset'): void {
    if (!this.sessionActive && this.running) {
      this.sessionActive = true;
      this.loop = this.carryOut(kind).finally(() => {
        this.sessionActive = false;
        if (this.sessionWanted) this.requestSession();
      });
    }
  }

  private resetToFactory(): void {
    this.model.factoryReset();
    this.state = { ...emptyAgentState(), events: [{ code: EventCode.Boot, commandKey: '' }], configuredAcsUrl: this.opts.acsUrl };
    this.persistState();
  }

  private cancelTimers(): void {
    this.schedule.stop();
    this.retryTimer?.cancel();
    this.livePollTimer?.cancel();
    this.throttleTimer?.cancel();
    this.rebootScheduler?.stop();
    this.retryTimer = this.livePollTimer = this.throttleTimer = undefined;
  }

  private onValuesChanged(names: string[], origin: 'acs' | 'device'): void {
    this.schedule.settingsChanged(names);
    const lightweightSettings = LightweightNotifier.settings(this.ms);
    if (this.lightweightNotifier || names.some((n) => lightweightSettings.has(n))) this.lightweight.settingsChanged(names);
    if (this.rebootScheduler || names.includes(this.ms.scheduleReboot) || names.includes(this.ms.delayReboot)) this.rebootSchedule.settingsChanged(names);
    // Changes the ACS made itself are not reported back to it.
    if (origin === 'acs') return;
    const routed = routeChanges(this.model, names);
    if (routed.lightweightPassive.length + routed.lightweightActive.length > 0) {
      this.lightweight.changed(routed.lightweightPassive, routed.lightweightActive);
      this.opts.observer?.notification?.('lightweight', routed.lightweightPassive.length + routed.lightweightActive.length);
    }
    if (routed.inInform.length === 0) return;
    this.mutate((s) => {
      s.changedParameters = [...new Set([...s.changedParameters, ...routed.inInform])];
      s.events = addEvent(s.events, { code: EventCode.ValueChange, commandKey: '' });
    });
    this.opts.observer?.notification?.('value-change', routed.inInform.length);
    if (routed.active.length > 0) {
      this.opts.observer?.notification?.('active', routed.active.length);
      this.requestActiveNotificationSession(routed.active);
    }
  }

  /**
   * A session to deliver active notifications, when the pacer allows (throttle, per-parameter
   * limits). Any other session meanwhile carries them, and then this one is not needed.
   */
  private requestActiveNotificationSession(changed: readonly string[]): void {
    const now = this.opts.clock.now();
    const wait = this.pacer.delay(changed, now);
    if (wait <= 0) return this.requestSession();
    if (this.throttleTimer && this.throttleDue <= now + wait) return;
    this.throttleTimer?.cancel();
    this.throttleDue = now + wait;
    this.throttleTimer = this.opts.clock.setTimer(wait, () => {
      this.throttleTimer = undefined;
      if (this.state.events.some((e) => e.code === EventCode.ValueChange)) this.requestSession();
    });
  }

  /* ---------- sessions ---------- */

  private requestSession(): void {
    if (!this.running) return;
    if (this.standbyHoldsSessions()) {
      this.heldForWake = true;
      return;
    }
    this.sessionWanted = true;
    if (this.sessionActive) return;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.sessionActive = true;
    this.loop = this.sessionLoop();
  }

  /** Whether a session now would carry anything: an event, a CPE request, a heartbeat, a first contact with this URL. */
  private hasSomethingToReport(): boolean {
    return (
      this.state.events.length > 0 ||
      this.state.pendingCpeRequests.length > 0 ||
      this.heartbeatDue ||
      this.model.read(this.ms.url) !== this.state.bootstrappedUrl
    );
  }

  private async sessionLoop(): Promise<void> {
    try {
      while (this.running && this.sessionWanted) {
        this.sessionWanted = false;
        if (this.model.read(this.ms.enableCwmp) !== 'true') break;
        // A trigger whose event was already pending (a periodic firing, a connection request while
        // the session carrying it was in flight or at the gate) asked for nothing new.
        if (!this.hasSomethingToReport()) break;
        const release = this.opts.sessionGate ? await this.opts.sessionGate.acquire() : undefined;
        if (!this.running || !this.hasSomethingToReport()) {
          release?.();
          break;
        }
        const startedAt = this.opts.clock.now();
        let ran: Awaited<ReturnType<Agent['runSession']>>;
        try {
          ran = await this.runSession();
        } finally {
          release?.();
        }
        const { outcome } = ran;
        const timing: SessionTiming = { startedAt, endedAt: this.opts.clock.now(), events: ran.events, rpcs: ran.rpcs };
        this.opts.observer?.sessionEnded?.(outcome.ok, (timing.endedAt - timing.startedAt) / 1000, ran.events[0] ?? '', this.opts.device.identity.serialNumber);
        this.afterSessionOutcome(outcome);
        for (const l of this.sessionListeners) l(outcome, timing);
        const deferred = this.afterSession;
        this.afterSession = undefined;
        if (deferred) await deferred();
        // After a reboot the device's boot session is due whatever the last one did.
        if (!outcome.ok && !deferred) break;
      }
    } catch (err) {
      this.log.error({ err }, 'session loop failed');
    } finally {
      this.sessionActive = false;
    }
    this.transferRunnerInstance?.wake();
    this.duRunnerInstance?.wake();
    this.armLivePoll();
  }

  /**
   * Polls provider-driven values whose notification is on (SetParameterAttributes happens in
   * sessions, so this is re-checked after each). No such parameter, no timer: a fleet of
   * devices nobody watches costs nothing here.
   */
  private armLivePoll(): void {
    if (!this.running || this.livePollTimer) return;
    if (this.model.pollLiveChanges().watched === 0) return;
    const every = (this.opts.notificationPollSeconds ?? 10) * 1000;
    const tick = (): void => {
      this.livePollTimer = undefined;
      if (!this.running) return;
      if (this.model.pollLiveChanges().watched > 0) this.livePollTimer = this.opts.clock.setTimer(every, tick);
    };
    this.livePollTimer = this.opts.clock.setTimer(every, tick);
  }

  /** One session; what its Inform carried and the RPCs it answered come back with its outcome. */
  private async runSession(): Promise<{ outcome: SessionOutcome; events: readonly string[]; rpcs: readonly string[] }> {
    const url = this.model.read(this.ms.url);
    if (url !== this.state.bootstrappedUrl) {
      this.mutate((s) => void (s.events = addEvent(s.events, { code: EventCode.Bootstrap, commandKey: '' })));
    }
    const sent = composeInform(this.state, this.heartbeatDue, this.model, this.ms, this.opts.device.identity, this.opts.clock.now());
    const events = sent.sentEvents.map((e) => e.code);
    // Recorded only for a listener (the control API): a fleet nobody watches keeps nothing.
    const rpcs: string[] | undefined = (this.opts.recordSessionRpcs ? this.opts.recordSessionRpcs() : this.sessionListeners.length > 0) ? [] : undefined;
    this.heartbeatDue = false;
    const sessionNo = ++this.sessionCount;
    this.log.info({ session: sessionNo, url, events, retry: this.state.retryCount }, 'session start');
    const quirks = this.opts.misbehaviour?.quirks?.(this.opts.device.identity.serialNumber);
    const machine = new SessionMachine({
      inform: sent.inform,
      quirks: quirks?.wire,
      maxVersion: quirks?.cwmp10Only ? '1.0' : this.opts.cwmpVersion,
      cpeRequests: this.state.pendingCpeRequests,
      // Unique per session without a trip to the system's random source (thousands per second in a fleet).
      idPrefix: `${Math.floor(this.opts.random() * 0xffffffff).toString(16)}.${sessionNo.toString(36)}`,
    });
    const answer =
      this.opts.observer?.rpc || this.opts.observer?.request || this.opts.misbehaviour?.answer
        ? (request: AcsRequest) => this.observedDispatch(request, machine, sessionNo)
        : (request: AcsRequest) => dispatch({ model: this.model, agent: this }, request, machine.cwmpNamespace);
    const outcome = await driveSession({
      machine,
      transport: {
        url,
        username: this.model.read(this.ms.username) || undefined,
        password: this.model.read(this.ms.password) || undefined,
        tls: this.opts.tls,
        requestTimeoutMs: this.opts.requestTimeoutMs ?? 30_000,
        maxBodyBytes: this.opts.maxBodyBytes ?? 4 * 1024 * 1024,
        userAgent: 'cwmp-agent/0.1',
        compression: compressionOf(this.model.read(this.ms.httpCompression)),
        redirectHosts: this.opts.acsRedirectHosts,
        ignoreCookies: quirks?.noCookies,
        basicAuthOnly: quirks?.basicAuthOnly,
        onExchange: this.opts.trace ? traceExchange(this.opts.trace, sessionNo) : undefined,
      },
      dispatch: rpcs
        ? (request) => {
            if (rpcs.length < MAX_RPCS_RECORDED) rpcs.push(request.method);
            return answer(request);
          }
        : answer,
      beforePost: this.opts.misbehaviour?.answer
        ? (body) => {
            const m = this.answerMisbehaviour;
            this.answerMisbehaviour = undefined;
            if (m?.drop) return undefined;
            let out = body;
            if (m?.rewrite === 'wrong-namespace') out = out.replace(/urn:dslforum-org:cwmp-1-\d/g, 'urn:dslforum-org:cwmp-9-9');
            if (m?.rewrite === 'wrong-id') out = out.replace(/(<cwmp:ID [^>]*>)([^<]*)(<\/cwmp:ID>)/, '$1not-$2$3');
            // Cut mid-element: no longer a well-formed envelope.
            if (m?.malformed) out = out.slice(0, Math.max(40, Math.floor(out.length / 2)));
            return { body: out, delivery: m?.stallMs || m?.cutMidBody ? { stallMs: m.stallMs, cutMidBody: m.cutMidBody } : undefined };
          }
        : undefined,
      onAcknowledgement: (ack) => this.acknowledge(ack, sent, url),
      clock: this.opts.clock,
      timeoutMs: this.opts.sessionTimeoutMs ?? 300_000,
      log: this.log,
      sessionNo,
    });
    return { outcome, events, rpcs: rpcs ?? NO_RPCS };
  }

  private async observedDispatch(request: AcsRequest, machine: SessionMachine, sessionNo: number): Promise<CpeResponse> {
    this.opts.observer?.request?.(this.opts.device.identity.serialNumber, request);
    const m = this.opts.misbehaviour?.answer?.(this.opts.device.identity.serialNumber, request, sessionNo);
    if (m) {
      if (m.delayMs) await new Promise((r) => setTimeout(r, m.delayMs));
      // What it does to the body on the wire (dropped, cut, rewritten, stalled) happens as it is posted.
      this.answerMisbehaviour = m;
      if (m.fault) {
        this.opts.observer?.rpc?.(request.method, m.fault.code);
        throw new CwmpFault(
          m.fault.code,
          'misbehaving on purpose',
          (m.fault.parameterFaults ?? []).map((p) => parameterFault(p.name, p.code)),
        );
      }
    }
    try {
      const response = await dispatch({ model: this.model, agent: this }, request, machine.cwmpNamespace);
      this.opts.observer?.rpc?.(request.method, 0);
      return response;
    } catch (err) {
      this.opts.observer?.rpc?.(request.method, err instanceof CwmpFault ? err.faultCode : 9002);
      throw err;
    }
  }

  private acknowledge(ack: Acknowledgement, sent: ComposedInform, url: string): void {
    this.mutate((s) => applyAcknowledgement(s, ack, sent, url));
    if (ack.kind === 'inform') return;
    this.opts.observer?.cpeRequest?.(ack.request.method);
    const waiter = this.kickWaiters?.get(ack.request);
    if (waiter) queueMicrotask(() => waiter(ack.kind === 'cpeRequest' && ack.response.method === 'KickedResponse' ? ack.response.nextURL : undefined));
    if (ack.kind === 'cpeRequestRejected')
      this.log.warn({ method: ack.request.method, faultCode: ack.faultCode, faultString: ack.faultString }, 'ACS rejected a CPE request');
  }

  private afterSessionOutcome(outcome: SessionOutcome): void {
    this.rebootScheduler?.sessionEnded();
    // A reboot or reset accepted, or due, happens after the session however it ended: the ACS may
    // have seen the RebootResponse, and a scheduled reboot does not depend on the ACS at all.
    const action = this.state.pendingDeviceAction;
    if (action) this.afterSession = () => this.carryOut(action.kind);
    if (outcome.ok) {
      this.pacer.sessionEnded(this.opts.clock.now());
      this.mutate((s) => void (s.retryCount = 0));
      return;
    }
    this.mutate((s) => {
      if (!outcome.informAcknowledged) s.events = eventsAfterFailedSession(s.events);
      s.retryCount += 1;
    });
    // Browsers waiting on a Kicked request go on to their own Next rather than wait for a retry.
    for (const waiter of [...(this.kickWaiters?.values() ?? [])]) waiter(undefined);
    const policy = {
      minimumWaitSeconds: Number(this.model.read(this.ms.retryMinimumWaitInterval)),
      intervalMultiplier: Number(this.model.read(this.ms.retryIntervalMultiplier)),
    };
    // An overloaded ACS's Retry-After (bounded, and spread so a crowd turned away together does
    // not come back together) comes on top of the TR-069 wait.
    const asked = Math.min(outcome.retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS);
    const wait = retryAfterWaitSeconds(asked, this.opts.random(), policy) + retryWaitSeconds(this.state.retryCount, this.opts.random(), policy);
    this.log.warn(
      { retry: this.state.retryCount, waitSeconds: Math.round(wait * 10) / 10, ...(asked > 0 ? { retryAfterSeconds: asked } : {}) },
      'session failed; retrying',
    );
    this.opts.observer?.retry?.(wait);
    this.retryTimer = this.opts.clock.setTimer(wait * 1000, () => {
      this.retryTimer = undefined;
      this.requestSession();
    });
  }

  /** Reboot or factory reset, after the session that asked for it. */
  private async carryOut(kind: 'reboot' | 'factoryReset'): Promise<void> {
    this.log.info({ action: kind }, 'carrying out device action');
    this.cancelTimers();
    if (kind === 'factoryReset') {
      await this.opts.device.factoryReset();
      this.resetToFactory();
    }
    await this.opts.device.reboot();
    this.mutate((s) => void (s.pendingDeviceAction = null));
    if (!this.running) return;
    // The device is back: the agent boots as it would after power-on.
    this.boot();
    this.sessionWanted = true;
  }

  /** Changes the persisted state; a failed save is the store's to retry (the state stays in memory). */
  private mutate(change: (s: AgentState) => void): void {
    change(this.state);
    saveQuietly(this.opts.stateStore, this.state);
  }

  private persistState(): void {
    saveQuietly(this.opts.stateStore, this.state);
  }

  /** Changes the persisted state for an RPC: undone, and 9002, when it cannot be saved (see state-saving.ts). */
  private mutateForAcs(change: (s: AgentState) => void): void {
    changeForAcs(this.opts.stateStore, this.state, change);
  }
}

/** One HTTP exchange of a session as two trace records: what the CPE posted, what the ACS answered. */
function traceExchange(trace: DeviceTrace, session: number): (e: ExchangeRecord) => void {
  return (e) => {
    // The request when it went out, the answer when it came back.
    trace({
      kind: 'cwmp',
      session,
      dir: 'cpe→acs',
      method: 'POST',
      url: e.url,
      headers: e.requestHeaders,
      body: e.requestBody,
      t: new Date(Date.now() - e.ms).toISOString(),
    });
    trace({
      kind: 'cwmp',
      session,
      dir: 'acs→cpe',
      status: e.status,
      headers: e.responseHeaders as Record<string, string | string[]> | undefined,
      body: e.responseBody,
      ms: Math.round(e.ms),
      note: e.error,
    });
  };
}

/** The longest Retry-After an ACS's 503 can impose (then the TR-069 wait follows as usual). */
const MAX_RETRY_AFTER_SECONDS = 3600;
const NO_RPCS: readonly string[] = [];
/** RPC methods recorded for one session at most (a session may run thousands). */
const MAX_RPCS_RECORDED = 100;

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

function compressionOf(value: string): 'GZIP' | 'Deflate' | undefined {
  return value === 'GZIP' || value === 'Deflate' ? value : undefined;
}
