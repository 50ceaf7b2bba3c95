/**
 * A USP Controller for the tests, made of independent parts: MQTT.js for the transport and
 * protobufjs loaded with the Broadband Forum's own .proto files (not the agent's schema). It keeps
 * every Record that reaches it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import protobuf from 'protobufjs';
import { until } from './until.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const USP_PROTO_DIR = path.join(process.env['BBF_DIR'] ?? path.resolve(here, '../../../../shared/bbf'), 'usp', 'proto');

/** Why the official .proto files cannot be used here, or undefined when they can. */
export function uspProtoMissing(): string | undefined {
  return fs.existsSync(path.join(USP_PROTO_DIR, 'usp-msg-1-4.proto'))
    ? undefined
    : `the Broadband Forum USP .proto files are not at ${USP_PROTO_DIR} (set BBF_DIR)`;
}

// biome-ignore lint/suspicious/noExplicitAny: decoded protobuf objects are read field by field in the tests
export type Obj = Record<string, any>;

export interface ControllerSetup {
  url: string;
  controllerId: string;
  controllerTopic: string;
  agentId: string;
  agentTopic: string;
}

export interface TestController {
  client: MqttClient;
  received: { record: Obj; msg?: Obj; contentType?: string; responseTopic?: string }[];
  send(body: Obj, msgType: string, record?: Obj): Promise<string>;
  request(body: Obj, msgType: string): Promise<Obj>;
  raw(bytes: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** Records and Msgs through the official schema: what a Controller written by someone else would send and read. */
export async function officialCodec(): Promise<{
  decode(bytes: Uint8Array): { record: Obj; msg?: Obj };
  encode(from: string, to: string, msgId: string, msgType: string, body: Obj, record?: Obj): Uint8Array;
}> {
  const root = new protobuf.Root();
  await root.load([path.join(USP_PROTO_DIR, 'usp-record-1-4.proto'), path.join(USP_PROTO_DIR, 'usp-msg-1-4.proto')], { keepCase: true });
  const Record = root.lookupType('usp_record.Record');
  const Msg = root.lookupType('usp.Msg');
  const opts = { enums: String, longs: String, defaults: true, arrays: true, objects: true, oneofs: true } as const;
  return {
    decode(bytes) {
      const record = Record.toObject(Record.decode(bytes), { ...opts, bytes: Buffer }) as Obj;
      const payload = record['no_session_context']?.payload as Buffer | undefined;
      return { record, msg: payload ? (Msg.toObject(Msg.decode(payload), opts) as Obj) : undefined };
    },
    encode(from, to, msgId, msgType, body, record = {}) {
      const payload = Msg.encode(Msg.fromObject({ header: { msg_id: msgId, msg_type: msgType }, body })).finish();
      return Record.encode(Record.fromObject({ version: '1.4', to_id: to, from_id: from, no_session_context: { payload }, ...record })).finish();
    },
  };
}

export async function startController(s: ControllerSetup): Promise<TestController> {
  const codec = await officialCodec();
  const client = await mqtt.connectAsync(s.url, { protocolVersion: 5, clientId: `test-${s.controllerId.replace(/\W/g, '')}` });
  await client.subscribeAsync(s.controllerTopic, { qos: 1 });
  const received: TestController['received'] = [];
  client.on('message', (_t, payload, packet) => {
    received.push({ ...codec.decode(payload), contentType: packet.properties?.contentType, responseTopic: packet.properties?.responseTopic });
  });
  let n = 0;
  const send = async (body: Obj, msgType: string, record: Obj = {}): Promise<string> => {
    const id = `c-${++n}`;
    const bytes = codec.encode(s.controllerId, s.agentId, id, msgType, body, record);
    await client.publishAsync(s.agentTopic, Buffer.from(bytes), { qos: 1, properties: { contentType: 'usp.msg', responseTopic: s.controllerTopic } });
    return id;
  };
  return {
    client,
    received,
    send,
    async request(body, msgType) {
      const id = await send(body, msgType);
      return until(() => received.find((r) => r.msg?.['header']?.msg_id === id)?.msg, `the answer to ${msgType} ${id}`, 15_000);
    },
    raw: (bytes) => client.publishAsync(s.agentTopic, bytes, { qos: 1 }),
    close: () => client.endAsync(),
  };
}
