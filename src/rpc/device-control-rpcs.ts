/** Reboot, FactoryReset and ScheduleInform: accepted in the session, carried out after it. */
import { CwmpFault } from '../cwmp/faults.js';
import type { AcsRequestOf } from '../cwmp/messages.js';
import type { AgentControl, ResponseTo } from './rpc-context.js';

export function reboot(agent: AgentControl, req: AcsRequestOf<'Reboot'>): ResponseTo<'Reboot'> {
  agent.requestReboot(req.commandKey);
  return { method: 'RebootResponse' };
}

export function factoryReset(agent: AgentControl): ResponseTo<'FactoryReset'> {
  agent.requestFactoryReset();
  return { method: 'FactoryResetResponse' };
}

export function scheduleInform(agent: AgentControl, req: AcsRequestOf<'ScheduleInform'>): ResponseTo<'ScheduleInform'> {
  // TR-069 A.4.1.4: DelaySeconds must be greater than zero.
  if (req.delaySeconds < 1) throw new CwmpFault(9003, 'DelaySeconds must be at least 1');
  agent.scheduleInform(req.delaySeconds, req.commandKey);
  return { method: 'ScheduleInformResponse' };
}
