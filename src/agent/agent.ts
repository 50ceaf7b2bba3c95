/**
 * One device speaking CWMP: a device runtime (data model, providers, transfers, deployment
 * units, reboots; protocol-neutral) with the CWMP endpoint attached to it (Inform, the session
 * loop, retries, connection requests). This class is the library's face of the pair: what the
 * CLI, the fleet and the tests hold. A second endpoint attaches to `device` the same way.
 */
import type { Logger } from 'pino';
import type { CwmpEvent } from '../cwmp/events.js';
import type { CpeRequest, DuOperation, KickedRequest } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import { reRootProviders } from '../datamodel/re-root.js';
import type { DomainEvent } from '../device/domain-events.js';
import { DeviceRuntime } from '../device/device-runtime.js';
import type { TransferProgress } from '../device/transfer-queue.js';
import type { DeviceTrace } from '../log/trace-record.js';
import { BUILT_IN_SCHEMA } from '../models/built-in.js';
import { deviceInfoPaths, managementServerPaths, type DeviceInfoPaths, type ManagementServerPaths } from '../models/device-core.js';
import { identityValues } from '../providers/device.js';
import { SupportedDataModelProvider } from '../providers/supported-data-model-provider.js';
import type { Clock } from '../runtime/clock.js';
import type { TlsOptions } from '../session/acs-transport.js';
import type { SessionOutcome } from '../session/session-machine.js';
import type { AgentState, TransferRecord } from '../storage/agent-state.js';
import { PersistedState } from '../storage/state-cell.js';
import type { AgentMisbehaviour } from './agent-misbehaviour.js';
import type { AgentObserver } from './agent-observer.js';
import { autonomousDownloadRecord, type AutonomousDownload } from './autonomous-transfer.js';
import { CwmpEndpoint } from './cwmp-endpoint.js';
import type { StandbyMode, StandbyRefusal, StandbyRequest } from './standby.js';
import type { AgentOptions, SessionTiming } from './agent-options.js';

export type { AgentOptions, SessionTiming };

export class Agent {
  /** The protocol-neutral device: its data model, transfers, DUs and reboots; endpoints attach to it. */
  readonly device: DeviceRuntime;
  /** ManagementServer paths under this device's root object (Device. or InternetGatewayDevice.). */
  readonly ms: ManagementServerPaths;
  readonly deviceInfo: DeviceInfoPaths;
  private readonly cwmp: CwmpEndpoint;
  private readonly state: PersistedState<AgentState>;

