/** TR-181 Device.IP.Diagnostics: IPPing and TraceRoute. */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const P = 'Device.IP.Diagnostics.IPPing.';

export const DIAGNOSTICS_STATES = [
  'None',
  'Requested',
  'Canceled',
  'Complete',
  'Error',
  'Error_CannotResolveHostName',
  'Error_NoRouteToHost',
  'Error_Internal',
  'Error_Other',
] as const;

const result = (name: string): ParameterDefinition => ({ name: `${P}${name}`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' });

export const DIAGNOSTICS_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${P}DiagnosticsState`, type: 'string', enumeration: DIAGNOSTICS_STATES, writableValues: ['Requested', 'Canceled'], writable: true, default: 'None' },
  { name: `${P}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${P}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${P}Host`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${P}NumberOfRepetitions`, type: 'unsignedInt', min: 1, writable: true, default: '3' },
  { name: `${P}Timeout`, type: 'unsignedInt', min: 1, writable: true, default: '1000' },
  { name: `${P}DataBlockSize`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '56' },
  { name: `${P}DSCP`, type: 'unsignedInt', min: 0, max: 63, writable: true, default: '0' },
  { name: `${P}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '' },
  result('SuccessCount'),
  result('FailureCount'),
  result('AverageResponseTime'),
  result('MinimumResponseTime'),
  result('MaximumResponseTime'),
  result('AverageResponseTimeDetailed'),
  result('MinimumResponseTimeDetailed'),
  result('MaximumResponseTimeDetailed'),
];

const T = 'Device.IP.Diagnostics.TraceRoute.';
const HOP = `${T}RouteHops.{i}.`;
export const TRACEROUTE_STATES = [
  'None',
  'Requested',
  'Canceled',
  'Complete',
  'Error',
  'Error_CannotResolveHostName',
  'Error_NoRouteToHost',
  'Error_MaxHopCountExceeded',
  'Error_Internal',
  'Error_Other',
] as const;

export const DIAGNOSTICS_TABLES: readonly TableDefinition[] = [{ name: HOP, writable: false }];

export const TRACEROUTE_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${T}DiagnosticsState`, type: 'string', enumeration: TRACEROUTE_STATES, writableValues: ['Requested', 'Canceled'], writable: true, default: 'None' },
  { name: `${T}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${T}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${T}Host`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${T}NumberOfTries`, type: 'unsignedInt', min: 1, max: 3, writable: true, default: '3' },
  { name: `${T}Timeout`, type: 'unsignedInt', min: 1, writable: true, default: '5000' },
  { name: `${T}DataBlockSize`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '38' },
  { name: `${T}DSCP`, type: 'unsignedInt', min: 0, max: 63, writable: true, default: '0' },
  { name: `${T}MaxHopCount`, type: 'unsignedInt', min: 1, max: 64, writable: true, default: '30' },
  { name: `${T}RouteHopsNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: HOP },
  { name: `${T}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '' },
  { name: `${T}ResponseTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${HOP}Host`, type: 'string', maxLength: 256, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${HOP}HostAddress`, type: 'string', writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${HOP}ErrorCode`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${HOP}RTTimes`, type: 'string', writable: false, default: '' },
];

/** Where the TR-181 tests live; the runner knows their inputs and results. */
export const TraceRoute = { object: T } as const;
export const IpPing = { object: P } as const;

const U = 'Device.IP.Diagnostics.UDPEchoConfig.';

