/** Every USP Msg a device receives and sends, in its wire trace beside its CWMP envelopes (decoded; see log/usp-msg-text.ts). */
import type { DeviceTrace } from '../log/trace-record.js';
import type { UspMessageObserver } from './usp-endpoint.js';

export function tracingObserver(trace: DeviceTrace, next?: UspMessageObserver): UspMessageObserver {
  return (dir, msg, controller) => {
    trace({ kind: 'usp', dir, method: msg.header.msg_type, note: msg.header.msg_id, peer: controller, uspMsg: msg });
    next?.(dir, msg, controller);
  };
}
