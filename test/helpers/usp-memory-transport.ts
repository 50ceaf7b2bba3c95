/** A USP transport in memory, for endpoint tests: the endpoint's Records come out decoded, the test's go in. */
import { decodeMsg, decodeRecord, msgRecord, type UspMsg } from '../../src/usp/usp-codec.js';
import type { RecordReceiver, UspTransport } from '../../src/usp-endpoint/usp-endpoint.js';

/** A transport that hands Records to the test and takes the test's Records to the endpoint. */
export function memoryTransport(
  controllerId: string,
  agentId: string,
): UspTransport & { sent: UspMsg[]; sentTo: { to: string; msg: UspMsg }[]; deliver(m: UspMsg): void; deliverFrom(from: string, m: UspMsg): void } {
  let receiver: RecordReceiver | undefined;
  let connected: (() => void) | undefined;
  const sent: UspMsg[] = [];
  /** Every Msg with the Controller it was for (to_id). */
  const sentTo: { to: string; msg: UspMsg }[] = [];
  return {
    protocol: 'MQTT',
    sent,
    sentTo,
    start: () => connected?.(),
    stop: async () => {},
    onRecord: (r) => void (receiver = r),
    onConnected: (l) => void (connected = l),
    connected: true,
    publish: async (_to, bytes) => {
      const r = decodeRecord(bytes);
      if (!r.no_session_context) return;
      const msg = decodeMsg(r.no_session_context.payload);
      sent.push(msg);
      sentTo.push({ to: r.to_id, msg });
    },
    connectRecord: () => ({ mqtt_connect: { version: 'V5', subscribed_topic: 'agent' } }),
    deliver: (m) => void receiver?.({ payload: msgRecord(controllerId, agentId, m), responseTopic: undefined }),
    deliverFrom: (from, m) => void receiver?.({ payload: msgRecord(from, agentId, m), responseTopic: undefined }),
  };
}
