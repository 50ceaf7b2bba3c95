/**
 * ChangeDUState (TR-069 A.4.1.10): the request is checked and queued here; the operations run
 * after the session and their results go in DUStateChangeComplete.
 */
import { acceptChangeDuState } from '../cwmp/du-change.js';
import { CwmpFault } from '../cwmp/faults.js';
import type { AcsRequestOf } from '../cwmp/messages.js';
import type { AgentControl, ResponseTo } from './rpc-context.js';

export function changeDuState(agent: AgentControl, req: AcsRequestOf<'ChangeDUState'>): ResponseTo<'ChangeDUState'> {
  if (!agent.hasSoftwareModules) throw new CwmpFault(9000, 'ChangeDUState: this device has no execution environment');
  agent.queueDuChange(acceptChangeDuState(req, agent.duChangeQueue(), agent.now(), () => agent.newTransferId()));
  return { method: 'ChangeDUStateResponse' };
}
