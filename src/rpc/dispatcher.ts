/** Routes each ACS request to its handler; unsupported methods get 9000. */
import { CwmpFault } from '../cwmp/faults.js';
import type { AcsRequest, CpeResponse } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import * as params from './parameter-rpcs.js';
import * as control from './device-control-rpcs.js';
import * as transfers from './transfer-rpcs.js';
import type { TransferRecord } from '../cwmp/transfer-record.js';

/** What the RPC handlers may ask of the agent that runs them. */
export interface AgentControl {
  scheduleInform(delaySeconds: number, commandKey: string): void;
  /** Records M Reboot and arranges the reboot for after the session. */
  requestReboot(commandKey: string): void;
  requestFactoryReset(): void;
  /** Epoch ms, from the agent's clock. */
  now(): number;
  newTransferId(): string;
  transferQueue(): readonly TransferRecord[];
  /** Persists an accepted transfer; it runs after the session. */
  queueTransfer(t: TransferRecord): void;
  /** Removes transfers (checked by the caller), stopping any that is running. */
  cancelTransfers(list: readonly TransferRecord[]): void;
  /** Fetches and installs a small file now, within the session; throws its CwmpFault. */
  transferInSession(t: TransferRecord): Promise<{ startTime: Date; completeTime: Date }>;
}

export interface RpcContext {
  model: DataModel;
  agent: AgentControl;
}

export const SUPPORTED_METHODS = [
  'GetRPCMethods',
  'SetParameterValues',
  'GetParameterValues',
  'GetParameterNames',
  'SetParameterAttributes',
  'GetParameterAttributes',
  'AddObject',
  'DeleteObject',
  'Reboot',
  'FactoryReset',
  'ScheduleInform',
  'Download',
  'Upload',
  'ScheduleDownload',
  'CancelTransfer',
  'GetQueuedTransfers',
  'GetAllQueuedTransfers',
] as const;

export async function dispatch(ctx: RpcContext, req: AcsRequest): Promise<CpeResponse> {
  switch (req.method) {
    case 'GetRPCMethods':
      return { method: 'GetRPCMethodsResponse', methodList: [...SUPPORTED_METHODS] };
    case 'GetParameterValues':
      return params.getParameterValues(ctx.model, req);
    case 'SetParameterValues':
      return params.setParameterValues(ctx.model, req);
    case 'GetParameterNames':
      return params.getParameterNames(ctx.model, req);
    case 'GetParameterAttributes':
      return params.getParameterAttributes(ctx.model, req);
    case 'SetParameterAttributes':
      return params.setParameterAttributes(ctx.model, req);
    case 'AddObject':
      return params.addObject(ctx.model, req);
    case 'DeleteObject':
      return params.deleteObject(ctx.model, req);
    case 'Reboot':
      return control.reboot(ctx.agent, req);
    case 'FactoryReset':
      return control.factoryReset(ctx.agent);
    case 'ScheduleInform':
      return control.scheduleInform(ctx.agent, req);
    case 'Download':
      return transfers.download(ctx.agent, req);
    case 'Upload':
      return transfers.upload(ctx.agent, req);
    case 'ScheduleDownload':
      return transfers.scheduleDownload(ctx.agent, req);
    case 'CancelTransfer':
      return transfers.cancelTransfer(ctx.agent, req);
    case 'GetQueuedTransfers':
      return transfers.getQueuedTransfers(ctx.agent);
    case 'GetAllQueuedTransfers':
      return transfers.getAllQueuedTransfers(ctx.agent);
    default:
      throw new CwmpFault(9000, req.method);
  }
}
