/**
 * USP Records and Msgs to bytes and back, as plain objects with the spec's field names. Bytes
 * that are not a Record (or a payload that is not a Msg) are a UspDecodeError, never a crash:
 * the endpoint answers them as the spec says (or drops them where it says to).
 */
import { MSG_TYPES, USP_MSG, USP_RECORD, type MsgType } from './usp-schema.js';

export type StringMap = Record<string, string>;

export interface UspRecord {
  version: string;
  to_id: string;
  from_id: string;
  payload_security?: 'PLAINTEXT' | 'TLS12';
  no_session_context?: { payload: Uint8Array };
  session_context?: Record<string, unknown>;
  websocket_connect?: Record<string, never>;
  mqtt_connect?: { version: 'V3_1_1' | 'V5'; subscribed_topic: string };
  stomp_connect?: Record<string, unknown>;
  disconnect?: { reason: string; reason_code: number };
  uds_connect?: Record<string, never>;
}

export interface ParamErrorEntry {
  param_path: string;
  err_code: number;
  err_msg: string;
}

export interface UspErrorBody {
  err_code: number;
  err_msg: string;
  param_errs?: ParamErrorEntry[];
}

/** A request or response body by its oneof name (get, set_resp, ...): its fields as the spec names them. */
export type UspBodyPart = Record<string, unknown>;

export interface UspMsg {
  header: { msg_id: string; msg_type: MsgType };
  body: { request?: Record<string, UspBodyPart>; response?: Record<string, UspBodyPart>; error?: UspErrorBody };
}

export class UspDecodeError extends Error {}

/** The USP version this agent speaks in Records and GetSupportedProtocol. */
export const USP_VERSION = '1.4';

const TO_OBJECT = { enums: String, longs: String, bytes: Uint8Array, defaults: true, arrays: true, objects: true, oneofs: false } as const;

export function encodeRecord(r: UspRecord): Uint8Array {
  return USP_RECORD.encode(USP_RECORD.fromObject(r)).finish();
}

export function decodeRecord(bytes: Uint8Array): UspRecord {
  try {
    const decoded = USP_RECORD.decode(bytes);
    const r = USP_RECORD.toObject(decoded, { ...TO_OBJECT, defaults: false }) as Partial<UspRecord>;
    return { version: r.version ?? '', to_id: r.to_id ?? '', from_id: r.from_id ?? '', ...r };
  } catch (err) {
    throw new UspDecodeError(`not a USP Record: ${(err as Error).message}`);
  }
}

export function encodeMsg(m: UspMsg): Uint8Array {
  return USP_MSG.encode(USP_MSG.fromObject({ header: { msg_id: m.header.msg_id, msg_type: MSG_TYPES[m.header.msg_type] }, body: m.body })).finish();
}

export function decodeMsg(bytes: Uint8Array): UspMsg {
  let decoded: protobufObject;
  try {
    decoded = USP_MSG.toObject(USP_MSG.decode(bytes), { ...TO_OBJECT, defaults: false }) as protobufObject;
  } catch (err) {
    throw new UspDecodeError(`not a USP Msg: ${(err as Error).message}`);
  }
  const header = (decoded['header'] ?? {}) as { msg_id?: string; msg_type?: MsgType };
  return {
    header: { msg_id: header.msg_id ?? '', msg_type: header.msg_type ?? 'ERROR' },
    body: (decoded['body'] ?? {}) as UspMsg['body'],
  };
}

type protobufObject = Record<string, unknown>;

/** The one body part a request or response carries, with its oneof name ("get", "set_resp", ...). */
export function bodyPart(part: Record<string, UspBodyPart> | undefined): [string, UspBodyPart] | undefined {
  if (!part) return undefined;
  const entry = Object.entries(part).find(([, v]) => v !== undefined && v !== null);
  return entry as [string, UspBodyPart] | undefined;
}

/** A Record carrying one Msg, as the agent sends them (no session context, plaintext). */
export function msgRecord(fromId: string, toId: string, m: UspMsg): Uint8Array {
  return encodeRecord({ version: USP_VERSION, to_id: toId, from_id: fromId, payload_security: 'PLAINTEXT', no_session_context: { payload: encodeMsg(m) } });
}
