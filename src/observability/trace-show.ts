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

export function showTrace(jsonl: string, o: { session?: number; bodies?: boolean } = {}): string {
  const records: TraceRecord[] = [];
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as TraceRecord);
    } catch {
      // a line cut by a crash: skipped
    }
  }
  const out: string[] = [];
  let session: number | undefined;
  let start = 0;
  for (const r of records) {
    if (r.kind === 'cwmp') {
      if (o.session !== undefined && r.session !== o.session) continue;
      if (r.session !== session) {
        session = r.session;
        start = Date.parse(r.t);
        out.push('', `session ${r.session}  ${r.t}  ${r.url ?? ''}`.trimEnd());
      }
      const offset = `+${Date.parse(r.t) - start} ms`.padStart(10);
      const arrow = r.dir === 'cpe→acs' ? 'CPE → ACS' : 'ACS → CPE';
      const status = r.status !== undefined ? `${r.status} ` : r.note ? 'failed ' : '';
      const timing = r.ms !== undefined ? `  (${r.ms} ms)` : '';
      out.push(
        `${offset}  ${arrow}  ${status}${r.note && r.status === undefined ? `${r.note} ` : ''}${r.note && r.status === undefined ? '' : describeEnvelope(r.body)}${timing}`,
      );
      if (o.bodies && r.body) out.push(r.body.replace(/^/gm, '            '));
    } else if (o.session === undefined) {
      const what = r.kind === 'connection-request' ? `connection request (${r.via})` : 'transfer';
      const detail = [r.method, r.url, r.status !== undefined ? `→ ${r.status}` : undefined, r.note].filter(Boolean).join('  ');
      out.push('', `${r.t}  ${what}  ${detail}`);
    }
  }
  return `${out.join('\n').trimStart()}\n`;
}
