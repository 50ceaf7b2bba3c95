/**
 * One device, protocol-neutral: its data model and providers, its boot cause, reboot and
 * factory reset, file transfers and firmware banks, deployment units, value-change detection
 * and persisted work. Endpoints (CWMP today, USP next) attach to it: it tells them what
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
import { emptyAgentState, type DeviceState, type DuChangeRecord, type TransferRecord } from '../storage/agent-state.js';
import type { PersistedState } from '../storage/state-cell.js';
import { DuRunner, duChangePolicyOf, type DuRunnerOptions } from '../transfers/du-runner.js';
import { TransferRunner, type TransferMisbehaviour, type TransferRunnerOptions } from '../transfers/transfer-runner.js';
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
  transferMisbehaviour?: {
    transfer?(serial: string, fileType: string): TransferMisbehaviour | undefined;
    rebootLoop?(serial: string): number | undefined;
  };
}

/** A transfer as the progress page shows it: no URL, no credentials. */
export interface TransferProgress {
  commandKey: string;
  fileType: string;
  isDownload: boolean;
  phase: string;
  bytes: number | null;
  total: number | null;
}

export class DeviceRuntime {
  readonly model: DataModel;
  private running = false;
  /** A reboot or factory reset is being carried out: endpoints wait for 'ready'. */
  private actingNow = false;
  private action: Promise<void> | undefined;
  // Replaced, not pushed to (see DataModel's listeners): a fleet holds one per device.
  private endpoints: readonly AttachedEndpoint[] = [];
  private transferRunnerInstance: TransferRunner | undefined;
  /** Made when a software-module change is first queued: most fleet devices never get one. */
  private duRunnerInstance: DuRunner | undefined;
  private livePollTimer: TimerHandle | undefined;
  private exchangeListeners: readonly (() => void)[] = [];

  constructor(private readonly opts: DeviceRuntimeOptions) {
    this.model = new DataModel(opts.schema, opts.modelStore, opts.providers, opts.initialValues, opts.modelOptions);
    this.model.onChange((names, origin) => this.emit({ kind: 'values-changed', names, origin }));
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
    this.transferRunnerInstance?.stop();
    this.duRunnerInstance?.stop();
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
    this.transferRunnerInstance?.wake();
    this.duRunnerInstance?.wake();
    this.watchLiveValues();
  }

