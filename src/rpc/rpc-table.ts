/**
 * Every RPC the CPE answers, in one typed table: the method, the handler (which must return that
 * method's response type, which the envelope writer must know) and the first namespace that
 * defines it. GetRPCMethods and the dispatcher derive from it. A method added to the codec's
 * AcsRequest is a compile error here until it has an entry or is listed as not supported; the
 * codec's own reader table (envelope-parse) makes a missing parser a compile error likewise.
 */
import type { AcsRequestMethod, AcsRequestOf } from '../cwmp/messages.js';
import * as control from './device-control-rpcs.js';
import * as params from './parameter-rpcs.js';
import type { ResponseTo, RpcContext } from './rpc-context.js';
import * as transfers from './transfer-rpcs.js';
import * as softwareModules from './software-module-rpcs.js';

/** Methods the codec reads but this CPE does not offer: they are answered 9000. */
export type UnsupportedMethod = 'SetVouchers' | 'GetOptions';

export type SupportedMethod = Exclude<AcsRequestMethod, UnsupportedMethod>;

/** 0: cwmp-1-0 and later, 1: from cwmp-1-1, 2: from cwmp-1-2 (the XSDs, Annex A). */
export type NamespaceLevel = 0 | 1 | 2;

export interface RpcEntry<M extends SupportedMethod> {
  since: NamespaceLevel;
  handle(ctx: RpcContext, req: AcsRequestOf<M>): ResponseTo<M> | Promise<ResponseTo<M>>;
}

export const RPC_TABLE: { readonly [M in SupportedMethod]: RpcEntry<M> } = {
  GetRPCMethods: { since: 0, handle: () => ({ method: 'GetRPCMethodsResponse', methodList: [] }) },
  SetParameterValues: { since: 0, handle: (c, r) => params.setParameterValues(c.model, r) },
  GetParameterValues: { since: 0, handle: (c, r) => params.getParameterValues(c.model, r) },
  GetParameterNames: { since: 0, handle: (c, r) => params.getParameterNames(c.model, r) },
  SetParameterAttributes: { since: 0, handle: (c, r) => params.setParameterAttributes(c.model, r) },
  GetParameterAttributes: { since: 0, handle: (c, r) => params.getParameterAttributes(c.model, r) },
  AddObject: { since: 0, handle: (c, r) => params.addObject(c.model, r) },
  DeleteObject: { since: 0, handle: (c, r) => params.deleteObject(c.model, r) },
  Reboot: { since: 0, handle: (c, r) => control.reboot(c.agent, r) },
  FactoryReset: { since: 0, handle: (c) => control.factoryReset(c.agent) },
  ScheduleInform: { since: 0, handle: (c, r) => control.scheduleInform(c.agent, r) },
  Download: { since: 0, handle: (c, r) => transfers.download(c.agent, r) },
  Upload: { since: 0, handle: (c, r) => transfers.upload(c.agent, r) },
  GetQueuedTransfers: { since: 0, handle: (c) => transfers.getQueuedTransfers(c.agent) },
  GetAllQueuedTransfers: { since: 1, handle: (c) => transfers.getAllQueuedTransfers(c.agent) },
  ScheduleDownload: { since: 2, handle: (c, r) => transfers.scheduleDownload(c.agent, r) },
  CancelTransfer: { since: 2, handle: (c, r) => transfers.cancelTransfer(c.agent, r) },
  ChangeDUState: { since: 2, handle: (c, r) => softwareModules.changeDuState(c.agent, r) },
};

/** The methods offered to an ACS speaking a namespace of `level` (GetRPCMethods' MethodList). */
export function supportedMethods(level: NamespaceLevel = 2): SupportedMethod[] {
  return (Object.keys(RPC_TABLE) as SupportedMethod[]).filter((m) => RPC_TABLE[m].since <= level);
}

export function isSupported(method: string): method is SupportedMethod {
  return Object.hasOwn(RPC_TABLE, method);
}
