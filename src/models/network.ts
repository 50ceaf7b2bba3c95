/**
 * TR-181 Device.Ethernet.Interface.{i} and Device.IP.Interface.{i} with IPv4Address.{i} and
 * IPv6Address.{i}: the interfaces the device has. Their instances belong to the device (its
 * provider): the agent does not let the ACS add or remove host interfaces.
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

export const ETH = 'Device.Ethernet.Interface.{i}.';
export const IPIF = 'Device.IP.Interface.{i}.';
export const IPV4 = `${IPIF}IPv4Address.{i}.`;
export const IPV6 = `${IPIF}IPv6Address.{i}.`;

export const NETWORK_TABLES: readonly TableDefinition[] = [ETH, IPIF, IPV4, IPV6].map((name) => ({ name, writable: false }));

const IF_STATUS = ['Up', 'Down', 'Unknown', 'Dormant', 'NotPresent', 'LowerLayerDown', 'Error'];
const ADDR_STATUS = ['Disabled', 'Enabled', 'Error_Misconfigured', 'Error'];
const alias = (base: string): ParameterDefinition => ({ name: `${base}Alias`, type: 'string', maxLength: 64, writable: true, writeOnce: true, default: '' });

export const NETWORK_PARAMETERS: readonly ParameterDefinition[] = [
  { name: 'Device.Ethernet.InterfaceNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: ETH },
  { name: `${ETH}Enable`, type: 'boolean', writable: true, default: 'true' },
  { name: `${ETH}Status`, type: 'string', enumeration: IF_STATUS, writable: false, default: 'Unknown' },
  alias(ETH),
  { name: `${ETH}Name`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${ETH}Upstream`, type: 'boolean', writable: false, default: 'false' },
  { name: `${ETH}MACAddress`, type: 'string', maxLength: 17, writable: false, default: '' },
  { name: 'Device.IP.InterfaceNumberOfEntries', type: 'unsignedInt', writable: false, default: '0', countOf: IPIF },
  { name: `${IPIF}Enable`, type: 'boolean', writable: true, default: 'true' },
  { name: `${IPIF}Status`, type: 'string', enumeration: IF_STATUS, writable: false, default: 'Unknown' },
  alias(IPIF),
  { name: `${IPIF}Name`, type: 'string', maxLength: 64, writable: false, default: '' },
  { name: `${IPIF}LowerLayers`, type: 'string', writable: true, default: '' },
  { name: `${IPIF}Type`, type: 'string', enumeration: ['Normal', 'Loopback', 'Tunnel', 'Tunneled'], writable: false, default: 'Normal' },
  { name: `${IPIF}IPv4AddressNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: IPV4 },
  { name: `${IPIF}IPv6AddressNumberOfEntries`, type: 'unsignedInt', writable: false, default: '0', countOf: IPV6 },
  { name: `${IPV4}Enable`, type: 'boolean', writable: true, default: 'true' },
  { name: `${IPV4}Status`, type: 'string', enumeration: ADDR_STATUS, writable: false, default: 'Enabled' },
  alias(IPV4),
  { name: `${IPV4}IPAddress`, type: 'string', maxLength: 15, writable: true, default: '' },
  { name: `${IPV4}SubnetMask`, type: 'string', maxLength: 15, writable: true, default: '' },
  { name: `${IPV4}AddressingType`, type: 'string', enumeration: ['DHCP', 'IKEv2', 'AutoIP', 'IPCP', 'Static'], writable: false, default: 'Static' },
  { name: `${IPV6}Enable`, type: 'boolean', writable: true, default: 'true' },
  { name: `${IPV6}Status`, type: 'string', enumeration: ADDR_STATUS, writable: false, default: 'Enabled' },
  alias(IPV6),
  { name: `${IPV6}IPAddress`, type: 'string', maxLength: 45, writable: true, default: '' },
  {
    name: `${IPV6}Origin`,
    type: 'string',
    enumeration: ['AutoConfigured', 'DHCPv6', 'IKEv2', 'MAP', 'WellKnown', 'Static'],
    writable: false,
    default: 'Static',
  },
];
