/**
 * The agent's own rows in Device.LocalAgent: its EndpointID, the Controllers it is configured
 * with (each with its MTP, trusted with Full Access), the roles of a new device, and the enabled
 * Controllers with where each is reached.
 */
import type { DataModel } from '../datamodel/data-model.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import type { Controller } from './usp-notifications.js';
import { forgetPermissions, provisionRoles } from './usp-permissions.js';

/** A Controller the agent is configured with. */
export interface ConfiguredController {
  endpointId: string;
  /** Where the agent reaches it: the MQTT topic it subscribes to, or its WebSocket URL. */
  topic: string;
}

/** Writes the EndpointID and the configured Controllers (each with its MTP and Full Access); returns the rows made now. */
export function provisionLocalAgent(m: DataModel, endpointId: string, controllers: readonly ConfiguredController[], protocol: 'MQTT' | 'WebSocket'): string[] {
  if (!m.definitionOf(LocalAgentPaths.endpointId)) return [];
  m.provision({ [LocalAgentPaths.endpointId]: endpointId });
  // The Controllers the agent is configured with are trusted with full access; any other is untrusted until given a role.
  const fullAccess = provisionRoles(m);
  const table = LocalAgentPaths.controller;
  const made: string[] = [];
  for (const c of controllers) {
    const known = m.instanceIds(table).find((n) => m.read(`${table}${n}.EndpointID`) === c.endpointId);
    const id = known ?? m.addInstance(table);
    const at = `${table}${id}.`;
    if (known === undefined) made.push(at);
    if (m.instanceIds(`${at}MTP.`).length === 0) m.addInstance(`${at}MTP.`);
    const mtp = `${at}MTP.${m.instanceIds(`${at}MTP.`)[0]}.`;
    m.provision({
      [`${at}EndpointID`]: c.endpointId,
      [`${at}Enable`]: 'true',
      [`${mtp}Enable`]: 'true',
      [`${mtp}Protocol`]: protocol,
      [`${mtp}MQTT.Topic`]: protocol === 'MQTT' ? c.topic : '',
    });
    if (fullAccess && m.definitionOf(`${at}AssignedRole`) && m.read(`${at}AssignedRole`) === '') m.provision({ [`${at}AssignedRole`]: fullAccess });
  }
  forgetPermissions(m);
  return made;
}

/**
 * Full Access for every Controller row with no role yet: the Controllers the device's manager
 * (its ACS, its configuration) wrote are trusted as configured ones are. One that a Controller
 * adds over USP is given the Untrusted role as it is made, so it is never among them.
 */
export function trustUnassignedControllers(m: DataModel): void {
  const full = provisionRoles(m);
  const table = LocalAgentPaths.controller;
  if (!full || !m.schema.tables.has(`${table}{i}.`)) return;
  for (const n of m.instanceIds(table)) if (m.read(`${table}${n}.AssignedRole`) === '') m.provision({ [`${table}${n}.AssignedRole`]: full });
  forgetPermissions(m);
}

/** The enabled Controllers the data model knows, with where to reach them (an MQTT topic, or the configured WebSocket URL). */
export function enabledControllers(m: DataModel, configured: readonly ConfiguredController[], protocol: 'MQTT' | 'WebSocket'): Controller[] {
  const table = LocalAgentPaths.controller;
  if (!m.schema.tables.has(`${table}{i}.`)) return configured.map((c, i) => ({ path: `${table}${i + 1}.`, ...c }));
  return m
    .instanceIds(table)
    .map((n) => `${table}${n}.`)
    .filter((at) => m.read(`${at}Enable`) === 'true')
    .map((at) => {
      const mtp = m.instanceIds(`${at}MTP.`).find((k) => m.read(`${at}MTP.${k}.Enable`) === 'true' && m.read(`${at}MTP.${k}.Protocol`) === protocol);
      const endpointId = m.read(`${at}EndpointID`);
      if (mtp === undefined) return { path: at, endpointId, topic: '' };
      // A WebSocket has one session, with the configured Controller: its URL is the address.
      const address = protocol === 'MQTT' ? m.read(`${at}MTP.${mtp}.MQTT.Topic`) : (configured.find((c) => c.endpointId === endpointId)?.topic ?? '');
      return { path: at, endpointId, topic: address };
    });
}
