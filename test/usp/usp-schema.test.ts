/**
 * The project's USP schema against the Broadband Forum's own .proto files (read from
 * ../shared/bbf/usp/proto, never copied): every message, field, number, type, oneof and enum
 * value the same, and messages encoded with one decode with the other, both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { decodeMsg, decodeRecord, encodeMsg, encodeRecord, msgRecord, type UspMsg } from '../../src/usp/usp-codec.js';
import { USP_ROOT } from '../../src/usp/usp-schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BBF = process.env['BBF_DIR'] ?? path.resolve(here, '../../../../shared/bbf');
const PROTO = path.join(BBF, 'usp', 'proto');
const present = fs.existsSync(path.join(PROTO, 'usp-msg-1-4.proto'));
const skip = present ? false : `the Broadband Forum USP .proto files are not at ${PROTO} (set BBF_DIR)`;
if (skip) console.log(`# SKIP usp-schema: ${skip}`);

async function official(): Promise<protobuf.Root> {
  const root = new protobuf.Root();
  await root.load([path.join(PROTO, 'usp-record-1-4.proto'), path.join(PROTO, 'usp-msg-1-4.proto')], { keepCase: true });
  return root;
}

/** Every type and enum under a namespace, by full name, with what defines it on the wire. */
function shape(ns: protobuf.NamespaceBase, out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      out[nested.fullName] = {
        fields: Object.fromEntries(
          nested.fieldsArray.map((f) => [
            f.name,
            { id: f.id, type: f.type.replace(/^.*\./, ''), repeated: f.repeated, map: f.map, keyType: (f as unknown as protobuf.MapField).keyType },
          ]),
        ),
        oneofs: Object.fromEntries(nested.oneofsArray.map((o) => [o.name, [...o.oneof].sort()])),
      };
    } else if (nested instanceof protobuf.Enum) {
      out[nested.fullName] = { values: { ...nested.values } };
    }
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) shape(nested as protobuf.NamespaceBase, out);
  }
  return out;
}

test('the USP schema defines what the official .proto files define, field for field', { skip }, async () => {
  const root = await official();
  assert.deepEqual(shape(USP_ROOT), shape(root));
});

const SAMPLES: UspMsg[] = [
  {
    header: { msg_id: 'g1', msg_type: 'GET' },
    body: { request: { get: { param_paths: ['Device.DeviceInfo.', 'Device.IP.Interface.*.Status'], max_depth: 2 } } },
  },
  {
    header: { msg_id: 'g1', msg_type: 'GET_RESP' },
    body: {
      response: {
        get_resp: {
          req_path_results: [
            {
              requested_path: 'Device.DeviceInfo.',
              err_code: 0,
              err_msg: '',
              resolved_path_results: [{ resolved_path: 'Device.DeviceInfo.', result_params: { SerialNumber: 'S1', UpTime: '5' } }],
            },
            { requested_path: 'Device.Nope.', err_code: 7026, err_msg: 'no such path', resolved_path_results: [] },
          ],
        },
      },
    },
  },
  {
    header: { msg_id: 's1', msg_type: 'SET' },
    body: {
      request: {
        set: {
          allow_partial: true,
          update_objs: [{ obj_path: 'Device.DeviceInfo.', param_settings: [{ param: 'ProvisioningCode', value: 'x', required: true }] }],
        },
      },
    },
  },
  {
    header: { msg_id: 'n1', msg_type: 'NOTIFY' },
    body: {
      request: {
        notify: {
          subscription_id: 'boot',
          send_resp: true,
          event: { obj_path: 'Device.', event_name: 'Boot!', params: { Cause: 'LocalReboot', CommandKey: '' } },
        },
      },
    },
  },
  {
    header: { msg_id: 'o1', msg_type: 'OPERATE_RESP' },
    body: { response: { operate_resp: { operation_results: [{ executed_command: 'Device.Reboot()', req_output_args: { output_args: {} } }] } } },
  },
  {
    header: { msg_id: 'e1', msg_type: 'ERROR' },
    body: { error: { err_code: 7004, err_msg: 'invalid', param_errs: [{ param_path: 'Device.X', err_code: 7010, err_msg: 'unsupported' }] } },
  },
];

test('messages encoded with the project schema decode with the official one, and the other way round', { skip }, async () => {
  const root = await official();
  const OfficialMsg = root.lookupType('usp.Msg');
  const OfficialRecord = root.lookupType('usp_record.Record');
  const opts = { enums: String, longs: String, defaults: false, arrays: true, objects: true } as const;
  for (const m of SAMPLES) {
    const ours = encodeMsg(m);
    const theirs = OfficialMsg.toObject(OfficialMsg.decode(ours), opts);
    assert.equal((theirs['header'] as { msg_type?: string }).msg_type ?? 'ERROR', m.header.msg_type);
    const back = OfficialMsg.encode(OfficialMsg.fromObject(theirs)).finish();
    assert.deepEqual(decodeMsg(back), decodeMsg(ours), `${m.header.msg_type} round-trips through the official schema`);
    assert.deepEqual(Buffer.from(back), Buffer.from(ours), `${m.header.msg_type}: the same bytes`);
  }
  const record = msgRecord('proto::agent', 'proto::controller', SAMPLES[0]!);
  const decoded = OfficialRecord.toObject(OfficialRecord.decode(record), { ...opts, bytes: Buffer });
  assert.equal(decoded['to_id'], 'proto::controller');
  assert.equal(decoded['version'], '1.4');
  const payload = (decoded['no_session_context'] as { payload: Buffer }).payload;
  assert.equal(decodeMsg(payload).header.msg_id, 'g1');
  const connect = OfficialRecord.encode(
    OfficialRecord.fromObject({ version: '1.4', to_id: 'a', from_id: 'b', mqtt_connect: { version: 'V5', subscribed_topic: 'usp/agent' } }),
  ).finish();
  assert.deepEqual(decodeRecord(connect).mqtt_connect, { version: 'V5', subscribed_topic: 'usp/agent' });
  assert.deepEqual(decodeRecord(encodeRecord(decodeRecord(connect))), decodeRecord(connect));
});

test('bytes that are not a Record, or a payload that is not a Msg, are a decode error, not a crash', () => {
  assert.throws(() => decodeRecord(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])), /not a USP Record/);
  assert.throws(() => decodeMsg(Buffer.from([0x0a, 0x05, 0x01])), /not a USP Msg/);
});
