/**
 * TR-181 Device.XMPP (the connections used for TR-069 Annex K connection requests) and the
 * ManagementServer.ConnReq* parameters.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

/** The ServerConnectAlgorithm values the agent's XMPP client implements (not RFC 7395 WebSocket). */
export const SUPPORTED_CONNECT_ALGORITHMS = ['DNS-SRV', 'DNS', 'ServerTable'] as const;
export type ConnectAlgorithm = (typeof SUPPORTED_CONNECT_ALGORITHMS)[number];

const C = 'Device.XMPP.Connection.{i}.';
const S = `${C}Server.{i}.`;

export const XMPP_TABLES: readonly TableDefinition[] = [
  { name: 'Device.XMPP.Connection.{i}.', writable: true, maxEntries: 4 },
  { name: 'Device.XMPP.Connection.{i}.Server.{i}.', writable: true, maxEntries: 8 },
];
const MS = 'Device.ManagementServer.';

export const XMPP_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'Device.XMPP.ConnectionNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: C },
  { name: 'Device.XMPP.SupportedServerConnectAlgorithms', type: 'string', list: true, writable: false, default: SUPPORTED_CONNECT_ALGORITHMS.join(',') },
  { name: `${C}Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${C}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${C}Username`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${C}Password`, type: 'string', maxLength: 256, writable: true, default: '', hidden: true },
  { name: `${C}Domain`, type: 'string', maxLength: 64, writable: true, default: '' },
  { name: `${C}Resource`, type: 'string', maxLength: 64, writable: true, default: '' },
  { name: `${C}JabberID`, type: 'string', writable: false, default: '' },
  {
    name: `${C}Status`,
    type: 'string',
    enumeration: ['Enabled', 'Disabled', 'Unknown', 'Dormant', 'Connecting', 'ServerNotPresent', 'Error_Misconfigured', 'Error_AuthenticationFailure', 'Error'],
    writable: false,
    default: 'Disabled',
  },
  { name: `${C}LastChangeDate`, type: 'dateTime', writable: false, default: '0001-01-01T00:00:00Z' },
  // TR-181's default: the domain's SRV records. WebSocket (RFC 7395) is not among the supported.
  { name: `${C}ServerConnectAlgorithm`, type: 'string', enumeration: SUPPORTED_CONNECT_ALGORITHMS, writable: true, default: 'DNS-SRV' },
  { name: `${C}KeepAliveInterval`, type: 'long', min: -1, writable: true, default: '-1' },
  { name: `${C}ServerConnectAttempts`, type: 'unsignedInt', writable: true, default: '16' },
  { name: `${C}ServerRetryInitialInterval`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '60' },
  { name: `${C}ServerRetryIntervalMultiplier`, type: 'unsignedInt', min: 1000, max: 65535, writable: true, default: '2000' },
  { name: `${C}ServerRetryMaxInterval`, type: 'unsignedInt', min: 1, writable: true, default: '30720' },
  { name: `${C}UseTLS`, type: 'boolean', writable: true, default: 'false' },
  { name: `${C}TLSEstablished`, type: 'boolean', writable: false, default: 'false' },
  { name: `${C}ServerNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: S },
  { name: `${S}Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${S}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${S}Priority`, type: 'unsignedInt', min: 0, max: 65535, writable: true, default: '0' },
  { name: `${S}Weight`, type: 'long', min: -1, max: 65535, writable: true, default: '-1' },
  { name: `${S}ServerAddress`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${S}Port`, type: 'unsignedInt', min: 0, max: 65535, writable: true, default: '5222' },
  // Counted by the XMPP client while the connection is in use; zero again after a reboot.
  { name: `${C}Stats.ReceivedMessages`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${C}Stats.TransmittedMessages`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${C}Stats.ReceivedErrorMessages`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${C}Stats.TransmittedErrorMessages`, type: 'unsignedInt', writable: false, default: '0' },
  { name: `${MS}ConnReqXMPPConnection`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}ConnReqAllowedJabberIDs`, type: 'string', maxLength: 8256, writable: true, default: '' },
  { name: `${MS}ConnReqJabberID`, type: 'string', maxLength: 256, writable: false, default: '', activeNotify: 'forceDefaultEnabled' },
];

/** Parameter names relative to a connection ("Device.XMPP.Connection.3.") or a server below it. */
export const XmppConnection = {
  enable: 'Enable',
  username: 'Username',
  password: 'Password',
  domain: 'Domain',
  resource: 'Resource',
  jabberId: 'JabberID',
  status: 'Status',
  lastChangeDate: 'LastChangeDate',
  retryInitial: 'ServerRetryInitialInterval',
  retryMultiplier: 'ServerRetryIntervalMultiplier',
  retryMax: 'ServerRetryMaxInterval',
  connectAlgorithm: 'ServerConnectAlgorithm',
  connectAttempts: 'ServerConnectAttempts',
  keepAliveInterval: 'KeepAliveInterval',
  useTls: 'UseTLS',
  tlsEstablished: 'TLSEstablished',
  stats: 'Stats.',
  serverTable: 'Server.',
  serverEnable: 'Enable',
  serverPriority: 'Priority',
  serverWeight: 'Weight',
  serverAddress: 'ServerAddress',
  serverPort: 'Port',
} as const;

/** ManagementServer's XMPP connection request settings and the XMPP object, under a root ("Device." or "InternetGatewayDevice."). */
export function xmppPaths(root: string): { xmppConnection: string; allowedJids: string; jabberId: string; xmppObject: string; connectionTable: RegExp } {
  const ms = `${root}ManagementServer.`;
  return {
    xmppConnection: `${ms}ConnReqXMPPConnection`,
    allowedJids: `${ms}ConnReqAllowedJabberIDs`,
    jabberId: `${ms}ConnReqJabberID`,
    xmppObject: `${root}XMPP.`,
    connectionTable: new RegExp(`^${root.replace(/\./g, '\\.')}XMPP\\.Connection\\.\\d+\\.$`),
  };
}
