/**
 * TR-104 VoiceService:2.0 under Device.Services.: a SIP voice service with FXS ports, SIP
 * networks and clients, and call-control lines with their call statistics. Names, types and
 * access follow tr-104-2-0-2-cwmp-full.xml; the rest of TR-104 (DECT, ISDN, MGCP, H.323, call
 * logs, extensions, profiles) is not offered, and the device's own rows take no AddObject.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';
import { readOnly as ro, readWrite as rw } from './define.js';

const SV = 'Device.Services.';
const VS = `${SV}VoiceService.{i}.`;
const FXS = `${VS}POTS.FXS.{i}.`;
const NET = `${VS}SIP.Network.{i}.`;
const CLIENT = `${VS}SIP.Client.{i}.`;
const LINE = `${VS}CallControl.Line.{i}.`;
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'SCTP'] as const;

export const VOICE_SERVICE_TABLES: readonly TableDefinition[] = [
  { name: VS, writable: false },
  { name: FXS, writable: false },
  { name: NET, writable: false },
  { name: CLIENT, writable: false },
  { name: LINE, writable: false },
];

const alias = (table: string): ParameterDefinition => rw(`${table}Alias`, 'string', '', { maxLength: 64 });
const port = (name: string, def: string): ParameterDefinition => rw(name, 'unsignedInt', def, { max: 65535 });

export const VOICE_SERVICE_PARAMETERS: readonly ParameterDefinition[] = [
  ro(`${SV}VoiceServiceNumberOfEntries`, 'unsignedInt', { countOf: VS }),
  alias(VS),
  ro(`${VS}Capabilities.MaxLineCount`, 'int'),
  ro(`${VS}Capabilities.MaxExtensionCount`, 'int'),
  ro(`${VS}Capabilities.MaxSessionsPerLine`, 'int'),
  ro(`${VS}Capabilities.MaxSessionCount`, 'int'),

  ro(`${VS}POTS.FXSNumberOfEntries`, 'unsignedInt', { countOf: FXS }),
  rw(`${FXS}Enable`, 'boolean', 'true'),
  ro(`${FXS}Status`, 'string', { enumeration: ['Up', 'Error', 'Testing', 'Disabled'], default: 'Disabled' }),
  alias(FXS),
  ro(`${FXS}Name`, 'string', { maxLength: 64 }),
  rw(`${FXS}DialType`, 'string', 'Tone', { enumeration: ['Tone', 'Pulse'] }),
  rw(`${FXS}ClipGeneration`, 'boolean', 'true'),
  ro(`${FXS}Active`, 'boolean'),
  rw(`${FXS}TerminalType`, 'string', 'Any', { enumeration: ['Audio', 'Fax', 'Modem', 'Any'] }),

  ro(`${VS}SIP.NetworkNumberOfEntries`, 'unsignedInt', { countOf: NET }),
  ro(`${VS}SIP.ClientNumberOfEntries`, 'unsignedInt', { countOf: CLIENT }),
  rw(`${NET}Enable`, 'boolean', 'false'),
  ro(`${NET}Status`, 'string', { enumeration: ['Up', 'Resolving', 'Error_DNS', 'Error_Other', 'Disabled'], default: 'Disabled' }),
  alias(NET),
  rw(`${NET}ProxyServer`, 'string', '', { maxLength: 256 }),
  port(`${NET}ProxyServerPort`, '5060'),
  rw(`${NET}ProxyServerTransport`, 'string', 'UDP', { enumeration: TRANSPORTS }),
  rw(`${NET}RegistrarServer`, 'string', '', { maxLength: 256 }),
  port(`${NET}RegistrarServerPort`, '5060'),
  rw(`${NET}RegistrarServerTransport`, 'string', 'UDP', { enumeration: TRANSPORTS }),
  rw(`${NET}ServerDomain`, 'string', '', { maxLength: 256 }),
  rw(`${NET}UserAgentDomain`, 'string', '', { maxLength: 256 }),
  port(`${NET}UserAgentPort`, '0'),
  rw(`${NET}UserAgentTransport`, 'string', 'UDP', { enumeration: TRANSPORTS }),
  rw(`${NET}OutboundProxy`, 'string', '', { maxLength: 256 }),
  port(`${NET}OutboundProxyPort`, '5060'),
  rw(`${NET}STUNEnable`, 'boolean', 'false'),
  rw(`${NET}STUNServer`, 'string', '', { maxLength: 256 }),
  rw(`${NET}RegistrationPeriod`, 'unsignedInt', '3600'),
  rw(`${NET}RegisterExpires`, 'unsignedInt', '3600'),
  rw(`${NET}RegisterRetryInterval`, 'unsignedInt', '30'),
  rw(`${NET}DSCPMark`, 'unsignedInt', '46', { max: 63 }),
  rw(`${NET}VLANIDMark`, 'int', '-1', { min: -1 }),
  rw(`${NET}CodecList`, 'string', '', { list: true }),

  rw(`${CLIENT}Enable`, 'boolean', 'false'),
  ro(`${CLIENT}Status`, 'string', {
    enumeration: ['Up', 'Initializing', 'Registering', 'Deregistering', 'Error_Misconfigured', 'Error_Network', 'Error_Registration', 'Quiescent', 'Disabled'],
    default: 'Disabled',
  }),
  alias(CLIENT),
  ro(`${CLIENT}Origin`, 'string', { enumeration: ['AutoConfigured', 'Static'], default: 'Static' }),
  rw(`${CLIENT}AuthUserName`, 'string', '', { maxLength: 128 }),
  rw(`${CLIENT}AuthPassword`, 'string', '', { maxLength: 128, hidden: true }),
  rw(`${CLIENT}Network`, 'string', '', { maxLength: 256 }),
  rw(`${CLIENT}MaxSessions`, 'unsignedInt', '0'),
  rw(`${CLIENT}RegisterURI`, 'string', '', { maxLength: 389 }),
  rw(`${CLIENT}E164Format`, 'boolean', 'true'),

  ro(`${VS}CallControl.LineNumberOfEntries`, 'unsignedInt', { countOf: LINE }),
  rw(`${LINE}Enable`, 'boolean', 'false'),
  ro(`${LINE}Status`, 'string', { enumeration: ['Up', 'Error', 'Testing', 'Quiescent', 'Disabled'], default: 'Disabled' }),
  alias(LINE),
  ro(`${LINE}CallStatus`, 'string', { enumeration: ['Idle', 'Dialing', 'Delivered', 'Connected', 'Alerting', 'Disconnected'], default: 'Idle' }),
  rw(`${LINE}DirectoryNumber`, 'string', '', { maxLength: 32 }),
  rw(`${LINE}Provider`, 'string', '', { maxLength: 256 }),
  ...['CallsReceived', 'CallsConnected', 'CallsFailed', 'CallsDropped', 'TotalCallTime'].map((n) => ro(`${LINE}Stats.IncomingCalls.${n}`, 'unsignedInt')),
  ...['CallsAttempted', 'CallsConnected', 'CallsFailed', 'CallsDropped', 'TotalCallTime'].map((n) => ro(`${LINE}Stats.OutgoingCalls.${n}`, 'unsignedInt')),
  ...['PacketsReceived', 'PacketsSent', 'PacketsLost', 'BytesSent', 'BytesReceived'].map((n) => ro(`${LINE}Stats.RTP.${n}`, 'unsignedInt')),
];
