/**
 * One device, protocol-neutral: its data model and providers, its boot cause, reboot and
 * factory reset, file transfers and firmware banks, deployment units, scheduled timers,
 * value-change detection and persisted work. Endpoints (CWMP today, USP next) attach to it: it tells them what
 * happened as domain events and takes their requests (queue a transfer, a DU change, a reboot).
 *
 * Deferred work (transfers, DU changes, a reboot) waits while any endpoint is busy in an
 * exchange with its server, and runs when the last one goes idle.
 */
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { DataModel, type AddressingOptions, type ModelStore } from '../datamodel/data-model.js';
import type { Provider } from '../datamodel/provider.js';
import type { Schema } from '../datamodel/schema.js';
import type { DeviceHooks, DeviceIdentity } from '../providers/device.js';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import { emptyAgentState, type DeviceState } from '../storage/agent-state.js';
import type { PersistedState } from '../storage/state-cell.js';
import type { TransferRunnerOptions } from '../transfers/transfer-runner.js';
import { DuChangeQueue } from './du-change-queue.js';
import { ScheduledTimers } from './scheduled-timers.js';
import { TransferQueue, type DeviceWorkHost, type TransferMisbehaviourRules } from './transfer-queue.js';
import type { AttachedEndpoint, BootCause, DomainEvent } from './domain-events.js';

export interface DeviceRuntimeOptions {
  device: DeviceHooks;
  schema: Schema;
  modelStore: ModelStore;
  /** Every provider the model reads through (the device's, re-rooted, and the agent's own). */
  providers: Provider[];
  /** Values over the schema's defaults (identity, configured settings), read through, not copied. */
  initialValues: Record<string, string>;
  modelOptions?: AddressingOptions;
  /** The persisted state the device shares with its endpoints (each owns its own fields). */
  state: PersistedState<DeviceState>;
  clock: Clock;
  logger: Logger;
  /** How often provider-driven values with notification on are read for changes, seconds. Default 10. */
  notificationPollSeconds?: number;
  transfers: TransferRunnerOptions;
  /** Transfers that fail or loop in reboots on purpose (a test harness). */
  transferMisbehaviour?: TransferMisbehaviourRules;
}

export class DeviceRuntime {
  readonly model: DataModel;
  private running = false;
  /** A reboot or factory reset is being carried out: endpoints wait for 'ready'. */
  private actingNow = false;
  private action: Promise<void> | undefined;
  // Replaced, not pushed to (see DataModel's listeners): a fleet holds one per device.
  private endpoints: readonly AttachedEndpoint[] = [];
  /** File transfers and firmware installs, accepted and not yet told. */
  readonly transfers: TransferQueue;
  /** Deployment-unit changes, accepted and not yet told. */
  readonly duChanges: DuChangeQueue;
  /** Timers a manager scheduled, persisted until they fire. */
  readonly timers: ScheduledTimers;
  private livePollTimer: TimerHandle | undefined;
  private exchangeListeners: readonly (() => void)[] = [];

  constructor(private readonly opts: DeviceRuntimeOptions) {
    this.model = new DataModel(opts.schema, opts.modelStore, opts.providers, opts.initialValues, opts.modelOptions);
    this.model.onChange((names, origin) => this.emit({ kind: 'values-changed', names, origin }));
    const host: DeviceWorkHost = {
      model: this.model,
      clock: opts.clock,
      log: opts.logger,
      device: opts.device,
      state: opts.state,
      busy: () => this.busy(),
      emit: (e) => this.emit(e),
      reboot: () => this.deviceAction('reboot'),
    };
    this.transfers = new TransferQueue(host, opts.transfers, opts.transferMisbehaviour);
    const t = opts.transfers;
    this.duChanges = new DuChangeQueue(host, { stagingDir: t.stagingDir, tls: t.tls, idleTimeoutMs: t.idleTimeoutMs, localAddress: t.localAddress });
    this.timers = new ScheduledTimers(host);
  }

  get identity(): DeviceIdentity {
    return this.opts.device.identity;
  }

