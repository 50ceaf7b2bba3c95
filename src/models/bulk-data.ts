/**
 * TR-181 Device.BulkData over HTTP: collection profiles, their parameter references, CSV and
 * JSON encodings, and the HTTP transport with its retries. Names, types and access follow
 * tr-181-2-17-0-cwmp-full.xml; the Streaming, File and MQTT protocols are not offered.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';
import { readOnly, readWrite as rw } from './define.js';

const ro = (name: string, type: ParameterDefinition['type'], def: string, extra: Partial<ParameterDefinition> = {}): ParameterDefinition =>
  readOnly(name, type, { default: def, ...extra });

const BD = 'Device.BulkData.';
const P = `${BD}Profile.{i}.`;
const PP = `${P}Parameter.{i}.`;
const CSV = `${P}CSVEncoding.`;
const JSON_ = `${P}JSONEncoding.`;
const HTTP = `${P}HTTP.`;
const URI = `${HTTP}RequestURIParameter.{i}.`;

/** Shortest ReportingInterval this device accepts, seconds. */
export const MIN_REPORTING_INTERVAL = 1;
/** Profiles and parameter references a device takes; more is 9004. */
export const MAX_BULK_PROFILES = 16;
export const MAX_BULK_PARAMETER_REFERENCES = 256;

export const BULK_DATA_TABLES: readonly TableDefinition[] = [
  { name: P, writable: true, maxEntries: MAX_BULK_PROFILES },
  { name: PP, writable: true, maxEntries: MAX_BULK_PARAMETER_REFERENCES },
  { name: URI, writable: true, maxEntries: 16 },
];

export const BULK_DATA_PARAMETERS: readonly ParameterDefinition[] = [
  rw(`${BD}Enable`, 'boolean', 'false'),
  ro(`${BD}Status`, 'string', 'Disabled', { enumeration: ['Enabled', 'Disabled', 'Error'] }),
  ro(`${BD}MinReportingInterval`, 'unsignedInt', String(MIN_REPORTING_INTERVAL)),
  ro(`${BD}Protocols`, 'string', 'HTTP', { list: true, enumeration: ['Streaming', 'File', 'HTTP', 'MQTT'] }),
  ro(`${BD}EncodingTypes`, 'string', 'CSV,JSON', { list: true, enumeration: ['XML', 'XDR', 'CSV', 'JSON'] }),
  ro(`${BD}ParameterWildCardSupported`, 'boolean', 'true'),
  ro(`${BD}MaxNumberOfProfiles`, 'int', String(MAX_BULK_PROFILES)),
  ro(`${BD}MaxNumberOfParameterReferences`, 'int', String(MAX_BULK_PARAMETER_REFERENCES)),
  ro(`${BD}ProfileNumberOfEntries`, 'unsignedInt', '0', { countOf: P }),

  rw(`${P}Enable`, 'boolean', 'false'),
  { name: `${P}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  rw(`${P}Name`, 'string', '', { maxLength: 255 }),
  rw(`${P}NumberOfRetainedFailedReports`, 'int', '0', { min: -1 }),
  rw(`${P}Protocol`, 'string', 'HTTP', { enumeration: ['HTTP'] }),
  rw(`${P}EncodingType`, 'string', 'JSON', { enumeration: ['CSV', 'JSON'] }),
  rw(`${P}ReportingInterval`, 'unsignedInt', '86400', { min: MIN_REPORTING_INTERVAL }),
  rw(`${P}TimeReference`, 'dateTime', '0001-01-01T00:00:00Z'),
  ro(`${P}ParameterNumberOfEntries`, 'unsignedInt', '0', { countOf: PP }),

  rw(`${PP}Name`, 'string', '', { maxLength: 64 }),
  rw(`${PP}Reference`, 'string', '', { maxLength: 256 }),
  rw(`${PP}Exclude`, 'boolean', 'false'),

  rw(`${CSV}FieldSeparator`, 'string', ','),
  // The characters themselves (the BBF file writes them as XML character references).
  rw(`${CSV}RowSeparator`, 'string', '\r\n'),
  rw(`${CSV}EscapeCharacter`, 'string', '"'),
  rw(`${CSV}ReportFormat`, 'string', 'ParameterPerColumn', { enumeration: ['ParameterPerRow', 'ParameterPerColumn'] }),
  rw(`${CSV}RowTimestamp`, 'string', 'Unix-Epoch', { enumeration: ['Unix-Epoch', 'ISO-8601', 'None'] }),
  rw(`${JSON_}ReportFormat`, 'string', 'ObjectHierarchy', { enumeration: ['ObjectHierarchy', 'NameValuePair'] }),
  rw(`${JSON_}ReportTimestamp`, 'string', 'Unix-Epoch', { enumeration: ['Unix-Epoch', 'ISO-8601', 'None'] }),

  rw(`${HTTP}URL`, 'string', '', { maxLength: 2048 }),
  rw(`${HTTP}Username`, 'string', '', { maxLength: 256 }),
  { name: `${HTTP}Password`, type: 'string', maxLength: 256, writable: true, default: '', hidden: true },
  ro(`${HTTP}CompressionsSupported`, 'string', 'GZIP,Deflate', { list: true, enumeration: ['GZIP', 'Compress', 'Deflate'] }),
  rw(`${HTTP}Compression`, 'string', 'None', { enumeration: ['GZIP', 'Deflate', 'None'] }),
  ro(`${HTTP}MethodsSupported`, 'string', 'POST,PUT', { list: true, enumeration: ['POST', 'PUT'] }),
  rw(`${HTTP}Method`, 'string', 'POST', { enumeration: ['POST', 'PUT'] }),
  rw(`${HTTP}UseDateHeader`, 'boolean', 'true'),
  rw(`${HTTP}RetryEnable`, 'boolean', 'false'),
  rw(`${HTTP}RetryMinimumWaitInterval`, 'unsignedInt', '5', { min: 1, max: 65535 }),
  rw(`${HTTP}RetryIntervalMultiplier`, 'unsignedInt', '2000', { min: 1000, max: 65535 }),
  ro(`${HTTP}RequestURIParameterNumberOfEntries`, 'unsignedInt', '0', { countOf: URI }),
  rw(`${HTTP}PersistAcrossReboot`, 'boolean', 'false'),
  rw(`${URI}Name`, 'string', '', { maxLength: 64 }),
  rw(`${URI}Reference`, 'string', '', { maxLength: 256 }),
];
