/**
 * The agent's MQTT connection as its data model configures it (TR-181: an enabled
 * Device.LocalAgent.MTP.{i} of Protocol MQTT whose MQTT.Reference names an enabled
 * Device.MQTT.Client.{i} with a broker address). Pure: reads the model, no I/O.
 */
import type { DataModel } from '../datamodel/data-model.js';
import { UspMtpPaths } from '../models/usp-mtp.js';

export interface ModelMqttSettings {
  /** The Device.MQTT.Client.{i}. row in use, and the LocalAgent.MTP.{i}. row that names it. */
  clientPath: string;
  mtpPath: string;
  url: string;
  clientId: string;
  /** The agent's reply-to topic: ResponseTopicConfigured, or usp/agent/<EndpointID>. */
  agentTopic: string;
  version: 4 | 5;
  username: string | undefined;
  password: string | undefined;
  keepAliveSeconds: number;
}

/** The configured MQTT connection, or why there is none (no MTP configured is `undefined`, a broken one a reason). */
export function mqttSettingsFromModel(model: DataModel, endpointId: string): ModelMqttSettings | { misconfigured: string; clientPath?: string } | undefined {
  if (!model.schema.tables.has(`${UspMtpPaths.agentMtp}{i}.`)) return undefined;
  for (const n of model.instanceIds(UspMtpPaths.agentMtp)) {
    const mtpPath = `${UspMtpPaths.agentMtp}${n}.`;
    if (model.read(`${mtpPath}Enable`) !== 'true' || model.read(`${mtpPath}Protocol`) !== 'MQTT') continue;
    const reference = model.read(`${mtpPath}MQTT.Reference`).replace(/\.?$/, '.');
    const id = new RegExp(`^${UspMtpPaths.mqttClient.replace(/\./g, '\\.')}(\\d+)\\.$`).exec(reference)?.[1];
    if (id === undefined || !model.instanceIds(UspMtpPaths.mqttClient).includes(Number(id)))
      return { misconfigured: `${mtpPath}MQTT.Reference names no Device.MQTT.Client row (${model.read(`${mtpPath}MQTT.Reference`) || 'empty'})` };
    const clientPath = `${UspMtpPaths.mqttClient}${id}.`;
    if (model.read(`${clientPath}Enable`) !== 'true') continue;
    const host = model.read(`${clientPath}BrokerAddress`);
    if (!host) return { misconfigured: `${clientPath}BrokerAddress is empty`, clientPath };
    const scheme = model.read(`${clientPath}TransportProtocol`) === 'TLS' ? 'mqtts' : 'mqtt';
    const port = model.read(`${clientPath}BrokerPort`) || '1883';
    const username = model.read(`${clientPath}Username`);
    const password = model.read(`${clientPath}Password`);
    return {
      clientPath,
      mtpPath,
      url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`,
      clientId: model.read(`${clientPath}ClientID`) || endpointId,
      agentTopic: model.read(`${mtpPath}MQTT.ResponseTopicConfigured`) || `usp/agent/${endpointId}`,
      version: model.read(`${clientPath}ProtocolVersion`) === '3.1.1' ? 4 : 5,
      username: username || undefined,
      password: password || undefined,
      keepAliveSeconds: Number(model.read(`${clientPath}KeepAliveTime`)) || 60,
    };
  }
  return undefined;
}

/** Whether a change touches what mqttSettingsFromModel reads (or the Controllers it reaches). */
export function touchesUspMtp(names: readonly string[]): boolean {
  return names.some((n) => n.startsWith(UspMtpPaths.mqttClient) || n.startsWith(UspMtpPaths.agentMtp) || n.startsWith('Device.LocalAgent.Controller.'));
}
