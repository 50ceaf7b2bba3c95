/**
 * The core of TR-181 Device:2 that every CWMP device has: Device.RootDataModelVersion,
 * Device.DeviceInfo (identity and versions) and Device.ManagementServer. Names, types and
 * access follow tr-181-2-17-0-cwmp-full.xml.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const DI = 'Device.DeviceInfo.';
const MS = 'Device.ManagementServer.';

export const ROOT_DATA_MODEL_VERSION = '2.17';

export const DEVICE_CORE_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'Device.RootDataModelVersion', type: 'string', maxLength: 32, writable: false, default: ROOT_DATA_MODEL_VERSION, forcedInform: true },
  { name: `${DI}Manufacturer`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${DI}ManufacturerOUI`, type: 'string', maxLength: 6, writable: false, default: '' },
  { name: `${DI}ModelName`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${DI}Description`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${DI}ProductClass`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${DI}SerialNumber`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${DI}HardwareVersion`, type: 'string', maxLength: 64, writable: false, default: '', forcedInform: true },
  { name: `${DI}SoftwareVersion`, type: 'string', maxLength: 64, writable: false, default: '', forcedInform: true, activeNotify: 'forceEnabled' },
  { name: `${DI}ProvisioningCode`, type: 'string', maxLength: 64, writable: true, default: '', forcedInform: true, activeNotify: 'forceEnabled' },
  { name: `${DI}UpTime`, type: 'unsignedInt', writable: false, default: '0', activeNotify: 'canDeny' },
  { name: `${MS}EnableCWMP`, type: 'boolean', writable: true, default: 'true' },
  { name: `${MS}URL`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}Username`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}Password`, type: 'string', maxLength: 256, writable: true, default: '', hidden: true },
  { name: `${MS}ScheduleReboot`, type: 'dateTime', writable: true, default: '0001-01-01T00:00:00Z' },
  { name: `${MS}DelayReboot`, type: 'int', min: -1, writable: true, default: '-1' },
  { name: `${MS}PeriodicInformEnable`, type: 'boolean', writable: true, default: 'true' },
  { name: `${MS}PeriodicInformInterval`, type: 'unsignedInt', min: 1, writable: true, default: '3600' },
  { name: `${MS}PeriodicInformTime`, type: 'dateTime', writable: true, default: '0001-01-01T00:00:00Z' },
  { name: `${MS}ParameterKey`, type: 'string', maxLength: 32, writable: false, default: '', forcedInform: true, activeNotify: 'canDeny' },
  { name: `${MS}ConnectionRequestURL`, type: 'string', maxLength: 256, writable: false, default: '', forcedInform: true, activeNotify: 'forceDefaultEnabled' },
  { name: `${MS}ConnectionRequestUsername`, type: 'string', maxLength: 256, writable: true, default: '' },
  // Where a LAN browser is sent to kick the CPE into a Kicked session (web identity management).
  { name: `${MS}KickURL`, type: 'string', maxLength: 256, writable: false, default: '' },
  // A LAN page that shows how far the file transfers have come.
  { name: `${MS}DownloadProgressURL`, type: 'string', maxLength: 256, writable: false, default: '' },
  { name: `${MS}ConnectionRequestPassword`, type: 'string', maxLength: 256, writable: true, default: '', hidden: true },
  { name: `${MS}UpgradesManaged`, type: 'boolean', writable: true, default: 'false' },
  { name: `${MS}DefaultActiveNotificationThrottle`, type: 'unsignedInt', writable: true, default: '0' },
  { name: `${MS}CWMPRetryMinimumWaitInterval`, type: 'unsignedInt', min: 1, max: 65535, writable: true, default: '5' },
  { name: `${MS}CWMPRetryIntervalMultiplier`, type: 'unsignedInt', min: 1000, max: 65535, writable: true, default: '2000' },
  { name: `${MS}AliasBasedAddressing`, type: 'boolean', writable: false, default: 'true', forcedInform: true },
  { name: `${MS}InstanceMode`, type: 'string', enumeration: ['InstanceNumber', 'InstanceAlias'], writable: true, default: 'InstanceNumber' },
  { name: `${MS}AutoCreateInstances`, type: 'boolean', writable: true, default: 'false' },
  { name: `${MS}SupportedConnReqMethods`, type: 'string', writable: false, default: 'HTTP,STUN,XMPP' },
  { name: `${MS}UDPConnectionRequestAddress`, type: 'string', maxLength: 256, writable: false, default: '', activeNotify: 'forceDefaultEnabled' },
  { name: `${MS}STUNEnable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${MS}STUNServerAddress`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}STUNServerPort`, type: 'unsignedInt', min: 0, max: 65535, writable: true, default: '3478' },
  { name: `${MS}STUNUsername`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}STUNPassword`, type: 'string', maxLength: 256, writable: true, default: '', hidden: true },
  { name: `${MS}STUNMaximumKeepAlivePeriod`, type: 'int', min: -1, writable: true, default: '-1' },
  { name: `${MS}STUNMinimumKeepAlivePeriod`, type: 'unsignedInt', writable: true, default: '30' },
  { name: `${MS}NATDetected`, type: 'boolean', writable: false, default: 'false' },
  // TR-069 Annex M. Off until the ACS names a protocol: an empty list disables them whatever the attributes say.
  { name: `${MS}LightweightNotificationProtocolsSupported`, type: 'string', list: true, writable: false, default: 'UDP' },
  { name: `${MS}LightweightNotificationProtocolsUsed`, type: 'string', list: true, enumeration: ['UDP'], writable: true, default: '' },
  { name: `${MS}LightweightNotificationTriggerInterval`, type: 'unsignedInt', writable: true, default: '0' },
  { name: `${MS}LightweightNotificationTriggerTime`, type: 'dateTime', writable: true, default: '0001-01-01T00:00:00Z' },
  { name: `${MS}UDPLightweightNotificationHost`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${MS}UDPLightweightNotificationPort`, type: 'unsignedInt', min: 0, max: 65535, writable: true, default: '7547' },
];

const IP = `${MS}InformParameter.{i}.`;
const SP = `${MS}StandbyPolicy.`;
const MD = `${MS}ManageableDevice.{i}.`;

/** ACS policies in ManagementServer: extra Inform parameters, AutonomousTransferComplete filter, switches. */
export const MANAGEMENT_POLICY_TABLES: readonly TableDefinition[] = [
  { name: IP, writable: true },
  { name: MD, writable: false },
];

