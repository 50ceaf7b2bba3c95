/**
 * The device's deployment-unit changes (install, update, uninstall): accepted requests and the
 * device's own changes, kept in the persisted state until their end is told, run when no
 * endpoint is busy. The runner is made when first needed: most fleet devices never get one.
 */
import type { DuChangeRecord } from '../storage/agent-state.js';
import { DuRunner, duChangePolicyOf, type DuRunnerOptions } from '../transfers/du-runner.js';
import type { DeviceWorkHost } from './transfer-queue.js';

export class DuChangeQueue {
  private runnerInstance: DuRunner | undefined;

  constructor(
    private readonly host: DeviceWorkHost,
    private readonly options: DuRunnerOptions,
  ) {}

  /** Whether the device has software modules to change at all. */
  get available(): boolean {
    return this.host.device.software !== undefined;
  }

  list(): readonly DuChangeRecord[] {
    return this.host.state.state.duChanges;
  }

  /** Persists an accepted change (durably: throws the store's error when it cannot be saved); it runs when idle. */
  queue(c: DuChangeRecord): void {
    this.host.state.changeDurably((s) => void s.duChanges.push(c));
    this.host.log.info({ commandKey: c.commandKey, operations: c.operations.map((o) => o.op.op), origin: c.origin }, 'deployment unit change queued');
    this.runner.wake();
  }

  /** Takes back a change none of whose operations has started (a USP Cancel()); false when one has. */
  withdraw(id: string): boolean {
    const change = this.list().find((c) => c.id === id);
    if (!change || change.operations.some((o) => o.startedAt !== null)) return false;
    this.host.state.changeDurably((s) => void (s.duChanges = s.duChanges.filter((c) => c.id !== id)));
    this.host.log.info({ commandKey: change.commandKey }, 'deployment unit change withdrawn');
    return true;
  }

  /** At boot: the device's software settles, then operations a power cut interrupted. */
  boot(): void {
    this.host.device.software?.boot();
    if (this.list().length > 0) this.runner.onBoot();
  }

  wake(): void {
    this.runnerInstance?.wake();
  }

  stop(): void {
    this.runnerInstance?.stop();
  }

  private get runner(): DuRunner {
    if (this.runnerInstance) return this.runnerInstance;
    const h = this.host;
    this.runnerInstance = new DuRunner(
      {
        clock: h.clock,
        log: h.log,
        software: h.device.software,
        get sessionActive() {
          return h.busy();
        },
        duChanges: () => h.state.state.duChanges,
        updateDuOperation: (changeId, opId, patch) =>
          h.state.change((s) => {
            const op = s.duChanges.find((c) => c.id === changeId)?.operations.find((x) => x.id === opId);
            if (op) Object.assign(op, patch);
          }),
        finishDuChange: (changeId, report) =>
          h.state.change((s) => {
            const change = s.duChanges.find((c) => c.id === changeId);
            s.duChanges = s.duChanges.filter((c) => c.id !== changeId);
            h.emit({ kind: 'du-change-finished', change, report });
          }),
        duChangePolicy: () => duChangePolicyOf(h.model),
      },
      this.options,
    );
    return this.runnerInstance;
  }
}
