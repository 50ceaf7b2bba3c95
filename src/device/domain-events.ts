/**
 * What the device runtime tells the endpoints attached to it, in no protocol's words: each
 * endpoint reports them its own way (CWMP as event codes, Informs and TransferComplete; USP as
 * Boot!, ValueChange and OperationComplete notifications).
 */
import type { DuChangeRecord, ScheduledTimer, TransferRecord } from '../storage/agent-state.js';
import type { DuChangeReport } from '../transfers/du-runner.js';
import type { TransferReport } from '../transfers/transfer-runner.js';

/** Why the device is running: it was switched on, rebooted (by request or by itself), or reset. */
export type BootCause = 'power-on' | 'reboot' | 'factory-reset';

/** Who changed values: a remote manager through its endpoint (an ACS, a USP Controller), or the device itself. */
export type ChangeOrigin = 'acs' | 'usp' | 'device';

export type DomainEvent =
  /**
   * The device booted and read back its persisted state: endpoints restore their queues and add
   * their boot events. `commandKey` is the one the reboot request carried, if one did.
   */
  | { kind: 'booted'; cause: BootCause; commandKey?: string }
  /** The device has settled the work a restart interrupted: endpoints may now contact their servers. */
  | { kind: 'ready' }
  /** A reboot or factory reset is about to be carried out: endpoints stop their timers. */
  | { kind: 'going-down'; action: 'reboot' | 'factoryReset' }
  | { kind: 'values-changed'; names: readonly string[]; origin: ChangeOrigin }
  | { kind: 'transfer-queued'; transfer: TransferRecord }
  /** A transfer ended; `report` is absent when nothing is to be reported (a policy filtered it). */
  | { kind: 'transfer-finished'; transfer: TransferRecord | undefined; report: TransferReport | undefined }
  | { kind: 'du-change-finished'; change: DuChangeRecord | undefined; report: DuChangeReport | undefined }
  /** A timer a manager scheduled is due (USP's Device.ScheduleTimer()). */
  | { kind: 'timer-fired'; timer: ScheduledTimer }
  /** A diagnostic test a manager asked for finished (its results are in the data model). */
  | { kind: 'diagnostics-complete'; name: string };

export type DomainEventListener = (event: DomainEvent) => void;

/**
 * What the runtime asks of each attached endpoint: whether it is in the middle of an exchange
 * with its server (transfers and deferred actions wait for the end of it).
 */
export interface AttachedEndpoint {
  busy(): boolean;
  on: DomainEventListener;
}
