/**
 * What a session's Inform carries, and what its acknowledgements change in the agent's state:
 * pure functions of the state, the model and the clock's reading.
 */
import { derivedEvents, EventCode, eventsAfterInformResponse, eventsForInform } from '../cwmp/events.js';
import type { CwmpEvent, InformRequest } from '../cwmp/messages.js';
import type { DataModel } from '../datamodel/data-model.js';
import type { ManagementServerPaths } from '../models/device-core.js';
import { informParameterNames } from '../models/inform-parameters.js';
import type { DeviceIdentity } from '../providers/device.js';
import type { Acknowledgement } from '../session/session-machine.js';
import type { AgentState } from '../storage/agent-state.js';

export interface ComposedInform {
  inform: InformRequest;
  /** The events and changed parameters it reports: acknowledged together by the InformResponse. */
  sentEvents: CwmpEvent[];
  sentChanges: string[];
}

/**
 * The Inform for the next session. A due Heartbeat goes alone (14 HEARTBEAT, TR-069 Annex O)
 * only when nothing else is pending; otherwise the pending events (and those the unacknowledged
 * CPE requests imply) in TR-069's order, with the changed parameters and the forced ones.
 */
export function composeInform(
  state: AgentState,
  heartbeatDue: boolean,
  model: DataModel,
  ms: ManagementServerPaths,
  id: DeviceIdentity,
  now: number,
): ComposedInform {
  const pending = eventsForInform([...state.events, ...derivedEvents(state.pendingCpeRequests)]);
  const heartbeat = heartbeatDue && pending.length === 0;
  const sentEvents = heartbeat ? [{ code: EventCode.Heartbeat, commandKey: '' }] : pending;
  const sentChanges = heartbeat ? [] : [...state.changedParameters];
  const inform: InformRequest = {
    method: 'Inform',
    deviceId: { manufacturer: id.manufacturer, oui: id.oui, productClass: id.productClass, serialNumber: id.serialNumber },
    events: sentEvents,
    maxEnvelopes: 1,
    currentTime: new Date(now),
    retryCount: state.retryCount,
    parameterList: model.informParameters([...sentChanges, ...informParameterNames(model, ms.informParameterTable, sentEvents)]),
  };
  return { inform, sentEvents, sentChanges };
}

/**
 * The state after an acknowledgement: an InformResponse delivers the events and changes sent
 * (BOOTSTRAP records the URL it reached); a CPE request answered, or refused with a final fault,
 * is not sent again.
 */
export function applyAcknowledgement(s: AgentState, ack: Acknowledgement, sent: ComposedInform, url: string): void {
  if (ack.kind === 'inform') {
    const stored = sent.sentEvents.filter((e) => s.events.some((q) => q.code === e.code && q.commandKey === e.commandKey));
    s.events = eventsAfterInformResponse(s.events, stored);
    s.changedParameters = s.changedParameters.filter((n) => !sent.sentChanges.includes(n));
    if (sent.sentEvents.some((e) => e.code === EventCode.Bootstrap)) s.bootstrappedUrl = url;
    return;
  }
  const i = s.pendingCpeRequests.indexOf(ack.request);
  if (i >= 0) s.pendingCpeRequests.splice(i, 1);
}
