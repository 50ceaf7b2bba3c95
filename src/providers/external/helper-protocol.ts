/**
 * The JSON-lines protocol between the agent and a provider helper in another process (a shell
 * script, a C program): one JSON object per line on the helper's stdin, one answer per line on
 * its stdout, matched by `id`; the helper may also write `changed` lines of its own at any time.
 * Anything else on stdout is a protocol error (the helper is restarted); stderr goes to the
 * agent's log.
 *
 *   → {"id":1,"op":"get","objects":["Device.WiFi."]}
 *   ← {"id":1,"values":{"Device.WiFi.SSID.1.SSID":"home"},"instances":{"Device.WiFi.SSID.":[1]}}
 *   → {"id":2,"op":"validate","values":{"Device.WiFi.SSID.1.SSID":"x"}}
 *   ← {"id":2,"errors":{"Device.WiFi.SSID.1.SSID":"too short"}}          (or {"id":2,"errors":{}})
 *   → {"id":3,"op":"set","values":{"Device.WiFi.SSID.1.SSID":"office"}}
 *   ← {"id":3,"ok":true}                       ({"id":3,"ok":true,"reboot":true}: applies after a reboot)
 *   → {"id":4,"op":"add","table":"Device.WiFi.SSID."}        ← {"id":4,"instance":2}
 *   → {"id":5,"op":"delete","object":"Device.WiFi.SSID.2."}  ← {"id":5,"ok":true}
 *   ← {"op":"changed","paths":["Device.WiFi.SSID.1.Status"]}  (unasked: values that moved by themselves)
 *
 * Any request may be answered {"id":N,"error":"reason"}: the RPC that caused it gets 9002 (for
 * validate, 9007 per parameter through "errors"). Values are strings, as on the wire; a value
 * the helper leaves out falls back to the agent's store; `instances` lists the tables the helper
 * owns (their instances are the device's, not the ACS's).
 */

export type HelperRequest =
  | { id: number; op: 'get'; objects: readonly string[] }
  | { id: number; op: 'validate'; values: Record<string, string> }
  | { id: number; op: 'set'; values: Record<string, string> }
  | { id: number; op: 'add'; table: string }
  | { id: number; op: 'delete'; object: string };

export type HelperRequestBody = HelperRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export interface HelperAnswer {
  id?: number;
  op?: string;
  error?: string;
  values?: Record<string, string>;
  instances?: Record<string, number[]>;
  errors?: Record<string, string>;
  ok?: boolean;
  reboot?: boolean;
  instance?: number;
  paths?: string[];
}

/** Instance numbers are unsignedInt in every data model (1e300 is an integer to JavaScript, not to TR-181). */
function isInstanceNumber(n: unknown): boolean {
  return Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 4_294_967_295;
}

const MAX_INSTANCES_PER_TABLE = 65_536;

/** Checks one line from the helper; a reason when it is not a protocol message. */
export function readHelperLine(line: string): { ok: true; message: HelperAnswer } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(line.slice(0, 80))}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return { ok: false, reason: `not a JSON object: ${JSON.stringify(line.slice(0, 80))}` };
  const m = parsed as HelperAnswer;
  if (m.op === 'changed') {
    if (!Array.isArray(m.paths) || !m.paths.every((p) => typeof p === 'string')) return { ok: false, reason: 'a "changed" line without a list of paths' };
    return { ok: true, message: m };
  }
  if (typeof m.id !== 'number') return { ok: false, reason: `an answer without a numeric id: ${JSON.stringify(line.slice(0, 80))}` };
  const strings = (o: unknown): boolean => o === undefined || (typeof o === 'object' && o !== null && Object.values(o).every((v) => typeof v === 'string'));
  if (!strings(m.values) || !strings(m.errors)) return { ok: false, reason: 'values and errors must map paths to strings' };
  if (
    m.instances !== undefined &&
    (typeof m.instances !== 'object' ||
      !Object.values(m.instances).every((l) => Array.isArray(l) && l.length <= MAX_INSTANCES_PER_TABLE && l.every(isInstanceNumber)))
  ) {
    return { ok: false, reason: `instances must map table paths to lists of instance numbers (1 to 4294967295, at most ${MAX_INSTANCES_PER_TABLE} a table)` };
  }
  if (m.instance !== undefined && !isInstanceNumber(m.instance)) return { ok: false, reason: 'an instance number is a whole number from 1 to 4294967295' };
  return { ok: true, message: m };
}