export const MANAGEMENT_POLICY_PARAMETERS: readonly ParameterDefinition[] = [
  { name: `${MS}HTTPConnectionRequestEnable`, type: 'boolean', writable: true, default: 'true' },
  // This agent resolves "*" instance wildcards (TR-069 A.2.2.2), so it says so.
  { name: `${MS}InstanceWildcardsSupported`, type: 'boolean', writable: false, default: 'true' },
  { name: `${MS}InformParameterNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: IP },
  { name: `${IP}Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${IP}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' },
  { name: `${IP}ParameterName`, type: 'string', maxLength: 256, writable: true, default: '' },
  { name: `${IP}EventList`, type: 'string', writable: true, default: '' },
  { name: `${MS}AutonomousTransferCompletePolicy.Enable`, type: 'boolean', writable: true, default: 'false' },
  {
    name: `${MS}AutonomousTransferCompletePolicy.TransferTypeFilter`,
    type: 'string',
    enumeration: ['Upload', 'Download', 'Both'],
    writable: true,
    default: 'Upload',
  },
  {
    name: `${MS}AutonomousTransferCompletePolicy.ResultTypeFilter`,
    type: 'string',
    enumeration: ['Success', 'Failure', 'Both'],
    writable: true,
    default: 'Success',
  },
  { name: `${MS}AutonomousTransferCompletePolicy.FileTypeFilter`, type: 'string', maxLength: 1024, writable: true, default: '' },
  // Bodies to the ACS compressed (and its answers accepted compressed) when not Disabled.
  { name: `${MS}HTTPCompressionSupported`, type: 'string', writable: false, default: 'GZIP,Deflate' },
  { name: `${MS}HTTPCompression`, type: 'string', enumeration: ['Disabled', 'GZIP', 'Deflate'], writable: true, default: 'Disabled' },
  // TR-111 Part 1: devices behind this gateway that announced themselves (DHCP option 125).
  { name: `${MS}ManageableDeviceNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: MD },
  { name: `${MS}ManageableDeviceNotificationLimit`, type: 'unsignedInt', writable: true, default: '0' },
  { name: `${MD}Alias`, type: 'string', maxLength: 64, writable: true, default: '' },
  { name: `${MD}ManufacturerOUI`, type: 'string', maxLength: 6, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${MD}SerialNumber`, type: 'string', maxLength: 64, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${MD}ProductClass`, type: 'string', maxLength: 64, writable: false, default: '', activeNotify: 'canDeny' },
  { name: `${MD}Host`, type: 'string', maxLength: 1024, writable: false, default: '' },
  // TR-181 gives ReportingInterval a minimum of 30 and no default: a minute here.
  { name: `${MS}HeartbeatPolicy.Enable`, type: 'boolean', writable: true, default: 'false' },
  { name: `${MS}HeartbeatPolicy.ReportingInterval`, type: 'unsignedInt', min: 30, writable: true, default: '60' },
  { name: `${MS}HeartbeatPolicy.InitiationTime`, type: 'dateTime', writable: true, default: '0001-01-01T00:00:00Z' },
  // TR-069 Annex L: what the device may do in standby, and when waking up is news (13 WAKEUP).
  { name: `${SP}CRUnawarenessMaxDuration`, type: 'int', min: -1, writable: true, default: '-1' },
  { name: `${SP}MaxMissedPeriodic`, type: 'int', min: -1, writable: true, default: '-1' },
  { name: `${SP}NotifyMissedScheduled`, type: 'boolean', writable: true, default: 'false' },
  { name: `${SP}NetworkAwarenessCapable`, type: 'boolean', writable: false, default: 'false' },
  { name: `${SP}SelfTimerCapable`, type: 'boolean', writable: false, default: 'false' },
  { name: `${SP}CRAwarenessRequested`, type: 'boolean', writable: true, default: 'false' },
  { name: `${SP}PeriodicAwarenessRequested`, type: 'boolean', writable: true, default: 'false' },
  { name: `${SP}ScheduledAwarenessRequested`, type: 'boolean', writable: true, default: 'false' },
  // TR-111 Part 1 seen from a device behind a gateway: the gateway that answered its DHCP with option 125.
  { name: 'Device.GatewayInfo.ManufacturerOUI', type: 'string', maxLength: 6, writable: false, default: '', activeNotify: 'forceDefaultEnabled' },
  { name: 'Device.GatewayInfo.ProductClass', type: 'string', maxLength: 64, writable: false, default: '', activeNotify: 'forceDefaultEnabled' },
  { name: 'Device.GatewayInfo.SerialNumber', type: 'string', maxLength: 64, writable: false, default: '', activeNotify: 'forceDefaultEnabled' },
];

/** One object of paths per root, shared: every agent of a fleet reads the same strings. */
function perRoot<T>(make: (root: string) => T): (root: string) => T {
  const made = new Map<string, T>();
  return (root) => {
    let t = made.get(root);
    if (t === undefined) made.set(root, (t = make(root)));
    return t;
  };
}

/** The paths the agent itself reads in ManagementServer, under a root object ("Device." or "InternetGatewayDevice."). */
export const managementServerPaths = perRoot((root: string) => {
  const MS = `${root}ManagementServer.`;
  return {
    url: `${MS}URL`,
    username: `${MS}Username`,
    password: `${MS}Password`,
    enableCwmp: `${MS}EnableCWMP`,
    periodicInformEnable: `${MS}PeriodicInformEnable`,
    periodicInformInterval: `${MS}PeriodicInformInterval`,
    periodicInformTime: `${MS}PeriodicInformTime`,
    parameterKey: `${MS}ParameterKey`,
    connectionRequestUrl: `${MS}ConnectionRequestURL`,
    connectionRequestUsername: `${MS}ConnectionRequestUsername`,
    kickUrl: `${MS}KickURL`,
    downloadProgressUrl: `${MS}DownloadProgressURL`,
    connectionRequestPassword: `${MS}ConnectionRequestPassword`,
    retryMinimumWaitInterval: `${MS}CWMPRetryMinimumWaitInterval`,
    retryIntervalMultiplier: `${MS}CWMPRetryIntervalMultiplier`,
    instanceMode: `${MS}InstanceMode`,
    autoCreateInstances: `${MS}AutoCreateInstances`,
    udpConnectionRequestAddress: `${MS}UDPConnectionRequestAddress`,
    stunEnable: `${MS}STUNEnable`,
    stunServerAddress: `${MS}STUNServerAddress`,
    stunServerPort: `${MS}STUNServerPort`,
    stunUsername: `${MS}STUNUsername`,
    stunPassword: `${MS}STUNPassword`,
    stunMaximumKeepAlivePeriod: `${MS}STUNMaximumKeepAlivePeriod`,
    stunMinimumKeepAlivePeriod: `${MS}STUNMinimumKeepAlivePeriod`,
    natDetected: `${MS}NATDetected`,
    httpConnectionRequestEnable: `${MS}HTTPConnectionRequestEnable`,
    informParameterTable: `${MS}InformParameter.`,
    atcPolicy: `${MS}AutonomousTransferCompletePolicy.`,
    httpCompression: `${MS}HTTPCompression`,
    heartbeatEnable: `${MS}HeartbeatPolicy.Enable`,
    heartbeatInterval: `${MS}HeartbeatPolicy.ReportingInterval`,
    heartbeatTime: `${MS}HeartbeatPolicy.InitiationTime`,
    scheduleReboot: `${MS}ScheduleReboot`,
    delayReboot: `${MS}DelayReboot`,
    defaultActiveNotificationThrottle: `${MS}DefaultActiveNotificationThrottle`,
    upgradesManaged: `${MS}UpgradesManaged`,
    manageableDeviceCount: `${MS}ManageableDeviceNumberOfEntries`,
    manageableDeviceTable: `${MS}ManageableDevice.`,
    manageableDeviceNotificationLimit: `${MS}ManageableDeviceNotificationLimit`,
    // TR-098 only (TR-181 dropped it).
    udpConnectionRequestAddressNotificationLimit: `${MS}UDPConnectionRequestAddressNotificationLimit`,
    standby: {
      crUnawarenessMaxDuration: `${MS}StandbyPolicy.CRUnawarenessMaxDuration`,
      maxMissedPeriodic: `${MS}StandbyPolicy.MaxMissedPeriodic`,
      notifyMissedScheduled: `${MS}StandbyPolicy.NotifyMissedScheduled`,
      networkAwarenessCapable: `${MS}StandbyPolicy.NetworkAwarenessCapable`,
      selfTimerCapable: `${MS}StandbyPolicy.SelfTimerCapable`,
      crAwarenessRequested: `${MS}StandbyPolicy.CRAwarenessRequested`,
      periodicAwarenessRequested: `${MS}StandbyPolicy.PeriodicAwarenessRequested`,
      scheduledAwarenessRequested: `${MS}StandbyPolicy.ScheduledAwarenessRequested`,
    },
    lightweightProtocolsUsed: `${MS}LightweightNotificationProtocolsUsed`,
    lightweightTriggerInterval: `${MS}LightweightNotificationTriggerInterval`,
    lightweightTriggerTime: `${MS}LightweightNotificationTriggerTime`,
    udpLightweightHost: `${MS}UDPLightweightNotificationHost`,
    udpLightweightPort: `${MS}UDPLightweightNotificationPort`,
  } as const;
});
export type ManagementServerPaths = ReturnType<typeof managementServerPaths>;
export const ManagementServer = managementServerPaths('Device.');

/** The DeviceInfo paths the agent itself uses, under a root object. */
export const deviceInfoPaths = perRoot((root: string) => {
  const DI = `${root}DeviceInfo.`;
  return {
    manufacturer: `${DI}Manufacturer`,
    manufacturerOui: `${DI}ManufacturerOUI`,
    productClass: `${DI}ProductClass`,
    serialNumber: `${DI}SerialNumber`,
    hardwareVersion: `${DI}HardwareVersion`,
    softwareVersion: `${DI}SoftwareVersion`,
    provisioningCode: `${DI}ProvisioningCode`,
    modelName: `${DI}ModelName`,
    upTime: `${DI}UpTime`,
  } as const;
});
export type DeviceInfoPaths = ReturnType<typeof deviceInfoPaths>;
export const DeviceInfo = deviceInfoPaths('Device.');
