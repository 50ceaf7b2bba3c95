/**
 * TR-181 Wi-Fi as a device that has it exposes it: radios, SSIDs and access points (the
 * common subset an ACS configures). A provider that knows the hardware owns the radios; SSIDs
 * and access points are the ACS's to add and configure. Names, types and access follow
 * tr-181-2-17-0-cwmp-full.xml.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

export const WIFI_TABLES: readonly TableDefinition[] = [
  { name: 'Device.WiFi.Radio.{i}.', writable: false },
  { name: 'Device.WiFi.SSID.{i}.', writable: true },
  { name: 'Device.WiFi.AccessPoint.{i}.', writable: true },
  { name: 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.', writable: false },
];

const SS = 'Device.WiFi.SSID.{i}.Stats.';
const AD = 'Device.WiFi.AccessPoint.{i}.AssociatedDevice.{i}.';
const counters = (o: string, wide: string[], narrow: string[]): ParameterDefinition[] => [
  ...wide.map((n): ParameterDefinition => ({ name: `${o}${n}`, type: 'unsignedLong', writable: false, default: '0' })),
  ...narrow.map((n): ParameterDefinition => ({ name: `${o}${n}`, type: 'unsignedInt', writable: false, default: '0' })),
];

/** What a device that runs access points reports of them: traffic per SSID and the stations associated. */
export const WIFI_STATUS_PARAMETERS: readonly ParameterDefinition[] = [
  ...counters(
    SS,
    ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived'],
    ['ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived'],
  ),
  { name: 'Device.WiFi.AccessPoint.{i}.AssociatedDeviceNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: AD },
  { name: `${AD}MACAddress`, type: 'string', writable: false, default: '' },
  { name: `${AD}AuthenticationState`, type: 'boolean', writable: false, default: 'false' },
  // TR-181 counts these rates from 1000 kbps; a station that has sent nothing yet reads the floor.
  { name: `${AD}LastDataDownlinkRate`, type: 'unsignedInt', min: 1000, writable: false, default: '1000' },
  { name: `${AD}LastDataUplinkRate`, type: 'unsignedInt', min: 1000, writable: false, default: '1000' },
  { name: `${AD}SignalStrength`, type: 'int', min: -200, max: 0, writable: false, default: '0' },
  { name: `${AD}Active`, type: 'boolean', writable: false, default: 'false' },
  ...counters(`${AD}Stats.`, ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived'], []),
];

export const WIFI_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'Device.WiFi.RadioNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: 'Device.WiFi.Radio.{i}.' },
  { name: 'Device.WiFi.SSIDNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: 'Device.WiFi.SSID.{i}.' },
  { name: 'Device.WiFi.AccessPointNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: 'Device.WiFi.AccessPoint.{i}.' },
  { name: 'Device.WiFi.Radio.{i}.Enable', type: 'boolean', writable: true, default: 'false' },
  {
    name: 'Device.WiFi.Radio.{i}.Status',
    type: 'string',
    writable: false,
    default: 'Up',
    enumeration: ['Up', 'Down', 'Unknown', 'Dormant', 'NotPresent', 'LowerLayerDown', 'Error'],
  },
  { name: 'Device.WiFi.Radio.{i}.Alias', type: 'string', writable: true, default: '', writeOnce: true },
  { name: 'Device.WiFi.Radio.{i}.Name', type: 'string', writable: false, default: '', maxLength: 64 },
  { name: 'Device.WiFi.Radio.{i}.LowerLayers', type: 'string', writable: true, default: '', maxLength: 1024 },
  { name: 'Device.WiFi.Radio.{i}.Upstream', type: 'boolean', writable: false, default: 'false' },
  { name: 'Device.WiFi.Radio.{i}.MaxBitRate', type: 'unsignedInt', writable: false, default: '0' },
  { name: 'Device.WiFi.Radio.{i}.SupportedFrequencyBands', type: 'string', writable: false, default: '2.4GHz' },
  { name: 'Device.WiFi.Radio.{i}.OperatingFrequencyBand', type: 'string', writable: true, default: '' },
  { name: 'Device.WiFi.Radio.{i}.SupportedStandards', type: 'string', writable: false, default: 'a' },
  { name: 'Device.WiFi.Radio.{i}.OperatingStandards', type: 'string', writable: true, default: '' },
  { name: 'Device.WiFi.Radio.{i}.PossibleChannels', type: 'string', writable: false, default: '', maxLength: 1024 },
  { name: 'Device.WiFi.Radio.{i}.Channel', type: 'unsignedInt', writable: true, default: '1', min: 1, max: 255 },
  { name: 'Device.WiFi.Radio.{i}.AutoChannelSupported', type: 'boolean', writable: false, default: 'false' },
  { name: 'Device.WiFi.Radio.{i}.AutoChannelEnable', type: 'boolean', writable: true, default: 'false' },
  { name: 'Device.WiFi.Radio.{i}.TransmitPowerSupported', type: 'string', writable: false, default: '', maxLength: 64, min: -1, max: 100 },
  { name: 'Device.WiFi.Radio.{i}.TransmitPower', type: 'int', writable: true, default: '0', min: -1, max: 100 },
  { name: 'Device.WiFi.Radio.{i}.RegulatoryDomain', type: 'string', writable: true, default: '', maxLength: 3 },
  { name: 'Device.WiFi.SSID.{i}.Enable', type: 'boolean', writable: true, default: 'false' },
  {
    name: 'Device.WiFi.SSID.{i}.Status',
    type: 'string',
    writable: false,
    default: 'Down',
    enumeration: ['Up', 'Down', 'Unknown', 'Dormant', 'NotPresent', 'LowerLayerDown', 'Error'],
  },
  { name: 'Device.WiFi.SSID.{i}.Alias', type: 'string', writable: true, default: '', writeOnce: true },
  { name: 'Device.WiFi.SSID.{i}.Name', type: 'string', writable: false, default: '', maxLength: 64 },
  { name: 'Device.WiFi.SSID.{i}.LowerLayers', type: 'string', writable: true, default: '', maxLength: 1024 },
  { name: 'Device.WiFi.SSID.{i}.BSSID', type: 'string', writable: false, default: '' },
  { name: 'Device.WiFi.SSID.{i}.MACAddress', type: 'string', writable: false, default: '' },
  { name: 'Device.WiFi.SSID.{i}.SSID', type: 'string', writable: true, default: '', maxLength: 32 },
  { name: 'Device.WiFi.AccessPoint.{i}.Enable', type: 'boolean', writable: true, default: 'false' },
  {
    name: 'Device.WiFi.AccessPoint.{i}.Status',
    type: 'string',
    writable: false,
    default: 'Disabled',
    enumeration: ['Disabled', 'Enabled', 'Error_Misconfigured', 'Error'],
  },
  { name: 'Device.WiFi.AccessPoint.{i}.Alias', type: 'string', writable: true, default: '', writeOnce: true },
  { name: 'Device.WiFi.AccessPoint.{i}.SSIDReference', type: 'string', writable: true, default: '', maxLength: 256 },
  { name: 'Device.WiFi.AccessPoint.{i}.SSIDAdvertisementEnabled', type: 'boolean', writable: true, default: 'false' },
  { name: 'Device.WiFi.AccessPoint.{i}.Security.ModesSupported', type: 'string', writable: false, default: 'None' },
  { name: 'Device.WiFi.AccessPoint.{i}.Security.ModeEnabled', type: 'string', writable: true, default: '' },
  { name: 'Device.WiFi.AccessPoint.{i}.Security.KeyPassphrase', type: 'string', writable: true, default: '', maxLength: 63, hidden: true },
];
