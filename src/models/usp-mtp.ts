/**
 * TR-181's MTP configuration of a USP agent, as an ACS or a Controller writes it: the MQTT
 * clients (Device.MQTT.Client.{i}), the agent's own MTPs (Device.LocalAgent.MTP.{i}, each MQTT
 * one naming its client and its reply-to topic) and the client a Controller is reached through
 * (Controller.{i}.MTP.{i}.MQTT.Reference). With these an ACS turns USP on over CWMP (the
 * CWMP-to-USP migration); the agent connects as they say (see usp-endpoint/provisioned-usp.ts).
 */
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';
import { readOnly, readWrite } from './define.js';

const MC = 'Device.MQTT.Client.{i}.';
const LM = 'Device.LocalAgent.MTP.{i}.';
const CM = 'Device.LocalAgent.Controller.{i}.MTP.{i}.';

export const UspMtpPaths = {
  mqttClient: 'Device.MQTT.Client.',
  agentMtp: 'Device.LocalAgent.MTP.',
} as const;

export const USP_MTP_TABLES: readonly TableDefinition[] = [
  { name: MC, writable: true, maxEntries: 8 },
  { name: LM, writable: true, maxEntries: 4 },
];

export const USP_MTP_PARAMETERS: readonly ParameterDefinition[] = [
  readOnly('Device.MQTT.ClientNumberOfEntries', 'unsignedInt', { countOf: MC }),
  readOnly('Device.MQTT.Capabilities.ProtocolVersionsSupported', 'string', { list: true, default: '3.1.1,5.0' }),
  readOnly('Device.MQTT.Capabilities.TransportProtocolSupported', 'string', { list: true, default: 'TCP/IP,TLS' }),
  readWrite(`${MC}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${MC}Name`, 'string', '', { maxLength: 64 }),
  readWrite(`${MC}Enable`, 'boolean', 'false'),
  readOnly(`${MC}Status`, 'string', {
    enumeration: ['Disabled', 'Connecting', 'Connected', 'Error_Misconfigured', 'Error_BrokerUnreachable', 'Error'],
    default: 'Disabled',
  }),
  readWrite(`${MC}ProtocolVersion`, 'string', '5.0', { enumeration: ['3.1.1', '5.0'] }),
  readWrite(`${MC}BrokerAddress`, 'string', '', { maxLength: 256 }),
  readWrite(`${MC}BrokerPort`, 'unsignedInt', '1883', { min: 1, max: 65535 }),
  readWrite(`${MC}TransportProtocol`, 'string', 'TCP/IP', { enumeration: ['TCP/IP', 'TLS'] }),
  readWrite(`${MC}KeepAliveTime`, 'unsignedInt', '60', { max: 65535 }),
  readWrite(`${MC}ClientID`, 'string', '', { maxLength: 65535 }),
  readWrite(`${MC}Username`, 'string', '', { maxLength: 256 }),
  readWrite(`${MC}Password`, 'string', '', { maxLength: 256, hidden: true }),
  readOnly('Device.LocalAgent.MTPNumberOfEntries', 'unsignedInt', { countOf: LM }),
  readWrite(`${LM}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${LM}Enable`, 'boolean', 'false'),
  readOnly(`${LM}Status`, 'string', { enumeration: ['Up', 'Down', 'Error'], default: 'Down' }),
  readWrite(`${LM}Protocol`, 'string', 'MQTT', { enumeration: ['MQTT', 'WebSocket'] }),
  readWrite(`${LM}MQTT.Reference`, 'string', '', { maxLength: 256 }),
  readWrite(`${LM}MQTT.ResponseTopicConfigured`, 'string', '', { maxLength: 65535 }),
  readOnly(`${LM}MQTT.ResponseTopicDiscovered`, 'string'),
  readWrite(`${CM}MQTT.Reference`, 'string', '', { maxLength: 256 }),
];
