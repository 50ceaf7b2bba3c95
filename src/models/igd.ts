/**
 * TR-098 InternetGatewayDevice:1 for legacy gateways, whose root object is
 * "InternetGatewayDevice." instead of "Device.". DeviceInfo, ManagementServer and Time are the
 * agent's TR-181 definitions moved to the other root, less what TR-098 does not have; the rest
 * is TR-098's own Baseline:1, EthernetLAN:1 and Time:1 profiles: Layer3Forwarding, LANDevice,
 * WANDevice with WANIPConnection and WANPPPConnection. Names, types and access follow
 * tr-098-1-8-0-full.xml (the conformance test checks them). A device that needs more of TR-098
 * loads the full file over this one (dataModel.extraModels).
 */
import { Schema, type ParameterDefinition, type TableDefinition } from '../datamodel/schema.js';
import { DEVICE_CORE_PARAMETERS, MANAGEMENT_POLICY_PARAMETERS, MANAGEMENT_POLICY_TABLES } from './device-core.js';
import { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from './device-status.js';
import { DEVICE_FILES_PARAMETERS, DEVICE_FILES_TABLES } from './device-files.js';
import { NETWORK_SERVICES_PARAMETERS, NETWORK_SERVICES_TABLES } from './network-services.js';
import { XMPP_PARAMETERS, XMPP_TABLES } from './xmpp.js';
import { IGD_WLAN_PARAMETERS, IGD_WLAN_TABLES, WLAN } from './igd-wlan.js';
import { IGD_TR143_PARAMETERS } from './igd-tr143.js';
import { SUPPORTED_DATA_MODEL_PARAMETERS, SUPPORTED_DATA_MODEL_TABLES } from './supported-data-model.js';

export const IGD_ROOT = 'InternetGatewayDevice.';
const R = IGD_ROOT;

/** TR-181 parameters and tables TR-098 does not define (or defines differently, as Time.LocalTimeZone). */
const NOT_IN_TR098 = [
  /^Device\.RootDataModelVersion$/,
  /^Device\.ManagementServer\.(ScheduleReboot|DelayReboot|HTTPConnectionRequestEnable|InstanceWildcardsSupported|HeartbeatPolicy\.|LightweightNotificationTrigger)/,
  /^Device\.ManagementServer\.ManageableDevice\.\{i\}\.Alias$/,
  /^Device\.DeviceInfo\.(FirmwareImage|ActiveFirmwareImage|BootFirmwareImage)/,
  /^Device\.DeviceInfo\.VendorConfigFile\.\{i\}\.UseForBackupRestore$/,
  /^Device\.Time\.LocalTimeZone$/,
  /^Device\.XMPP\.SupportedServerConnectAlgorithms$/,
];

function fromTr181<T extends { name: string }>(defs: readonly T[]): T[] {
  return defs
    .filter((d) => /^Device\.(DeviceInfo|ManagementServer|Time|XMPP)\./.test(d.name) && !NOT_IN_TR098.some((re) => re.test(d.name)))
    .map((d) => ({
      ...d,
      name: R + d.name.slice('Device.'.length),
      ...('countOf' in d && typeof d.countOf === 'string' ? { countOf: R + d.countOf.slice('Device.'.length) } : {}),
    }));
}

const L3 = `${R}Layer3Forwarding.`;
const FWD = `${L3}Forwarding.{i}.`;
const LAN = `${R}LANDevice.{i}.`;
const HCM = `${LAN}LANHostConfigManagement.`;
const LIPIF = `${HCM}IPInterface.{i}.`;
const LETH = `${LAN}LANEthernetInterfaceConfig.{i}.`;
const HOST = `${LAN}Hosts.Host.{i}.`;
const WAN = `${R}WANDevice.{i}.`;
const WCIC = `${WAN}WANCommonInterfaceConfig.`;
const WCD = `${WAN}WANConnectionDevice.{i}.`;
const WIP = `${WCD}WANIPConnection.{i}.`;
const WPPP = `${WCD}WANPPPConnection.{i}.`;

/** The one WAN connection a gateway has when nothing says otherwise (the forced ExternalIPAddress is its). */
export const DEFAULT_CONNECTION_SERVICE = `${R}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1`;

type Def = ParameterDefinition;
const ro = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({
  name,
  type,
  writable: false,
  default: type === 'boolean' ? 'false' : type === 'string' ? '' : '0',
  ...extra,
});
const rw = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({ ...ro(name, type, extra), writable: true });
const count = (name: string, table: string): Def => ({ name, type: 'unsignedInt', writable: false, default: '0', countOf: table });
const canDeny = { activeNotify: 'canDeny' } as const;

const CONNECTION_TRIGGERS = ['OnDemand', 'AlwaysOn', 'Manual'];
const ROUTE_PROTOCOLS = ['Off', 'RIPv1', 'RIPv2', 'OSPF'];

/** What WANIPConnection and WANPPPConnection share (Baseline:1), under one of them. */
function connectionCommon(c: string, statuses: string[], types: string[], errors: string[]): Def[] {
  const pm = `${c}PortMapping.{i}.`;
  return [
    rw(`${c}Enable`, 'boolean'),
    ro(`${c}ConnectionStatus`, 'string', { enumeration: statuses, default: 'Unconfigured' }),
    // A list of the types: the engine checks enumerations on whole values, so it carries none.
    ro(`${c}PossibleConnectionTypes`, 'string', { default: types.filter((t) => t !== 'Unconfigured').join(',') }),
    rw(`${c}ConnectionType`, 'string', { enumeration: types, default: 'IP_Routed' }),
    rw(`${c}Name`, 'string', { maxLength: 256 }),
    ro(`${c}Uptime`, 'unsignedInt'),
    ro(`${c}LastConnectionError`, 'string', { enumeration: errors, default: 'ERROR_NONE' }),
    ro(`${c}RSIPAvailable`, 'boolean'),
    rw(`${c}NATEnabled`, 'boolean', { default: 'true' }),
    // Forced, as TR-098 marks it; TR-069 sends that of the default connection only (inform-parameters.ts).
    rw(`${c}ExternalIPAddress`, 'string', { forcedInform: true }),
    rw(`${c}DNSEnabled`, 'boolean', { default: 'true' }),
    rw(`${c}DNSOverrideAllowed`, 'boolean'),
    rw(`${c}DNSServers`, 'string', { maxLength: 64 }),
    rw(`${c}MACAddress`, 'string'),
    rw(`${c}ConnectionTrigger`, 'string', { enumeration: CONNECTION_TRIGGERS, default: 'OnDemand' }),
    rw(`${c}RouteProtocolRx`, 'string', { enumeration: ROUTE_PROTOCOLS, default: 'Off' }),
    count(`${c}PortMappingNumberOfEntries`, pm),
    rw(`${pm}PortMappingEnabled`, 'boolean'),
    rw(`${pm}PortMappingLeaseDuration`, 'unsignedInt'),
    rw(`${pm}RemoteHost`, 'string'),
    rw(`${pm}ExternalPort`, 'unsignedInt', { max: 65535 }),
    rw(`${pm}InternalPort`, 'unsignedInt', { min: 1, max: 65535, default: '1' }),
    rw(`${pm}PortMappingProtocol`, 'string', { enumeration: ['TCP', 'UDP'], default: 'TCP' }),
    rw(`${pm}InternalClient`, 'string', { maxLength: 256 }),
    rw(`${pm}PortMappingDescription`, 'string', { maxLength: 256 }),
    ro(`${c}Stats.EthernetBytesSent`, 'unsignedInt', canDeny),
    ro(`${c}Stats.EthernetBytesReceived`, 'unsignedInt', canDeny),
    ro(`${c}Stats.EthernetPacketsSent`, 'unsignedInt', canDeny),
    ro(`${c}Stats.EthernetPacketsReceived`, 'unsignedInt', canDeny),
  ];
}

const IP_ERRORS = [
  'ERROR_NONE',
  'ERROR_COMMAND_ABORTED',
  'ERROR_NOT_ENABLED_FOR_INTERNET',
  'ERROR_USER_DISCONNECT',
  'ERROR_ISP_DISCONNECT',
  'ERROR_IDLE_DISCONNECT',
  'ERROR_FORCED_DISCONNECT',
  'ERROR_NO_CARRIER',
  'ERROR_IP_CONFIGURATION',
  'ERROR_UNKNOWN',
];
const PPP_ERRORS = [
  'ERROR_NONE',
  'ERROR_ISP_TIME_OUT',
  'ERROR_COMMAND_ABORTED',
  'ERROR_NOT_ENABLED_FOR_INTERNET',
  'ERROR_BAD_PHONE_NUMBER',
  'ERROR_USER_DISCONNECT',
  'ERROR_ISP_DISCONNECT',
  'ERROR_IDLE_DISCONNECT',
  'ERROR_FORCED_DISCONNECT',
  'ERROR_SERVER_OUT_OF_RESOURCES',
  'ERROR_RESTRICTED_LOGON_HOURS',
  'ERROR_ACCOUNT_DISABLED',
  'ERROR_ACCOUNT_EXPIRED',
  'ERROR_PASSWORD_EXPIRED',
  'ERROR_AUTHENTICATION_FAILURE',
  'ERROR_NO_DIALTONE',
  'ERROR_NO_CARRIER',
  'ERROR_NO_ANSWER',
  'ERROR_LINE_BUSY',
  'ERROR_UNSUPPORTED_BITSPERSECOND',
  'ERROR_TOO_MANY_LINE_ERRORS',
  'ERROR_IP_CONFIGURATION',
  'ERROR_UNKNOWN',
];

const PING = `${R}IPPingDiagnostics.`;
const TRACE = `${R}TraceRouteDiagnostics.`;
const HOP = `${TRACE}RouteHops.{i}.`;
export const IGD_DIAGNOSTICS = { ipPing: PING, traceRoute: TRACE } as const;

/** IPPingDiagnostics and TraceRouteDiagnostics at the root, as TR-098 places them (TR-181 has them under IP.Diagnostics). */
const IGD_DIAGNOSTICS_PARAMETERS: readonly ParameterDefinition[] = [
  rw(`${PING}DiagnosticsState`, 'string', {
    enumeration: ['None', 'Requested', 'Complete', 'Error_CannotResolveHostName', 'Error_Internal', 'Error_Other'],
    writableValues: ['Requested'],
    default: 'None',
    ...canDeny,
  }),
  rw(`${PING}Interface`, 'string', { maxLength: 256 }),
  rw(`${PING}Host`, 'string', { maxLength: 256 }),
  rw(`${PING}NumberOfRepetitions`, 'unsignedInt', { min: 1, default: '3' }),
  rw(`${PING}Timeout`, 'unsignedInt', { min: 1, default: '1000' }),
  rw(`${PING}DataBlockSize`, 'unsignedInt', { min: 1, max: 65535, default: '56' }),
  rw(`${PING}DSCP`, 'unsignedInt', { min: 0, max: 63 }),
  ro(`${PING}SuccessCount`, 'unsignedInt', canDeny),
  ro(`${PING}FailureCount`, 'unsignedInt', canDeny),
  ro(`${PING}AverageResponseTime`, 'unsignedInt', canDeny),
  ro(`${PING}MinimumResponseTime`, 'unsignedInt', canDeny),
  ro(`${PING}MaximumResponseTime`, 'unsignedInt', canDeny),
  rw(`${TRACE}DiagnosticsState`, 'string', {
    enumeration: ['None', 'Requested', 'Complete', 'Error_CannotResolveHostName', 'Error_MaxHopCountExceeded'],
    writableValues: ['Requested'],
    default: 'None',
    ...canDeny,
  }),
  rw(`${TRACE}Interface`, 'string', { maxLength: 256 }),
  rw(`${TRACE}Host`, 'string', { maxLength: 256 }),
  rw(`${TRACE}NumberOfTries`, 'unsignedInt', { min: 1, max: 3, default: '3' }),
  rw(`${TRACE}Timeout`, 'unsignedInt', { min: 1, default: '5000' }),
  rw(`${TRACE}DataBlockSize`, 'unsignedInt', { min: 1, max: 65535, default: '38' }),
  rw(`${TRACE}DSCP`, 'unsignedInt', { min: 0, max: 63 }),
  rw(`${TRACE}MaxHopCount`, 'unsignedInt', { min: 1, max: 64, default: '30' }),
  ro(`${TRACE}ResponseTime`, 'unsignedInt', canDeny),
  count(`${TRACE}RouteHopsNumberOfEntries`, HOP),
  ro(`${HOP}HopHost`, 'string', { maxLength: 256, ...canDeny }),
  ro(`${HOP}HopHostAddress`, 'string', canDeny),
  ro(`${HOP}HopErrorCode`, 'unsignedInt', canDeny),
  ro(`${HOP}HopRTTimes`, 'string', { maxLength: 16, ...canDeny }),
];

export const IGD_TABLES: readonly TableDefinition[] = [
  ...fromTr181([
    ...MANAGEMENT_POLICY_TABLES,
    ...DEVICE_STATUS_TABLES,
    ...DEVICE_FILES_TABLES,
    ...NETWORK_SERVICES_TABLES,
    ...XMPP_TABLES,
    ...SUPPORTED_DATA_MODEL_TABLES,
  ]),
  { name: FWD, writable: true },
  // The device's own interfaces: their instances come from its provider.
  { name: LAN, writable: true },
  { name: LIPIF, writable: true },
  { name: LETH, writable: false },
  { name: HOST, writable: false },
  { name: WAN, writable: false },
  { name: WCD, writable: true },
  { name: WIP, writable: true },
  { name: `${WIP}PortMapping.{i}.`, writable: true },
  { name: WPPP, writable: true },
  { name: `${WPPP}PortMapping.{i}.`, writable: true },
  { name: HOP, writable: false },
  ...IGD_WLAN_TABLES,
];

export const IGD_PARAMETERS: readonly ParameterDefinition[] = [
  ...fromTr181([
    ...DEVICE_CORE_PARAMETERS,
    ...MANAGEMENT_POLICY_PARAMETERS,
    ...DEVICE_STATUS_PARAMETERS,
    ...DEVICE_FILES_PARAMETERS,
    ...NETWORK_SERVICES_PARAMETERS,
    ...XMPP_PARAMETERS,
    ...SUPPORTED_DATA_MODEL_PARAMETERS,
  ]),
  // TR-106's summary of the root and the profiles this model implements in full.
  ro(`${R}DeviceSummary`, 'string', {
    maxLength: 1024,
    forcedInform: true,
    default:
      'InternetGatewayDevice:1.14[](Baseline:1, EthernetLAN:1, WiFiLAN:1, Time:1, IPPing:1, TraceRoute:1, Download:1, Upload:1, UDPEcho:1, UDPConnReq:1, XMPPBasic:1, XMPPReconnect:1, XMPPAdvanced:1, XMPPConnReq:1, InformParameters:1, StandbyPolicy:1)',
  }),
  // Active notifications of UDPConnectionRequestAddress at least this many seconds apart.
  rw(`${R}ManagementServer.UDPConnectionRequestAddressNotificationLimit`, 'unsignedInt'),
  count(`${R}LANDeviceNumberOfEntries`, LAN),
  count(`${R}WANDeviceNumberOfEntries`, WAN),
  ro(`${R}DeviceInfo.SpecVersion`, 'string', { maxLength: 16, default: '1.0', forcedInform: true }),
  ro(`${R}DeviceInfo.DeviceLog`, 'string', { maxLength: 32768, ...canDeny }),
  rw(`${R}Time.LocalTimeZone`, 'string', { maxLength: 6, default: '+00:00' }),
  rw(`${R}Time.LocalTimeZoneName`, 'string', { maxLength: 64, default: 'UTC' }),
  rw(`${R}Time.DaylightSavingsUsed`, 'boolean'),
  rw(`${R}Time.DaylightSavingsStart`, 'dateTime', { default: '0001-01-01T00:00:00Z' }),
  rw(`${R}Time.DaylightSavingsEnd`, 'dateTime', { default: '0001-01-01T00:00:00Z' }),
  rw(`${L3}DefaultConnectionService`, 'string', { maxLength: 256, default: DEFAULT_CONNECTION_SERVICE }),
  count(`${L3}ForwardNumberOfEntries`, FWD),
  rw(`${FWD}Enable`, 'boolean'),
  ro(`${FWD}Status`, 'string', { enumeration: ['Disabled', 'Enabled', 'Error'], default: 'Disabled' }),
  rw(`${FWD}Type`, 'string', { enumeration: ['Default', 'Network', 'Host'], default: 'Host' }),
  rw(`${FWD}DestIPAddress`, 'string'),
  rw(`${FWD}DestSubnetMask`, 'string'),
  rw(`${FWD}SourceIPAddress`, 'string'),
  rw(`${FWD}SourceSubnetMask`, 'string'),
  rw(`${FWD}GatewayIPAddress`, 'string'),
  rw(`${FWD}Interface`, 'string', { maxLength: 256 }),
  rw(`${FWD}ForwardingMetric`, 'int', { min: -1, default: '-1' }),
  rw(`${R}LANConfigSecurity.ConfigPassword`, 'string', { maxLength: 64, hidden: true }),
  count(`${LAN}LANEthernetInterfaceNumberOfEntries`, LETH),
  ro(`${LAN}LANUSBInterfaceNumberOfEntries`, 'unsignedInt'),
  count(`${LAN}LANWLANConfigurationNumberOfEntries`, WLAN),
  rw(`${HCM}DHCPServerConfigurable`, 'boolean', { default: 'true' }),
  rw(`${HCM}DHCPServerEnable`, 'boolean'),
  ro(`${HCM}DHCPRelay`, 'boolean'),
  rw(`${HCM}MinAddress`, 'string'),
  rw(`${HCM}MaxAddress`, 'string'),
  rw(`${HCM}ReservedAddresses`, 'string', { maxLength: 256 }),
  rw(`${HCM}SubnetMask`, 'string'),
  rw(`${HCM}DNSServers`, 'string', { maxLength: 64 }),
  rw(`${HCM}DomainName`, 'string', { maxLength: 64 }),
  rw(`${HCM}IPRouters`, 'string', { maxLength: 64 }),
  count(`${HCM}IPInterfaceNumberOfEntries`, LIPIF),
  rw(`${LIPIF}Enable`, 'boolean'),
  rw(`${LIPIF}IPInterfaceIPAddress`, 'string'),
  rw(`${LIPIF}IPInterfaceSubnetMask`, 'string'),
  rw(`${LIPIF}IPInterfaceAddressingType`, 'string', { enumeration: ['DHCP', 'Static', 'AutoIP'], default: 'DHCP' }),
  rw(`${LETH}Enable`, 'boolean', { default: 'true' }),
  ro(`${LETH}Status`, 'string', { enumeration: ['Up', 'NoLink', 'Error', 'Disabled'], default: 'NoLink' }),
  ro(`${LETH}MACAddress`, 'string'),
  rw(`${LETH}MACAddressControlEnabled`, 'boolean'),
  rw(`${LETH}MaxBitRate`, 'string', { enumeration: ['10', '100', '1000', '10000', 'Auto'], default: 'Auto' }),
  rw(`${LETH}DuplexMode`, 'string', { enumeration: ['Half', 'Full', 'Auto'], default: 'Auto' }),
  ro(`${LETH}Stats.BytesSent`, 'unsignedInt', canDeny),
  ro(`${LETH}Stats.BytesReceived`, 'unsignedInt', canDeny),
  ro(`${LETH}Stats.PacketsSent`, 'unsignedInt', canDeny),
  ro(`${LETH}Stats.PacketsReceived`, 'unsignedInt', canDeny),
  count(`${LAN}Hosts.HostNumberOfEntries`, HOST),
  ro(`${HOST}IPAddress`, 'string'),
  ro(`${HOST}AddressSource`, 'string', { enumeration: ['DHCP', 'Static', 'AutoIP'], default: 'DHCP' }),
  ro(`${HOST}LeaseTimeRemaining`, 'int', { min: -1, ...canDeny }),
  ro(`${HOST}MACAddress`, 'string'),
  ro(`${HOST}HostName`, 'string', { maxLength: 64 }),
  ro(`${HOST}InterfaceType`, 'string', { enumeration: ['Ethernet', 'USB', '802.11', 'HomePNA', 'HomePlug', 'MoCA', 'Other'], default: 'Ethernet' }),
  ro(`${HOST}Active`, 'boolean'),
  count(`${WAN}WANConnectionNumberOfEntries`, WCD),
  rw(`${WCIC}EnabledForInternet`, 'boolean', { default: 'true' }),
  ro(`${WCIC}WANAccessType`, 'string', { enumeration: ['DSL', 'Ethernet', 'POTS'], default: 'Ethernet' }),
  ro(`${WCIC}Layer1UpstreamMaxBitRate`, 'unsignedInt'),
  ro(`${WCIC}Layer1DownstreamMaxBitRate`, 'unsignedInt'),
  ro(`${WCIC}PhysicalLinkStatus`, 'string', { enumeration: ['Up', 'Down', 'Initializing', 'Unavailable'], default: 'Unavailable' }),
  ro(`${WCIC}TotalBytesSent`, 'unsignedInt', canDeny),
  ro(`${WCIC}TotalBytesReceived`, 'unsignedInt', canDeny),
  ro(`${WCIC}TotalPacketsSent`, 'unsignedInt', canDeny),
  ro(`${WCIC}TotalPacketsReceived`, 'unsignedInt', canDeny),
  count(`${WCD}WANIPConnectionNumberOfEntries`, WIP),
  count(`${WCD}WANPPPConnectionNumberOfEntries`, WPPP),
  ...connectionCommon(
    WIP,
    ['Unconfigured', 'Connecting', 'Connected', 'PendingDisconnect', 'Disconneting', 'Disconnecting', 'Disconnected'],
    ['Unconfigured', 'IP_Routed', 'IP_Bridged'],
    IP_ERRORS,
  ),
  rw(`${WIP}AddressingType`, 'string', { enumeration: ['DHCP', 'Static'], default: 'DHCP' }),
  rw(`${WIP}SubnetMask`, 'string'),
  rw(`${WIP}DefaultGateway`, 'string'),
  ...connectionCommon(
    WPPP,
    ['Unconfigured', 'Connecting', 'Authenticating', 'Connected', 'PendingDisconnect', 'Disconnecting', 'Disconnected'],
    ['Unconfigured', 'IP_Routed', 'DHCP_Spoofed', 'PPPoE_Bridged', 'PPPoE_Relay', 'PPTP_Relay', 'L2TP_Relay'],
    PPP_ERRORS,
  ),
  rw(`${WPPP}Username`, 'string', { maxLength: 64 }),
  rw(`${WPPP}Password`, 'string', { maxLength: 64, hidden: true }),
  ro(`${WPPP}TransportType`, 'string', { enumeration: ['PPPoA', 'PPPoE', 'L2TP', 'PPTP'], default: 'PPPoE' }),
  rw(`${WPPP}PPPoEACName`, 'string', { maxLength: 256 }),
  rw(`${WPPP}PPPoEServiceName`, 'string', { maxLength: 256 }),
  ...IGD_DIAGNOSTICS_PARAMETERS,
  ...IGD_WLAN_PARAMETERS,
  ...IGD_TR143_PARAMETERS,
];

/** The TR-098 schema; immutable, shared by every agent that uses it. */
export const IGD_SCHEMA = new Schema(IGD_PARAMETERS, IGD_TABLES);