  constructor(private readonly opts: AgentOptions) {
    const schema = opts.schema ?? BUILT_IN_SCHEMA;
    const ms = managementServerPaths(schema.root);
    this.ms = ms;
    this.deviceInfo = deviceInfoPaths(schema.root);
    const initial: Record<string, string> = Object.assign(
      Object.create(opts.baseValues ?? null) as Record<string, string>,
      identityValues(opts.device.identity, schema.root),
      { [ms.url]: opts.acsUrl },
    );
    if (opts.acsUsername !== undefined) initial[ms.username] = opts.acsUsername;
    if (opts.acsPassword !== undefined) initial[ms.password] = opts.acsPassword;
    if (opts.periodicInformInterval !== undefined) initial[ms.periodicInformInterval] = String(opts.periodicInformInterval);
    if (opts.connectionRequestUsername !== undefined) initial[ms.connectionRequestUsername] = opts.connectionRequestUsername;
    if (opts.connectionRequestPassword !== undefined) initial[ms.connectionRequestPassword] = opts.connectionRequestPassword;
    if (opts.cwmpEnabled === false) initial[ms.enableCwmp] = 'false';
    const standby = opts.device.standby;
    if (standby) {
      initial[ms.standby.networkAwarenessCapable] = String(standby.crAware);
      initial[ms.standby.selfTimerCapable] = String(standby.timerAware);
    }
    const state = new PersistedState(opts.stateStore);
    this.state = state;
    this.device = new DeviceRuntime({
      device: opts.device,
      schema,
      modelStore: opts.modelStore,
      // The device's providers, and the one entry of DeviceInfo.SupportedDataModel (the agent's own DT).
      // concat, not spread: the list is this device's for good, and spread leaves room for 20 more.
      providers: reRootProviders(opts.device.providers, schema.root).concat([new SupportedDataModelProvider(schema, ms.connectionRequestUrl)]),
      initialValues: initial,
      modelOptions: { instanceModeParameter: ms.instanceMode, autoCreateParameter: ms.autoCreateInstances },
      state,
      clock: opts.clock,
      logger: opts.logger,
      notificationPollSeconds: opts.notificationPollSeconds,
      transfers: { ...opts.transfers, parameterKeyName: ms.parameterKey, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) },
      transferMisbehaviour: opts.misbehaviour,
    });
    this.cwmp = new CwmpEndpoint(opts, this.device, state, ms, this.deviceInfo);
    if (opts.trace || opts.observer?.transfer) this.device.attach({ busy: () => false, on: (e) => this.observeTransfers(e) });
  }

  get model(): DataModel {
    return this.device.model;
  }

  get log(): Logger {
    return this.opts.logger;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  get random(): () => number {
    return this.opts.random;
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

  /** Boots the device: restores state, queues BOOT (and BOOTSTRAP where due), starts a session. */
  start(): void {
    this.cwmp.start();
    this.device.start();
  }

  async stop(): Promise<void> {
    const stopped = this.cwmp.stop();
    await this.device.stop();
    await stopped;
    // Whatever a full disk kept from being saved gets one more try.
    this.device.flush();
  }

  /** Calls `listener` after every session. */
  onSessionEnd(listener: (o: SessionOutcome, timing: SessionTiming) => void): void {
    this.cwmp.onSessionEnd(listener);
  }

  /** Resolves after the next session that ends from now on. */
  nextSession(): Promise<SessionOutcome> {
    return this.cwmp.nextSession();
  }

  /** Queues an event and asks for a session (connection request, diagnostics, ...). */
  trigger(code: string, commandKey = ''): void {
    this.cwmp.trigger(code, commandKey);
  }

  get pendingEvents(): readonly CwmpEvent[] {
    return this.state.state.events;
  }

  get retryCount(): number {
    return this.state.state.retryCount;
  }

  /** How many sessions this agent has run (the number of the last one: the wire trace's session). */
  get sessionsRun(): number {
    return this.cwmp.sessionsRun;
  }

  /**
   * The device goes into standby. StandbyPolicy may keep it more aware than it asks (or awake:
   * the refusal says why). Until wake(), sessions wait except those its awareness allows.
   */
  enterStandby(requested: StandbyRequest): StandbyMode | StandbyRefusal {
    return this.cwmp.enterStandby(requested);
  }

  /** Back from standby: the sessions held meanwhile, and 13 WAKEUP where StandbyPolicy asks for it. */
  wake(): void {
    this.cwmp.wake();
  }

  get standbyMode(): StandbyMode | undefined {
    return this.cwmp.standbyMode;
  }

  /** Whether a connection request reaches the device now (not in a standby deaf to them). */
  hearsConnectionRequests(): boolean {
    return this.cwmp.hearsConnectionRequests();
  }

  /** Queues a CPE request (TransferComplete, ...) to be sent until the ACS acknowledges it. */
  queueCpeRequest(request: CpeRequest): void {
    this.cwmp.queueCpeRequest(request);
  }

  /**
   * Kicked (A.4.2.1): a browser on the LAN came to the KickURL. A session with 5 KICKED asks the
   * ACS where it goes next; without an answer in time (no ACS, a fault) it goes to its own Next.
   */
  kick(k: Omit<KickedRequest, 'method'>, timeoutMs = 30_000): Promise<string> {
    return this.cwmp.kick({ method: 'Kicked', ...k }, timeoutMs);
  }

  /** RequestDownload (A.4.2.2): asks the ACS for a file of this type, until it acknowledges. */
  requestDownload(fileType: string, fileTypeArgs: { name: string; value: string }[] = []): void {
    this.cwmp.queueCpeRequest({ method: 'RequestDownload', fileType, fileTypeArgs });
    this.cwmp.requestSession();
  }

  /** A download the device starts by itself, reported with AutonomousTransferComplete. */
  autonomousDownload(d: AutonomousDownload): void {
    const model = this.device.model;
    const managed = model.definitionOf(this.ms.upgradesManaged) !== undefined && model.read(this.ms.upgradesManaged) === 'true';
    this.device.transfers.queue(autonomousDownloadRecord(d, this.device.newId(), this.opts.clock.now(), managed));
  }

  /**
   * A change the device makes by itself (a local installer, a user): carried out like a
   * ChangeDUState and reported with AutonomousDUStateChangeComplete where
   * ManagementServer.DUStateChangeComplPolicy asks for it.
   */
  autonomousDuChange(operations: DuOperation[]): void {
    const id = (): string => this.device.newId();
    this.device.duChanges.queue({
      id: id(),
      origin: 'Autonomous',
      commandKey: '',
      acceptedAt: this.opts.clock.now(),
      operations: operations.map((op) => ({ id: id(), op, startedAt: null, attempts: 0, result: null })),
    });
  }

  /** The device reboots (or is reset to its factory state) by itself: now, or after the session in progress. */
  deviceAction(kind: 'reboot' | 'factoryReset'): void {
    this.device.deviceAction(kind);
  }

  transferQueue(): readonly TransferRecord[] {
    return this.device.transfers.list();
  }

  /** The transfers accepted and not yet reported, with the bytes fetched so far: no URLs, no credentials. */
  transferProgress(): TransferProgress[] {
    return this.device.transfers.progress();
  }

  /** Transfers in the wire trace and the metrics, as they are queued and as they end. */
  private observeTransfers(e: DomainEvent): void {
    const { trace, observer } = this.opts;
    if (e.kind === 'transfer-queued') {
      const t = e.transfer;
      const note = `${t.fileType} queued (${t.origin}, CommandKey ${JSON.stringify(t.commandKey)})`;
      trace?.({ kind: 'transfer', dir: 'in', method: t.isDownload ? 'download' : 'upload', url: t.url, note });
    } else if (e.kind === 'transfer-finished') {
      const method = e.transfer?.isDownload === false ? 'upload' : 'download';
      if (e.report) observer?.transfer?.(method, e.report.fault.faultCode, this.opts.device.identity.serialNumber);
      const note = e.report ? `done: FaultCode ${e.report.fault.faultCode} ${e.report.fault.faultString}`.trim() : 'done, nothing to report';
      trace?.({ kind: 'transfer', dir: 'out', method, url: e.transfer?.url, note });
    }
  }
}