  newId(): string {
    return `${this.opts.clock.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  /* ---------- transfers ---------- */

  transferQueue(): readonly TransferRecord[] {
    return this.opts.state.state.transfers;
  }

  /** The transfers accepted and not yet reported, with the bytes fetched so far: no URLs, no credentials. */
  transferProgress(): TransferProgress[] {
    return this.opts.state.state.transfers.map((t) => {
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

  /** Persists an accepted transfer (durably: throws the store's error when it cannot be saved); it runs when idle. */
  queueTransfer(t: TransferRecord): void {
    this.opts.state.changeDurably((s) => void s.transfers.push(t));
    this.log.info({ commandKey: t.commandKey, fileType: t.fileType, origin: t.origin }, 'transfer queued');
    this.emit({ kind: 'transfer-queued', transfer: t });
    this.transferRunner.wake();
  }

  /** Removes transfers, stopping any that is running. */
  cancelTransfers(list: readonly TransferRecord[]): void {
    const ids = new Set(list.map((t) => t.id));
    this.opts.state.changeDurably((s) => void (s.transfers = s.transfers.filter((t) => !ids.has(t.id))));
    for (const t of list) this.transferRunnerInstance?.cancel(t);
  }

  /** Fetches and installs a small file now, within an exchange; throws its fault. */
  transferInSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }> {
    this.log.info({ commandKey: t.commandKey, fileType: t.fileType }, 'download within the session');
    return this.transferRunner.runInSession(t);
  }

  /** Made when a transfer is first queued, or at boot when one waits: most fleet devices never get one. */
  private get transferRunner(): TransferRunner {
    if (this.transferRunnerInstance) return this.transferRunnerInstance;
    const opts = this.opts;
    const serial = opts.device.identity.serialNumber;
    const m = opts.transferMisbehaviour;
    const runtime = this;
    this.transferRunnerInstance = new TransferRunner(
      {
        clock: opts.clock,
        log: opts.logger,
        model: this.model,
        files: opts.device.files,
        productClass: opts.device.identity.productClass,
        get sessionActive() {
          return runtime.busy();
        },
        transfers: () => opts.state.state.transfers,
        updateTransfer: (id, patch) => opts.state.change((s) => void (s.transfers = s.transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)))),
        finishTransfer: (id, report) =>
          // The transfer leaves the queue and its report joins an endpoint's in one saved change.
          opts.state.change((s) => {
            const transfer = s.transfers.find((t) => t.id === id);
            s.transfers = s.transfers.filter((t) => t.id !== id);
            this.emit({ kind: 'transfer-finished', transfer, report });
          }),
        rebootForTransfer: () => this.deviceAction('reboot'),
        misbehaviour: m?.transfer ? (t) => m.transfer?.(serial, t.fileType) : undefined,
        rebootLoopBoots: m?.rebootLoop ? () => m.rebootLoop?.(serial) : undefined,
      },
      opts.transfers,
    );
    return this.transferRunnerInstance;
  }

  /* ---------- deployment units ---------- */

  get hasSoftwareModules(): boolean {
    return this.opts.device.software !== undefined;
  }

  duChangeQueue(): readonly DuChangeRecord[] {
    return this.opts.state.state.duChanges;
  }

  /** Persists an accepted DU change (durably); it runs when idle. */
  queueDuChange(c: DuChangeRecord): void {
    this.opts.state.changeDurably((s) => void s.duChanges.push(c));
    this.log.info({ commandKey: c.commandKey, operations: c.operations.map((o) => o.op.op), origin: c.origin }, 'deployment unit change queued');
    this.duRunner.wake();
  }

  private get duRunner(): DuRunner {
    if (this.duRunnerInstance) return this.duRunnerInstance;
    const opts = this.opts;
    const runtime = this;
    const t = opts.transfers;
    const options: DuRunnerOptions = { stagingDir: t.stagingDir, tls: t.tls, idleTimeoutMs: t.idleTimeoutMs };
    this.duRunnerInstance = new DuRunner(
      {
        clock: opts.clock,
        log: opts.logger,
        software: opts.device.software,
        get sessionActive() {
          return runtime.busy();
        },
        duChanges: () => opts.state.state.duChanges,
        updateDuOperation: (changeId, opId, patch) =>
          opts.state.change((s) => {
            const op = s.duChanges.find((c) => c.id === changeId)?.operations.find((x) => x.id === opId);
            if (op) Object.assign(op, patch);
          }),
        finishDuChange: (changeId, report) =>
          opts.state.change((s) => {
            const change = s.duChanges.find((c) => c.id === changeId);
            s.duChanges = s.duChanges.filter((c) => c.id !== changeId);
            this.emit({ kind: 'du-change-finished', change, report });
          }),
        duChangePolicy: () => duChangePolicyOf(this.model),
      },
      options,
    );
    return this.duRunnerInstance;
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

  /** The device reboots (or is reset) by itself: now, or when the endpoints are idle. */
  deviceAction(kind: 'reboot' | 'factoryReset'): void {
    this.opts.state.change((s) => void (s.pendingDeviceAction = { kind }));
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
    this.actingNow = true;
    try {
      this.log.info({ action: kind }, 'carrying out device action');
      this.emit({ kind: 'going-down', action: kind });
      if (kind === 'factoryReset') {
        await this.opts.device.factoryReset();
        this.resetToFactory();
      }
      await this.opts.device.reboot();
      // The reboot's command key goes with the boot: it is read before the action is cleared.
      const commandKey = this.opts.state.state.pendingDeviceAction?.commandKey;
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
    if (state.state.transfers.length > 0) this.transferRunner.onBoot();
    this.opts.device.software?.boot();
    if (state.state.duChanges.length > 0) this.duRunner.onBoot();
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
