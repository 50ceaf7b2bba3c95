/**
 * `cwmp-agent trace show`: a device's wire trace as a conversation a person reads: per session,
 * each message with its direction, time from the session's start, HTTP status, method and the
 * arguments that matter (events, names, values, faults), then connection requests and transfers.
 */
import { childNamed, readXml, type XmlElement } from '../cwmp/xml-reader.js';
import type { TraceRecord } from '../log/trace-record.js';

function text(el: XmlElement | undefined, ...path: string[]): string {
  let cur = el;
  for (const p of path) cur = cur ? childNamed(cur, p) : undefined;
  return cur?.text.trim() ?? '';
}

function list(items: string[], max = 4): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The method of a CWMP body and its key arguments, in a few words. */
export function describeEnvelope(body: string | undefined): string {
  if (!body || body.trim() === '') return '(empty)';
  let root: XmlElement;
  try {
    root = readXml(body);
  } catch {
    return `(not XML: ${JSON.stringify(body.slice(0, 60))})`;
  }
  const m = childNamed(root, 'Body')?.children[0];
  if (!m) return '(no body)';
  const items = (name: string): XmlElement[] => childNamed(m, name)?.children ?? [];
  switch (m.local) {
    case 'Inform':
      return `Inform  ${text(m, 'DeviceId', 'SerialNumber')}  events: ${list(
        items('Event').map((e) => text(e, 'EventCode') + (text(e, 'CommandKey') ? ` (${text(e, 'CommandKey')})` : '')),
        8,
      )}; ${items('ParameterList').length} parameters`;
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return `${m.local}  ${list(items('ParameterNames').map((s) => s.text.trim() || '""'))}`;
    case 'GetParameterNames':
      return `GetParameterNames  "${text(m, 'ParameterPath')}" NextLevel=${text(m, 'NextLevel')}`;
    case 'SetParameterValues':
      return `SetParameterValues  ${list(items('ParameterList').map((s) => `${text(s, 'Name')}=${text(s, 'Value')}`))}  ParameterKey=${text(m, 'ParameterKey')}`;
    case 'GetParameterValuesResponse':
      return `GetParameterValuesResponse  ${items('ParameterList').length} values: ${list(
        items('ParameterList').map((s) => `${text(s, 'Name')}=${text(s, 'Value')}`),
        3,
      )}`;
    case 'GetParameterNamesResponse':
    case 'GetParameterAttributesResponse':
      return `${m.local}  ${items('ParameterList').length} entries`;
    case 'AddObject':
    case 'DeleteObject':
      return `${m.local}  ${text(m, 'ObjectName')}`;
    case 'AddObjectResponse':
      return `AddObjectResponse  instance ${text(m, 'InstanceNumber')}, Status ${text(m, 'Status')}`;
    case 'Download':
    case 'Upload':
    case 'ScheduleDownload':
      return `${m.local}  ${text(m, 'FileType')}  ${text(m, 'URL')}  CommandKey=${text(m, 'CommandKey')}`;
    case 'TransferComplete':
    case 'AutonomousTransferComplete':
      return `${m.local}  CommandKey=${text(m, 'CommandKey')} FaultCode=${text(m, 'FaultStruct', 'FaultCode')} ${text(m, 'FaultStruct', 'FaultString')}`.trim();
    case 'Fault': {
      const f = childNamed(childNamed(m, 'detail') ?? m, 'Fault');
      const entries = (f?.children ?? [])
        .filter((c) => c.local === 'SetParameterValuesFault')
        .map((e) => `${text(e, 'ParameterName')}: ${text(e, 'FaultCode')}`);
      return `Fault ${text(f, 'FaultCode')} ${text(f, 'FaultString')}${entries.length ? `  (${list(entries)})` : ''}`;
    }
    default: {
      const status = text(m, 'Status');
      return status ? `${m.local}  Status ${status}` : m.local;
    }
  }
}

/** Control characters (an escape sequence in a body, say) shown as \\uXXXX, never sent to the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Whether a record is the first of a session: the CPE's Inform (the agent numbers sessions anew at each start). */
function opensSession(r: TraceRecord, previous: TraceRecord | undefined): boolean {
  if (r.kind !== 'cwmp') return false;
  if (previous === undefined || previous.session !== r.session) return true;
  return r.dir === 'cpe→acs' && /<(?:[\w-]+:)?Inform[\s>]/.test(r.body ?? '');
}

function parseTrace(jsonl: string): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as TraceRecord);
    } catch {
      // a line cut by a crash: skipped
    }
  }
  return records;
}

/** The trace as text (see renderTrace). */
export function showTrace(jsonl: string, o: { session?: number; bodies?: boolean } = {}): string {
  return renderTrace(jsonl, o).text;
}

/**
 * The trace as text, and how many sessions it holds. Sessions are numbered in the order they
 * appear in the file, so that every one can be reached with `session`, however often the agent
 * restarted while writing it.
 */
export function renderTrace(jsonl: string, o: { session?: number; bodies?: boolean } = {}): { text: string; sessions: number } {
  const out: string[] = [];
  let ordinal = 0;
  let previous: TraceRecord | undefined;
  let start = 0;
  for (const r of parseTrace(jsonl)) {
    if (r.kind === 'cwmp') {
      if (opensSession(r, previous)) {
        ordinal++;
        start = Date.parse(r.t);
        if (o.session === undefined || o.session === ordinal) out.push('', printable(`session ${ordinal}  ${r.t}  ${r.url ?? ''}`.trimEnd()));
      }
      previous = r;
      if (o.session !== undefined && ordinal !== o.session) continue;
      const offset = `+${Date.parse(r.t) - start} ms`.padStart(10);
      const arrow = r.dir === 'cpe→acs' ? 'CPE → ACS' : 'ACS → CPE';
      const status = r.status !== undefined ? `${r.status} ` : r.note ? 'failed ' : '';
      const timing = r.ms !== undefined ? `  (${r.ms} ms)` : '';
      out.push(
        printable(
          `${offset}  ${arrow}  ${status}${r.note && r.status === undefined ? `${r.note} ` : ''}${r.note && r.status === undefined ? '' : describeEnvelope(r.body)}${timing}`,
        ),
      );
      if (o.bodies && r.body) out.push(printable(r.body).replace(/^/gm, '            '));
    } else if (r.kind === 'usp') {
      // USP has no sessions: its Msgs are shown with the whole file, not with a CWMP session.
      if (o.session !== undefined) continue;
      const arrow = r.dir === 'in' ? `${r.peer ?? 'Controller'} → agent` : `agent → ${r.peer ?? 'Controller'}`;
      out.push('', printable(`${r.t}  USP  ${arrow}  ${r.method ?? ''}  ${r.note ?? ''}`.trimEnd()));
      if (o.bodies && r.body) out.push(printable(r.body).replace(/^/gm, '            '));
    } else if (o.session === undefined) {
      const what = r.kind === 'connection-request' ? `connection request (${r.via})` : 'transfer';
      const detail = [r.method, r.url, r.status !== undefined ? `→ ${r.status}` : undefined, r.note].filter(Boolean).join('  ');
      out.push('', printable(`${r.t}  ${what}  ${detail}`));
    }
  }
  return { text: `${out.join('\n').trimStart()}\n`, sessions: ordinal };
}
