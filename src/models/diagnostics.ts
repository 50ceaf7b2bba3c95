/** TR-181 Device.IP.Diagnostics.IPPing (TR-143's ping test). */
import type { ParameterDefinition } from '../datamodel/schema.js';

const P = 'Device.IP.Diagnostics.IPPing.';

export const DIAGNOSTICS_STATES = ['None', 'Requested', 'Canceled', 'Complete', 'Error', 'Error_CannotResolveHostName', 'Error_NoRouteToHost', 'Error_Internal', 'Error_Other'] as const;

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

export const IpPing = {
  object: P,
  state: `${P}DiagnosticsState`,
  inputs: ['Interface', 'ProtocolVersion', 'Host', 'NumberOfRepetitions', 'Timeout', 'DataBlockSize', 'DSCP'].map((n) => `${P}${n}`),
  host: `${P}Host`,
  protocolVersion: `${P}ProtocolVersion`,
  repetitions: `${P}NumberOfRepetitions`,
  timeout: `${P}Timeout`,
  dataBlockSize: `${P}DataBlockSize`,
  dscp: `${P}DSCP`,
} as const;
