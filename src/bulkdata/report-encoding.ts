/**
 * Bulk Data reports as TR-181's HTTP transport carries them (Device.BulkData, Annex "Bulk Data
 * Collection"): JSON (NameValuePair or ObjectHierarchy, under "Report") and CSV
 * (ParameterPerRow or ParameterPerColumn), with their Content-Type and BBF-Report-Format
 * header. Pure: the values and the time come in.
 */
import type { WireType } from '../cwmp/messages.js';
import { formatDateTime } from '../cwmp/xml-text.js';

export interface ReportValue {
  /** The name the report uses (the parameter path, or the profile's Parameter.{i}.Name form). */
  name: string;
  value: string;
  type: WireType;
}

export interface CollectedReport {
  /** Epoch ms of the collection. */
  time: number;
  values: ReportValue[];
}

export type TimestampFormat = 'Unix-Epoch' | 'ISO-8601' | 'None';

export interface EncodingSettings {
  encoding: 'JSON' | 'CSV';
  json: { format: 'ObjectHierarchy' | 'NameValuePair'; timestamp: TimestampFormat };
  csv: { format: 'ParameterPerRow' | 'ParameterPerColumn'; timestamp: TimestampFormat; fieldSeparator: string; rowSeparator: string; escape: string };
}

export interface EncodedReport {
  body: string;
  contentType: string;
  /** The BBF-Report-Format header's token. */
  reportFormat: string;
}

const NUMERIC: ReadonlySet<WireType> = new Set(['int', 'unsignedInt', 'long', 'unsignedLong']);

/** A value as JSON: numbers and booleans as themselves (a number beyond 2^53 stays exact as text), the rest as strings. */
function jsonValue(v: ReportValue): unknown {
  if (NUMERIC.has(v.type) && /^-?\d+$/.test(v.value)) {
    const n = Number(v.value);
    return Number.isSafeInteger(n) ? n : v.value;
  }
  if (v.type === 'boolean') return v.value === 'true' || v.value === '1';
  return v.value;
}

function timestamp(time: number, format: TimestampFormat): number | string {
  return format === 'ISO-8601' ? formatDateTime(new Date(time)) : Math.floor(time / 1000);
}

function jsonReport(r: CollectedReport, s: EncodingSettings['json']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.timestamp !== 'None') out['CollectionTime'] = timestamp(r.time, s.timestamp);
  for (const v of r.values) {
    if (s.format === 'NameValuePair') {
      out[v.name] = jsonValue(v);
      continue;
    }
    // ObjectHierarchy: each path segment an object, the last one the value.
    const parts = v.name.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<string, unknown>;
    }
    node[parts.at(-1)!] = jsonValue(v);
  }
  return out;
}

/** A CSV field, wrapped in the escape character when it holds a separator, the escape character or a line break. */
function csvField(text: string, s: EncodingSettings['csv']): string {
  const needs = text.includes(s.fieldSeparator) || text.includes(s.escape) || /[\r\n]/.test(text) || (s.rowSeparator !== '' && text.includes(s.rowSeparator));
  if (!needs || s.escape === '') return text;
  return `${s.escape}${text.split(s.escape).join(s.escape + s.escape)}${s.escape}`;
}

function csvBody(reports: readonly CollectedReport[], s: EncodingSettings['csv']): string {
  const row = (fields: string[]): string => fields.map((f) => csvField(f, s)).join(s.fieldSeparator);
  const stamped = s.timestamp !== 'None';
  const lines: string[] = [];
  if (s.format === 'ParameterPerRow') {
    lines.push(row([...(stamped ? ['ReportTimestamp'] : []), 'ParameterName', 'ParameterValue', 'ParameterType']));
    for (const r of reports) {
      for (const v of r.values) lines.push(row([...(stamped ? [String(timestamp(r.time, s.timestamp))] : []), v.name, v.value, v.type]));
    }
  } else {
    // One column per name, in the order the names first appear; a report without one leaves it empty.
    const names = [...new Set(reports.flatMap((r) => r.values.map((v) => v.name)))];
    lines.push(row([...(stamped ? ['ReportTimestamp'] : []), ...names]));
    for (const r of reports) {
      const byName = new Map(r.values.map((v) => [v.name, v.value]));
      lines.push(row([...(stamped ? [String(timestamp(r.time, s.timestamp))] : []), ...names.map((n) => byName.get(n) ?? '')]));
    }
  }
  return lines.join(s.rowSeparator) + s.rowSeparator;
}

/** Encodes the reports of one transmission: retained failed ones first, the current one last. */
export function encodeReports(reports: readonly CollectedReport[], s: EncodingSettings): EncodedReport {
  if (s.encoding === 'JSON') {
    return {
      body: JSON.stringify({ Report: reports.map((r) => jsonReport(r, s.json)) }),
      contentType: 'application/json; charset=UTF-8',
      reportFormat: s.json.format,
    };
  }
  return { body: csvBody(reports, s.csv), contentType: 'text/csv; charset=UTF-8; header=present', reportFormat: s.csv.format };
}

export interface ParameterReference {
  /** Parameter.{i}.Name: the name to report under, empty for the path itself. */
  name: string;
  reference: string;
  exclude: boolean;
}

/**
 * The name a value is reported under. Without a Name, its path. With one: a parameter
 * reference reports as the Name; a partial path as Name plus the rest of the path; a wildcard
 * reference as Name, the instance numbers the wildcards matched, then the rest of the path
 * ("WAN" for Device.IP.Interface.*.Stats. gives WAN.2.BytesSent).
 */
export function reportName(ref: ParameterReference, path: string): string {
  if (!ref.name) return path;
  if (path === ref.reference) return ref.name;
  const refParts = ref.reference.replace(/\.$/, '').split('.');
  const pathParts = path.split('.');
  const instances = refParts.flatMap((p, i) => (p === '*' ? [pathParts[i]!] : []));
  const rest = pathParts.slice(refParts.length);
  return [ref.name, ...instances, ...rest].join('.');
}
