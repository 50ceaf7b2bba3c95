/** Routes each ACS request to its handler in the RPC table; a method the table lacks, or the namespace does not define, gets 9000. */
import { CwmpFault } from '../cwmp/faults.js';
import type { AcsRequest, AcsRequestOf, CpeResponse } from '../cwmp/messages.js';
import type { CwmpNamespace } from '../cwmp/namespaces.js';
import type { RpcContext } from './rpc-context.js';
import { isSupported, RPC_TABLE, supportedMethods, type NamespaceLevel, type RpcEntry, type SupportedMethod } from './rpc-table.js';

export type { AgentControl, RpcContext } from './rpc-context.js';

/** The methods this CPE answers in the newest namespace. */
export const SUPPORTED_METHODS: readonly string[] = supportedMethods(2);

function levelOf(ns: CwmpNamespace | undefined): NamespaceLevel {
  const v = ns?.slice(-3);
  return v === '1-0' ? 0 : v === '1-1' ? 1 : 2;
}

export async function dispatch(ctx: RpcContext, req: AcsRequest, namespace?: CwmpNamespace): Promise<CpeResponse> {
  const level = levelOf(namespace);
  if (!isSupported(req.method) || RPC_TABLE[req.method].since > level) throw new CwmpFault(9000, req.method);
  if (req.method === 'GetRPCMethods') return { method: 'GetRPCMethodsResponse', methodList: supportedMethods(level) };
  const entry = RPC_TABLE[req.method] as RpcEntry<SupportedMethod>;
  return entry.handle(ctx, req as AcsRequestOf<SupportedMethod>);
}
