/**
 * TR-143 under TR-098's root: InternetGatewayDevice.DownloadDiagnostics, UploadDiagnostics and
 * UDPEchoConfig (profiles Download:1, Upload:1, UDPEcho:1) and the transports
 * Capabilities.PerformanceDiagnostic offers. The same runner and echo server as TR-181's serve
 * them; TR-098's objects are smaller (one connection, no time-based tests, 32-bit counters) and
 * say "Completed" where TR-181 says "Complete". Names, types and access follow
 * tr-098-1-8-0-full.xml.
 */
import type { ParameterDefinition } from '../datamodel/schema.js';

const R = 'InternetGatewayDevice.';
const DL = `${R}DownloadDiagnostics.`;
const UL = `${R}UploadDiagnostics.`;
const U = `${R}UDPEchoConfig.`;
const PD = `${R}Capabilities.PerformanceDiagnostic.`;

type Def = ParameterDefinition;
const ro = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({
  name,
  type,
  writable: false,
  default: type === 'boolean' ? 'false' : type === 'string' ? '' : type === 'dateTime' ? '0001-01-01T00:00:00Z' : '0',
  ...extra,
});
const rw = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({ ...ro(name, type, extra), writable: true });
const canDeny = { activeNotify: 'canDeny' } as const;

const DOWNLOAD_STATES = [
  'None',
  'Requested',
  'Completed',
  'Error_InitConnectionFailed',
  'Error_NoResponse',
  'Error_TransferFailed',
  'Error_PasswordRequestFailed',
  'Error_LoginFailed',
  'Error_NoTransferMode',
  'Error_NoPASV',
  'Error_IncorrectSize',
  'Error_Timeout',
];
const UPLOAD_STATES = [
  'None',
  'Requested',
  'Completed',
  'Error_InitConnectionFailed',
  'Error_NoResponse',
  'Error_PasswordRequestFailed',
  'Error_LoginFailed',
  'Error_NoTransferMode',
  'Error_NoPASV',
  'Error_NoCWD',
  'Error_NoSTOR',
  'Error_NoTransferComplete',
];

const times = (o: string): Def[] =>
  ['ROMTime', 'BOMTime', 'EOMTime', 'TCPOpenRequestTime', 'TCPOpenResponseTime'].map((n) => ro(`${o}${n}`, 'dateTime', canDeny));

export const IGD_TR143_PARAMETERS: readonly ParameterDefinition[] = [
  ro(`${PD}DownloadTransports`, 'string', { default: 'HTTP' }),
  ro(`${PD}UploadTransports`, 'string', { default: 'HTTP' }),
  rw(`${DL}DiagnosticsState`, 'string', { enumeration: DOWNLOAD_STATES, writableValues: ['Requested'], default: 'None', ...canDeny }),
  rw(`${DL}Interface`, 'string', { maxLength: 256 }),
  rw(`${DL}DownloadURL`, 'string', { maxLength: 256 }),
  rw(`${DL}DSCP`, 'unsignedInt', { min: 0, max: 63 }),
  rw(`${DL}EthernetPriority`, 'unsignedInt', { min: 0, max: 7 }),
  ...times(DL),
  ro(`${DL}TestBytesReceived`, 'unsignedInt', canDeny),
  ro(`${DL}TotalBytesReceived`, 'unsignedInt', canDeny),
  rw(`${UL}DiagnosticsState`, 'string', { enumeration: UPLOAD_STATES, writableValues: ['Requested'], default: 'None', ...canDeny }),
  rw(`${UL}Interface`, 'string', { maxLength: 256 }),
  rw(`${UL}UploadURL`, 'string', { maxLength: 256 }),
  rw(`${UL}DSCP`, 'unsignedInt', { min: 0, max: 63 }),
  rw(`${UL}EthernetPriority`, 'unsignedInt', { min: 0, max: 7 }),
  rw(`${UL}TestFileLength`, 'unsignedInt', { default: '1048576' }),
  ...times(UL),
  ro(`${UL}TotalBytesSent`, 'unsignedInt', canDeny),
  rw(`${U}Enable`, 'boolean'),
  rw(`${U}Interface`, 'string', { maxLength: 256 }),
  rw(`${U}SourceIPAddress`, 'string', { maxLength: 45 }),
  rw(`${U}UDPPort`, 'unsignedInt'),
  rw(`${U}EchoPlusEnabled`, 'boolean'),
  ro(`${U}EchoPlusSupported`, 'boolean', { default: 'true' }),
  ro(`${U}PacketsReceived`, 'unsignedInt', canDeny),
  ro(`${U}PacketsResponded`, 'unsignedInt', canDeny),
  ro(`${U}BytesReceived`, 'unsignedInt', canDeny),
  ro(`${U}BytesResponded`, 'unsignedInt', canDeny),
  ro(`${U}TimeFirstPacketReceived`, 'dateTime', canDeny),
  ro(`${U}TimeLastPacketReceived`, 'dateTime', canDeny),
];

/** The transfer tests as the runner reads them (TR-181's have more inputs and result tables). */
export const IgdDownloadDiagnostics = {
  object: DL,
  state: `${DL}DiagnosticsState`,
  inputs: ['Interface', 'DownloadURL', 'DSCP', 'EthernetPriority'].map((n) => `${DL}${n}`),
} as const;
export const IgdUploadDiagnostics = {
  object: UL,
  state: `${UL}DiagnosticsState`,
  inputs: ['Interface', 'UploadURL', 'DSCP', 'EthernetPriority', 'TestFileLength'].map((n) => `${UL}${n}`),
} as const;
export const IGD_UDP_ECHO_CONFIG = U;
