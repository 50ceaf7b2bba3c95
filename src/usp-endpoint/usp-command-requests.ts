/**
 * Asynchronous USP commands while they run and when they end: each has a
 * Device.LocalAgent.Request row (Active) from its Operate until its OperationComplete goes to the
 * subscribed Controllers; a deployment-unit command also tells DUStateChange! for each operation.
 */
import type { DuChangeRecord } from '../cwmp/du-change.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import { UspError, UspErrorCode, uspCodeOfDuFault } from '../usp/usp-errors.js';
import type { CommandOutcome } from './usp-command-definition.js';
import type { NotificationRouter } from './usp-notifications.js';

type Failure = { code: number; message: string };

export class CommandRequests {
  /** Work running in the background for a Request row, by the row's path: aborted when the agent stops (made when first needed). */
  private running: Map<string, AbortController> | undefined;

  private readonly model: DataModel;

  constructor(
    private readonly device: DeviceRuntime,
    private readonly notifications: NotificationRouter,
  ) {
    this.model = device.model;
  }

  /** A Request row for a command now running, on behalf of the Controller that asked; returns its path. */
  start(originator: string, command: string, commandKey: string): string {
    const m = this.model;
    const table = LocalAgentPaths.request;
    if (!m.schema.tables.has(`${table}{i}.`)) throw new UspError(UspErrorCode.CommandFailure, 'this device keeps no Device.LocalAgent.Request table');
    const at = `${table}${m.addInstance(table)}.`;
    m.provision({ [`${at}Originator`]: originator, [`${at}Command`]: command, [`${at}CommandKey`]: commandKey, [`${at}Status`]: 'Active' });
    return at;
  }

  /** Runs a command's work; its outcome ends the Request row at `request` (a failure to run is a command failure). */
  runInBackground(request: string, work: (signal: AbortSignal) => Promise<CommandOutcome>): void {
    const abort = new AbortController();
    (this.running ??= new Map()).set(request, abort);
    work(abort.signal)
      .catch((err: unknown): CommandOutcome => ({ failure: { code: UspErrorCode.CommandFailure, message: (err as Error).message ?? String(err) } }))
      .then((outcome) => {
        this.running?.delete(request);
        // Stopped meanwhile: the agent is going, and the row with it (a Request does not outlive a reboot).
        if (abort.signal.aborted) return;
        this.end(request, 'failure' in outcome ? outcome.failure : undefined, 'outputs' in outcome ? outcome.outputs : undefined);
      });
  }

  /**
   * Cancel() of the command at `request`: its work stopped or taken back, OperationComplete with
   * 7023 (canceled), the row gone. A deployment-unit operation already under way is not stopped
   * halfway (the unit would be left half installed): that Cancel() fails.
   */
  cancel(request: string): void {
    const m = this.model;
    const key = m.read(`${request}CommandKey`);
    const command = m.read(`${request}Command`);
    const background = this.running?.get(request);
    if (background) {
      this.running!.delete(request);
      background.abort();
    } else if (command.endsWith('.Download()')) {
      const transfer = this.device.transfers.list().find((t) => t.origin === 'USP' && t.commandKey === key);
      if (transfer) this.device.transfers.cancel([transfer]);
    } else if (command === 'Device.ScheduleTimer()') {
      const timer = this.device.timers.list().find((t) => t.request === request);
      if (timer) this.device.timers.cancel(timer.id);
    } else if (/\.(InstallDU|Update|Uninstall)\(\)$/.test(command)) {
      const change = this.device.duChanges.list().find((c) => c.origin === 'USP' && c.commandKey === key);
      if (change && !this.device.duChanges.withdraw(change.id))
        throw new UspError(UspErrorCode.CommandFailure, `${command} is under way and cannot be stopped halfway`);
    }
    m.provision({ [`${request}Status`]: 'Canceled' });
    this.end(request, { code: UspErrorCode.CommandCanceled, message: 'canceled by Cancel()' });
  }

  /** The agent stops: what runs in the background is aborted. */
  stop(): void {
    for (const a of this.running?.values() ?? []) a.abort();
    this.running = undefined;
  }

  /** A Device.ScheduleTimer() is due: its command completes. */
  timerFired(request: string): void {
    this.end(request, undefined);
  }

  /** A USP command's file transfer (firmware Download()) ended. */
  transferFinished(commandKey: string, fault: { faultCode: number; faultString: string }): void {
    this.done(commandKey, fault.faultCode === 0 ? undefined : { code: UspErrorCode.CommandFailure, message: fault.faultString });
  }

  /** A USP command's deployment-unit change ended: DUStateChange! for each operation, then the command's OperationComplete. */
  deploymentUnitsChanged(change: DuChangeRecord): void {
    let failure: Failure | undefined;
    for (const o of change.operations) {
      const r = o.result;
      if (!r) continue;
      const code = uspCodeOfDuFault(r.fault.faultCode);
      if (code !== 0) failure ??= { code, message: r.fault.faultString };
      this.notifications.event('Device.SoftwareModules.', 'DUStateChange!', {
        UUID: r.uuid,
        DeploymentUnitRef: r.deploymentUnitRef,
        Version: r.version,
        // TR-181 spells it UnInstalled where TR-069's DUStateChangeComplete says Uninstalled.
        CurrentState: r.currentState === 'Uninstalled' ? 'UnInstalled' : r.currentState,
        Resolved: String(r.resolved),
        ExecutionUnitRefList: r.executionUnitRefList,
        StartTime: formatDateTime(r.startTime),
        CompleteTime: formatDateTime(r.completeTime),
        OperationPerformed: o.op.op,
        'Fault.FaultCode': String(code),
        'Fault.FaultString': r.fault.faultString,
      });
    }
    this.done(change.commandKey, failure);
  }

  /** A command (by its command key) ended: OperationComplete to its subscribers, and its Request row goes. */
  private done(commandKey: string, failure: Failure | undefined): void {
    const m = this.model;
    const table = LocalAgentPaths.request;
    if (!m.schema.tables.has(`${table}{i}.`)) return;
    const id = m.instanceIds(table).find((n) => m.read(`${table}${n}.CommandKey`) === commandKey && m.read(`${table}${n}.Status`) === 'Active');
    if (id !== undefined) this.end(`${table}${id}.`, failure);
  }

  /** The command of the Request row at `request` ended: OperationComplete (with its outputs) to its subscribers, and the row goes. */
  private end(request: string, failure: Failure | undefined, outputs?: Record<string, string>): void {
    const m = this.model;
    const table = LocalAgentPaths.request;
    const id = Number(request.slice(table.length, -1));
    if (!m.schema.tables.has(`${table}{i}.`) || !m.instanceIds(table).includes(id)) return;
    this.notifications.operationComplete(m.read(`${request}Command`), m.read(`${request}CommandKey`), failure, outputs);
    m.clearInstances(table, [id]);
  }
}