  get log(): Logger {
    return this.opts.logger;
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  /** Attaches an endpoint: it hears every domain event from now on. */
  attach(endpoint: AttachedEndpoint): void {
    this.endpoints = this.endpoints.concat([endpoint]);
  }

  /** Detaches an endpoint that has stopped (one the device's manager turned off or reconfigured). */
  detach(endpoint: AttachedEndpoint): void {
    this.endpoints = this.endpoints.filter((e) => e !== endpoint);
  }

  /** Whether a reboot or factory reset is being carried out now. */
  get acting(): boolean {
    return this.actingNow;
  }

  /** Boots the device: reads back its state, settles interrupted work, tells the endpoints. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.boot('power-on');
  }

  async stop(): Promise<void> {
    this.running = false;
    this.livePollTimer?.cancel();
    this.livePollTimer = undefined;
    this.transfers.stop();
    this.duChanges.stop();
    this.timers.stop();
    this.model.close();
    await this.action;
  }

  /** Flushes what a full disk kept from being saved (at stop, after the endpoints are done). */
  flush(): void {
    this.opts.state.flush();
    this.opts.modelStore.flush?.();
  }

  /** Calls `listener` each time an endpoint finishes an exchange with its server (diagnostics start then). */
  afterExchange(listener: () => void): void {
    this.exchangeListeners = this.exchangeListeners.concat([listener]);
  }

  /** An endpoint finished an exchange (deferred actions and transfers wait for idle()). */
  exchangeEnded(): void {
    for (const l of this.exchangeListeners) l();
  }

  /** An endpoint finished an exchange: deferred work may run, and watched values are polled. */
  idle(): void {
    if (this.busy()) return;
    this.transfers.wake();
    this.duChanges.wake();
    this.watchLiveValues();
  }

  newId(): string {
    return `${this.opts.clock.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  /* ---------- reboot, factory reset, diagnostics ---------- */

  /** A manager asked for a reboot after its exchange: persisted (durably) so that it survives a power cut. */
  requestReboot(commandKey: string): void {
    this.opts.state.changeDurably((s) => void (s.pendingDeviceAction = { kind: 'reboot', commandKey }));
  }

  requestFactoryReset(): void {
    this.opts.state.changeDurably((s) => void (s.pendingDeviceAction = { kind: 'factoryReset' }));
  }

  /** The deferred action an endpoint carries out at the end of its exchange, if any. */
  get pendingAction(): 'reboot' | 'factoryReset' | undefined {
    return this.opts.state.state.pendingDeviceAction?.kind;
  }

  /**
   * The device reboots (or is reset): now, or when the endpoints are idle. By itself without a
   * command key; a remote request's key (a USP Operate's) goes with the boot.
   */
  deviceAction(kind: 'reboot' | 'factoryReset', commandKey?: string): void {
    this.opts.state.change((s) => void (s.pendingDeviceAction = commandKey === undefined ? { kind } : { kind, commandKey }));
    if (!this.busy() && this.running && !this.actingNow) {
      this.action = this.carryOutPendingAction().finally(() => {
        this.action = undefined;
        this.idle();
      });
    }
  }

  /** Carries out the pending reboot or factory reset (an endpoint calls it at the end of its exchange). */
  async carryOutPendingAction(): Promise<void> {
    const kind = this.pendingAction;
    if (!kind) return;
    // The request's command key goes with the boot: read before a factory reset wipes the state.
    const commandKey = this.opts.state.state.pendingDeviceAction?.commandKey;
    this.actingNow = true;
    try {
      this.log.info({ action: kind }, 'carrying out device action');
      this.emit({ kind: 'going-down', action: kind });
      if (kind === 'factoryReset') {
        await this.opts.device.factoryReset();
        this.resetToFactory();
      }
      await this.opts.device.reboot();
      this.opts.state.change((s) => void (s.pendingDeviceAction = null));
      if (!this.running) return;
      // The device is back: it boots as it would after power-on (and stops acting as it says 'ready').
      this.boot(kind === 'factoryReset' ? 'factory-reset' : 'reboot', commandKey);
    } finally {
      this.actingNow = false;
    }
  }

  /** A diagnostic test finished: endpoints report it. */
  diagnosticsComplete(name: string): void {
    this.emit({ kind: 'diagnostics-complete', name });
  }

  /* ---------- boot ---------- */

  private boot(cause: BootCause, commandKey?: string): void {
    const state = this.opts.state;
    const loaded = state.reload();
    // An action persisted but never carried out (power cut right after the exchange): the boot
    // is the reboot; a factory reset is done now.
    const pending = loaded.pendingDeviceAction;
    if (pending?.kind === 'factoryReset') {
      this.resetToFactory();
      cause = 'factory-reset';
    } else if (pending) {
      cause = 'reboot';
      commandKey = pending.commandKey;
    }
    if (pending) state.change((s) => void (s.pendingDeviceAction = null));
    this.emit(commandKey === undefined ? { kind: 'booted', cause } : { kind: 'booted', cause, commandKey });
    this.transfers.boot();
    this.duChanges.boot();
    this.timers.boot();
    // A firmware upgrade, another gateway: forced-notification values that changed while down
    // are reported with the boot. The change is told before the new values are recorded: a stop
    // in between reports it again, never loses it.
    const whileDown = this.model.forcedChangesSinceLastBoot();
    if (whileDown.changed.length > 0) this.emit({ kind: 'values-changed', names: whileDown.changed, origin: 'device' });
    whileDown.record();
    this.actingNow = false;
    this.emit({ kind: 'ready' });
  }

  private resetToFactory(): void {
    this.model.factoryReset();
    // Every endpoint's persisted work goes too: the device is as it left the factory.
    this.opts.state.replace(emptyAgentState());
  }

  /**
   * Polls provider-driven values whose notification is on (attributes change in exchanges, so
   * this is re-checked after each). No such parameter, no timer: a fleet of devices nobody
   * watches costs nothing here.
   */
  private watchLiveValues(): void {
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

  private busy(): boolean {
    return this.actingNow || this.endpoints.some((e) => e.busy());
  }

  private emit(event: DomainEvent): void {
    for (const e of this.endpoints) e.on(event);
  }
}