/** TR-181 UDPEchoConfig: the device as a TR-143 UDP echo (plus) server. */
export const UDP_ECHO_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${U}Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${U}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${U}SourceIPAddress`, type: 'string', maxLength: 45, writable: true, default: '' },
  { name: `${U}UDPPort`, type: 'unsignedInt', writable: true, default: '0' },
  { name: `${U}EchoPlusEnabled`, type: 'boolean', writable: true, default: 'false' },
  { name: `${U}EchoPlusSupported`, type: 'boolean', writable: false, default: 'true' },
  { name: `${U}PacketsReceived`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${U}PacketsResponded`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${U}BytesReceived`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${U}BytesResponded`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${U}TimeFirstPacketReceived`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z', activeNotify: 'canDeny' },
  { name: `${U}TimeLastPacketReceived`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z', activeNotify: 'canDeny' },
];

/** UDPEchoConfig's settings under an object path (TR-181's Device.IP.Diagnostics.UDPEchoConfig. or TR-098's). */
export function udpEchoConfigPaths(object: string): { object: string; enable: string; sourceIpAddress: string; udpPort: string; echoPlusEnabled: string } {
  return {
    object,
    enable: `${object}Enable`,
    sourceIpAddress: `${object}SourceIPAddress`,
    udpPort: `${object}UDPPort`,
    echoPlusEnabled: `${object}EchoPlusEnabled`,
  };
}

export const UdpEchoConfig = udpEchoConfigPaths(U);

const D = 'Device.IP.Diagnostics.DownloadDiagnostics.';
const DPC = `${D}PerConnectionResult.{i}.`;
const DIR = `${D}IncrementalResult.{i}.`;

/** Most IncrementalResult entries one time-based DownloadDiagnostics test records. */
export const DOWNLOAD_MAX_INCREMENTAL = 100;
export const DOWNLOAD_STATES = [
  'None',
  'Requested',
  'Canceled',
  'Complete',
  'Error',
  'Error_CannotResolveHostName',
  'Error_NoRouteToHost',
  'Error_InitConnectionFailed',
  'Error_NoResponse',
  'Error_TransferFailed',
  'Error_PasswordRequestFailed',
  'Error_LoginFailed',
  'Error_NoTransferMode',
  'Error_NoPASV',
  'Error_IncorrectSize',
  'Error_Timeout',
  'Error_Internal',
  'Error_Other',
] as const;

/** Most parallel connections one DownloadDiagnostics test opens. */
export const DOWNLOAD_MAX_CONNECTIONS = 8;

const time = (name: string): ParameterDefinition => ({ name, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z', activeNotify: 'canDeny' });
const counter = (name: string): ParameterDefinition => ({ name, type: 'unsignedLong', writable: false, default: '0' });
const measurements = (o: string, testBytes = 'TestBytesReceived'): ParameterDefinition[] => [
  time(`${o}ROMTime`),
  time(`${o}BOMTime`),
  time(`${o}EOMTime`),
  counter(`${o}${testBytes}`),
  counter(`${o}TotalBytesReceived`),
  counter(`${o}TotalBytesSent`),
  time(`${o}TCPOpenRequestTime`),
  time(`${o}TCPOpenResponseTime`),
];

export const DOWNLOAD_TABLES: readonly TableDefinition[] = [
  { name: DPC, writable: false },
  { name: DIR, writable: false },
];

/** TR-143 DownloadDiagnostics over HTTP(S), with per-connection results. */
export const DOWNLOAD_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${D}DiagnosticsState`, type: 'string', enumeration: DOWNLOAD_STATES, writableValues: ['Requested', 'Canceled'], writable: true, default: 'None' },
  { name: `${D}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${D}DownloadURL`, type: 'string', maxLength: 2048, writable: true, default: '' },
  { name: `${D}DownloadTransports`, type: 'string', writable: false, default: 'HTTP' },
  { name: `${D}DSCP`, type: 'unsignedInt', min: 0, max: 63, writable: true, default: '0' },
  { name: `${D}EthernetPriority`, type: 'unsignedInt', min: 0, max: 7, writable: true, default: '0' },
  { name: `${D}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${D}NumberOfConnections`, type: 'unsignedInt', min: 1, max: DOWNLOAD_MAX_CONNECTIONS, writable: true, default: '1' },
  { name: `${D}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${D}DownloadDiagnosticMaxConnections`, type: 'unsignedInt', min: 1, writable: false, default: String(DOWNLOAD_MAX_CONNECTIONS) },
  ...measurements(D),
  { name: `${D}PerConnectionResultNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: DPC },
  ...measurements(DPC),
  // Time-based tests (TR-143 Amendment 1): run for a duration, with a result per interval.
  { name: `${D}TimeBasedTestDuration`, type: 'unsignedInt', min: 0, max: 999, writable: true, default: '0' },
  { name: `${D}TimeBasedTestMeasurementInterval`, type: 'unsignedInt', min: 0, max: 999, writable: true, default: '0' },
  { name: `${D}TimeBasedTestMeasurementOffset`, type: 'unsignedInt', min: 0, max: 255, writable: true, default: '0' },
  { name: `${D}DownloadDiagnosticsMaxIncrementalResult`, type: 'unsignedInt', min: 1, writable: false, default: String(DOWNLOAD_MAX_INCREMENTAL) },
  { name: `${D}IncrementalResultNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: DIR },
  { ...counter(`${DIR}TestBytesReceived`), activeNotify: 'canDeny' },
  counter(`${DIR}TotalBytesReceived`),
  counter(`${DIR}TotalBytesSent`),
  time(`${DIR}StartTime`),
  time(`${DIR}EndTime`),
];

