/**
 * TR-098 LANDevice.{i}.WLANConfiguration.{i}: a gateway's Wi-Fi access points, the WiFiLAN:1
 * profile (SSID, channel, beacon and security modes, keys, rates, counters, associated
 * stations) plus the switches an ACS commonly sets (SSID advertisement, automatic channel,
 * transmit power, IEEE 802.11i modes). The radios and their stations are the device's (a
 * provider owns the instances); settings are the ACS's. Names, types and access follow
 * tr-098-1-8-0-full.xml. Keys and passphrases read back empty, as TR-098 requires.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

const R = 'InternetGatewayDevice.';
export const WLAN = `${R}LANDevice.{i}.WLANConfiguration.{i}.`;
const ASSOC = `${WLAN}AssociatedDevice.{i}.`;
const WEP = `${WLAN}WEPKey.{i}.`;
const PSK = `${WLAN}PreSharedKey.{i}.`;

type Def = ParameterDefinition;
const ro = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({
  name,
  type,
  writable: false,
  default: type === 'boolean' ? 'false' : type === 'string' ? '' : '0',
  ...extra,
});
const rw = (name: string, type: Def['type'], extra: Partial<Def> = {}): Def => ({ ...ro(name, type, extra), writable: true });
const canDeny = { activeNotify: 'canDeny' } as const;

export const BEACON_TYPES = ['None', 'Basic', 'WPA', '11i', 'BasicandWPA', 'Basicand11i', 'WPAand11i', 'BasicandWPAand11i'];
const ENCRYPTION_MODES = [
  'WEPEncryption',
  'TKIPEncryption',
  'WEPandTKIPEncryption',
  'AESEncryption',
  'WEPandAESEncryption',
  'TKIPandAESEncryption',
  'WEPandTKIPandAESEncryption',
];

export const IGD_WLAN_TABLES: readonly TableDefinition[] = [
  { name: WLAN, writable: false },
  { name: ASSOC, writable: false },
  { name: WEP, writable: false, maxEntries: 4 },
  { name: PSK, writable: false, maxEntries: 10 },
];

export const IGD_WLAN_PARAMETERS: readonly ParameterDefinition[] = [
  rw(`${WLAN}Enable`, 'boolean', { default: 'true' }),
  ro(`${WLAN}Status`, 'string', { enumeration: ['Up', 'Error', 'Disabled'], default: 'Disabled' }),
  ro(`${WLAN}Name`, 'string', { maxLength: 16 }),
  ro(`${WLAN}BSSID`, 'string'),
  rw(`${WLAN}MaxBitRate`, 'string', { maxLength: 4, default: 'Auto' }),
  rw(`${WLAN}Channel`, 'unsignedInt', { min: 0, max: 255 }),
  rw(`${WLAN}AutoChannelEnable`, 'boolean'),
  rw(`${WLAN}SSID`, 'string', { maxLength: 32 }),
  rw(`${WLAN}BeaconType`, 'string', { enumeration: BEACON_TYPES, default: '11i' }),
  rw(`${WLAN}MACAddressControlEnabled`, 'boolean'),
  ro(`${WLAN}Standard`, 'string', { enumeration: ['a', 'b', 'g', 'g-only', 'n'], default: 'n' }),
  rw(`${WLAN}WEPKeyIndex`, 'unsignedInt', { min: 1, max: 4, default: '1' }),
  rw(`${WLAN}KeyPassphrase`, 'string', { maxLength: 63, hidden: true }),
  ro(`${WLAN}WEPEncryptionLevel`, 'string', { maxLength: 64, default: 'Disabled,40-bit,104-bit' }),
  rw(`${WLAN}BasicEncryptionModes`, 'string', { enumeration: ['None', 'WEPEncryption'], default: 'None' }),
  rw(`${WLAN}BasicAuthenticationMode`, 'string', { enumeration: ['None', 'EAPAuthentication', 'SharedAuthentication'], default: 'None' }),
  rw(`${WLAN}WPAEncryptionModes`, 'string', { enumeration: ENCRYPTION_MODES, default: 'TKIPEncryption' }),
  rw(`${WLAN}WPAAuthenticationMode`, 'string', { enumeration: ['PSKAuthentication', 'EAPAuthentication'], default: 'PSKAuthentication' }),
  rw(`${WLAN}IEEE11iEncryptionModes`, 'string', { enumeration: ENCRYPTION_MODES, default: 'AESEncryption' }),
  rw(`${WLAN}IEEE11iAuthenticationMode`, 'string', {
    enumeration: ['PSKAuthentication', 'EAPAuthentication', 'EAPandPSKAuthentication'],
    default: 'PSKAuthentication',
  }),
  ro(`${WLAN}PossibleChannels`, 'string', { maxLength: 1024 }),
  rw(`${WLAN}BasicDataTransmitRates`, 'string', { maxLength: 256 }),
  rw(`${WLAN}OperationalDataTransmitRates`, 'string', { maxLength: 256 }),
  ro(`${WLAN}PossibleDataTransmitRates`, 'string', { maxLength: 256 }),
  rw(`${WLAN}SSIDAdvertisementEnabled`, 'boolean', { default: 'true' }),
  rw(`${WLAN}RadioEnabled`, 'boolean', { default: 'true' }),
  rw(`${WLAN}AutoRateFallBackEnabled`, 'boolean', { default: 'true' }),
  rw(`${WLAN}TransmitPower`, 'unsignedInt', { min: 0, max: 100, default: '100' }),
  rw(`${WLAN}RegulatoryDomain`, 'string', { maxLength: 3 }),
  ro(`${WLAN}TotalBytesSent`, 'unsignedInt', canDeny),
  ro(`${WLAN}TotalBytesReceived`, 'unsignedInt', canDeny),
  ro(`${WLAN}TotalPacketsSent`, 'unsignedInt', canDeny),
  ro(`${WLAN}TotalPacketsReceived`, 'unsignedInt', canDeny),
  { name: `${WLAN}TotalAssociations`, type: 'unsignedInt', writable: false, default: '0', countOf: ASSOC, ...canDeny },
  ro(`${ASSOC}AssociatedDeviceMACAddress`, 'string', canDeny),
  ro(`${ASSOC}AssociatedDeviceIPAddress`, 'string', { maxLength: 64, ...canDeny }),
  ro(`${ASSOC}AssociatedDeviceAuthenticationState`, 'boolean', canDeny),
  ro(`${ASSOC}LastDataTransmitRate`, 'string', { maxLength: 4, ...canDeny }),
  rw(`${WEP}WEPKey`, 'string', { maxLength: 128, hidden: true }),
  rw(`${PSK}PreSharedKey`, 'string', { maxLength: 64, hidden: true }),
  rw(`${PSK}KeyPassphrase`, 'string', { maxLength: 63, hidden: true }),
  rw(`${PSK}AssociatedDeviceMACAddress`, 'string'),
];
