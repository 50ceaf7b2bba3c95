/**
 * Asynchronous USP commands while they run and when they end: each has a
 * Device.LocalAgent.Request row (Active) from its Operate until its OperationComplete goes to the
 * subscribed Controllers; a deployment-unit command also tells DUStateChange! for each operation.
 */
import type { DuChangeRecord } from '../cwmp/du-change.js';
import { formatDateTime } from '../cwmp/xml-text.js';
import type { DataModel } from '../datamodel/data-model.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import { UspError, UspErrorCode, uspCodeOfDuFault } from '../usp/usp-errors.js';
import type { NotificationRouter } from './usp-notifications.js';

type Failure = { code: number; message: string };

export class CommandRequests {
  constructor(
    private readonly model: DataModel,
    private readonly notifications: NotificationRouter,
  ) {}

  /** A Request row for a command now running, on behalf of the Controller that asked; returns its path. */
  start(originator: string, command: string, commandKey: string): string {
    const m = this.model;
    const table = LocalAgentPaths.request;
    if (!m.schema.tables.has(`${table}{i}.`)) throw new UspError(UspErrorCode.CommandFailure, 'this device keeps no Device.LocalAgent.Request table');
    const at = `${table}${m.addInstance(table)}.`;
    m.provision({ [`${at}Originator`]: originator, [`${at}Command`]: command, [`${at}CommandKey`]: commandKey, [`${at}Status`]: 'Active' });
    return at;
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
    if (id === undefined) return;
    const command = m.read(`${table}${id}.Command`);
    this.notifications.operationComplete(command, commandKey, failure);
    m.clearInstances(table, [id]);
  }
}