export const DownloadDiagnostics = {
  object: D,
  state: `${D}DiagnosticsState`,
  inputs: [
    'Interface',
    'DownloadURL',
    'DSCP',
    'EthernetPriority',
    'ProtocolVersion',
    'NumberOfConnections',
    'TimeBasedTestDuration',
    'TimeBasedTestMeasurementInterval',
    'TimeBasedTestMeasurementOffset',
  ].map((n) => `${D}${n}`),
  perConnection: `${D}PerConnectionResult.`,
  incremental: `${D}IncrementalResult.`,
} as const;

const UP = 'Device.IP.Diagnostics.UploadDiagnostics.';
const UPC = `${UP}PerConnectionResult.{i}.`;
const UIR = `${UP}IncrementalResult.{i}.`;

export const UPLOAD_TABLES: readonly TableDefinition[] = [
  { name: UPC, writable: false },
  { name: UIR, writable: false },
];

/** TR-143 UploadDiagnostics over HTTP(S) (PUT of TestFileLength bytes), with per-connection results. */
export const UPLOAD_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${UP}DiagnosticsState`, type: 'string', enumeration: DOWNLOAD_STATES, writableValues: ['Requested', 'Canceled'], writable: true, default: 'None' },
  { name: `${UP}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${UP}UploadURL`, type: 'string', maxLength: 2048, writable: true, default: '' },
  { name: `${UP}UploadTransports`, type: 'string', writable: false, default: 'HTTP' },
  { name: `${UP}DSCP`, type: 'unsignedInt', min: 0, max: 63, writable: true, default: '0' },
  { name: `${UP}EthernetPriority`, type: 'unsignedInt', min: 0, max: 7, writable: true, default: '0' },
  { name: `${UP}TestFileLength`, type: 'unsignedLong', writable: true, default: '1048576' },
  { name: `${UP}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${UP}NumberOfConnections`, type: 'unsignedInt', min: 1, max: DOWNLOAD_MAX_CONNECTIONS, writable: true, default: '1' },
  { name: `${UP}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${UP}UploadDiagnosticsMaxConnections`, type: 'unsignedInt', min: 1, writable: false, default: String(DOWNLOAD_MAX_CONNECTIONS) },
  ...measurements(UP, 'TestBytesSent'),
  { name: `${UP}PerConnectionResultNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: UPC },
  ...measurements(UPC, 'TestBytesSent'),
  { name: `${UP}TimeBasedTestDuration`, type: 'unsignedInt', min: 0, max: 999, writable: true, default: '0' },
  { name: `${UP}TimeBasedTestMeasurementInterval`, type: 'unsignedInt', min: 0, max: 999, writable: true, default: '0' },
  { name: `${UP}TimeBasedTestMeasurementOffset`, type: 'unsignedInt', min: 0, max: 255, writable: true, default: '0' },
  { name: `${UP}UploadDiagnosticsMaxIncrementalResult`, type: 'unsignedInt', min: 1, writable: false, default: String(DOWNLOAD_MAX_INCREMENTAL) },
  { name: `${UP}IncrementalResultNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: UIR },
  counter(`${UIR}TestBytesSent`),
  counter(`${UIR}TotalBytesReceived`),
  counter(`${UIR}TotalBytesSent`),
  time(`${UIR}StartTime`),
  time(`${UIR}EndTime`),
];

export const UploadDiagnostics = {
  object: UP,
  state: `${UP}DiagnosticsState`,
  inputs: [
    'Interface',
    'UploadURL',
    'DSCP',
    'EthernetPriority',
    'TestFileLength',
    'ProtocolVersion',
    'NumberOfConnections',
    'TimeBasedTestDuration',
    'TimeBasedTestMeasurementInterval',
    'TimeBasedTestMeasurementOffset',
  ].map((n) => `${UP}${n}`),
  perConnection: `${UP}PerConnectionResult.`,
  incremental: `${UP}IncrementalResult.`,
} as const;

const SS = 'Device.IP.Diagnostics.ServerSelectionDiagnostics.';

/** TR-181 ServerSelectionDiagnostics: the fastest of up to ten hosts, response times in microseconds. */
export const SERVER_SELECTION_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: `${SS}DiagnosticsState`,
    type: 'string',
    enumeration: ['None', 'Requested', 'Canceled', 'Complete', 'Error_CannotResolveHostName', 'Error_Internal', 'Error_Other'],
    writableValues: ['Requested', 'Canceled'],
    writable: true,
    default: 'None',
  },
  { name: `${SS}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${SS}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${SS}Protocol`, type: 'string', enumeration: ['ICMP', 'UDP Echo'], writable: true, default: 'ICMP' },
  { name: `${SS}HostList`, type: 'string', maxLength: 2570, writable: true, default: '' },
  { name: `${SS}NumberOfRepetitions`, type: 'unsignedInt', min: 1, writable: true, default: '3' },
  { name: `${SS}Timeout`, type: 'unsignedInt', min: 1, writable: true, default: '1000' },
  { name: `${SS}FastestHost`, type: 'string', writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${SS}MinimumResponseTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${SS}AverageResponseTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${SS}MaximumResponseTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${SS}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '' },
];

export const ServerSelection = {
  object: SS,
  state: `${SS}DiagnosticsState`,
  inputs: ['Interface', 'ProtocolVersion', 'Protocol', 'HostList', 'NumberOfRepetitions', 'Timeout'].map((n) => `${SS}${n}`),
} as const;

const UE = 'Device.IP.Diagnostics.UDPEchoDiagnostics.';

/** TR-181 UDPEchoDiagnostics: the device as a UDP echo client (TR-143 Annex A), times in microseconds. */
export const UDP_ECHO_DIAGNOSTICS_PARAMETERS: readonly ParameterDefinition[] = [
  {
    name: `${UE}DiagnosticsState`,
    type: 'string',
    enumeration: ['None', 'Requested', 'Canceled', 'Complete', 'Error', 'Error_CannotResolveHostName', 'Error_Internal', 'Error_Other'],
    writableValues: ['Requested', 'Canceled'],
    writable: true,
    default: 'None',
  },
  { name: `${UE}Interface`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${UE}Host`, type: 'string', maxLength: 256, writable: true, default: '', activeNotify: 'canDeny' },
  { name: `${UE}Port`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '7', activeNotify: 'canDeny' },
  { name: `${UE}NumberOfRepetitions`, type: 'unsignedInt', min: 1, writable: true, default: '3' },
  { name: `${UE}Timeout`, type: 'unsignedInt', min: 1, writable: true, default: '1000', activeNotify: 'canDeny' },
  { name: `${UE}DataBlockSize`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '24' },
  { name: `${UE}DSCP`, type: 'unsignedInt', min: 0, max: 63, writable: true, default: '0', activeNotify: 'canDeny' },
  { name: `${UE}InterTransmissionTime`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '100' },
  { name: `${UE}ProtocolVersion`, type: 'string', enumeration: ['Any', 'IPv4', 'IPv6'], writable: true, default: 'Any' },
  { name: `${UE}IPAddressUsed`, type: 'string', maxLength: 45, writable: false, default: '' },
  { name: `${UE}SuccessCount`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${UE}FailureCount`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${UE}AverageResponseTime`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${UE}MinimumResponseTime`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${UE}MaximumResponseTime`, type: 'unsignedInt', writable: false, default: '0' },
];

export const UdpEchoDiagnostics = {
  object: UE,
  state: `${UE}DiagnosticsState`,
  inputs: ['Interface', 'Host', 'Port', 'NumberOfRepetitions', 'Timeout', 'DataBlockSize', 'DSCP', 'InterTransmissionTime', 'ProtocolVersion'].map(
    (n) => `${UE}${n}`,
  ),
} as const;
