/**
 * The device's file transfers (downloads, uploads, firmware installs): accepted requests kept in
 * the persisted state until their end is told, run when no endpoint is busy. The runner that
 * fetches and installs is made when first needed: most fleet devices never get a transfer.
 */
import type { Logger } from 'pino';
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceHooks } from '../providers/device.js';
import type { Clock } from '../runtime/clock.js';
import type { DeviceState, TransferRecord } from '../storage/agent-state.js';
import type { StateCell } from '../storage/state-cell.js';
import { TransferRunner, type TransferMisbehaviour, type TransferRunnerOptions } from '../transfers/transfer-runner.js';
import type { DomainEvent } from './domain-events.js';

/** What the queue needs of the device it belongs to. */
export interface DeviceWorkHost {
  readonly model: DataModel;
  readonly clock: Clock;
  readonly log: Logger;
  readonly device: DeviceHooks;
  readonly state: StateCell<DeviceState>;
  /** Whether an endpoint is in an exchange (or the device is rebooting): work waits. */
  busy(): boolean;
  emit(event: DomainEvent): void;
  /** The device reboots when idle (a firmware install done). */
  reboot(): void;
}

/** Transfers that fail or loop in reboots on purpose (a test harness). */
export interface TransferMisbehaviourRules {
  transfer?(serial: string, fileType: string): TransferMisbehaviour | undefined;
  rebootLoop?(serial: string): number | undefined;
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

export class TransferQueue {
  private runnerInstance: TransferRunner | undefined;

  constructor(
    private readonly host: DeviceWorkHost,
    private readonly options: TransferRunnerOptions,
    private readonly misbehaviour: TransferMisbehaviourRules | undefined,
  ) {}

  list(): readonly TransferRecord[] {
    return this.host.state.state.transfers;
  }

  /** The transfers accepted and not yet reported, with the bytes fetched so far: no URLs, no credentials. */
  progress(): TransferProgress[] {
    return this.list().map((t) => {
      const p = this.runnerInstance?.progressOf(t.id);
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
  queue(t: TransferRecord): void {
    this.host.state.changeDurably((s) => void s.transfers.push(t));
    this.host.log.info({ commandKey: t.commandKey, fileType: t.fileType, origin: t.origin }, 'transfer queued');
    this.host.emit({ kind: 'transfer-queued', transfer: t });
    this.runner.wake();
  }

  /** Removes transfers, stopping any that is running. */
  cancel(list: readonly TransferRecord[]): void {
    const ids = new Set(list.map((t) => t.id));
    this.host.state.changeDurably((s) => void (s.transfers = s.transfers.filter((t) => !ids.has(t.id))));
    for (const t of list) this.runnerInstance?.cancel(t);
  }

  /** Fetches and installs a small file now, within an exchange; throws its fault. */
  inSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }> {
    this.host.log.info({ commandKey: t.commandKey, fileType: t.fileType }, 'download within the session');
    return this.runner.runInSession(t);
  }

  /** At boot: settles what a power cut interrupted (made only when a transfer waits). */
  boot(): void {
    if (this.list().length > 0) this.runner.onBoot();
  }

  wake(): void {
    this.runnerInstance?.wake();
  }

  stop(): void {
    this.runnerInstance?.stop();
  }

  private get runner(): TransferRunner {
    if (this.runnerInstance) return this.runnerInstance;
    const h = this.host;
    const serial = h.device.identity.serialNumber;
    const m = this.misbehaviour;
    this.runnerInstance = new TransferRunner(
      {
        clock: h.clock,
        log: h.log,
        model: h.model,
        files: h.device.files,
        productClass: h.device.identity.productClass,
        get sessionActive() {
          return h.busy();
        },
        transfers: () => h.state.state.transfers,
        updateTransfer: (id, patch) => h.state.change((s) => void (s.transfers = s.transfers.map((t) => (t.id === id ? { ...t, ...patch } : t)))),
        finishTransfer: (id, report) =>
          // The transfer leaves the queue and its report joins an endpoint's in one saved change.
          h.state.change((s) => {
            const transfer = s.transfers.find((t) => t.id === id);
            s.transfers = s.transfers.filter((t) => t.id !== id);
            h.emit({ kind: 'transfer-finished', transfer, report });
          }),
        rebootForTransfer: () => h.reboot(),
        misbehaviour: m?.transfer ? (t) => m.transfer?.(serial, t.fileType) : undefined,
        rebootLoopBoots: m?.rebootLoop ? () => m.rebootLoop?.(serial) : undefined,
      },
      this.options,
    );
    return this.runnerInstance;
  }
}
