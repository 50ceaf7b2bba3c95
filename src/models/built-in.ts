/** Everything the agent's own model defines, in one place: what a device gets by default. */
import { Schema, type ParameterDefinition, type TableDefinition } from '../datamodel/schema.js';
import { DEVICE_CORE_PARAMETERS } from './device-core.js';
import { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from './device-status.js';
import { NETWORK_PARAMETERS, NETWORK_TABLES } from './network.js';
import { STB_PARAMETERS, STB_TABLES } from './stb-service.js';
import { XMPP_PARAMETERS, XMPP_TABLES } from './xmpp.js';

export const BUILT_IN_PARAMETERS: readonly ParameterDefinition[] = [...DEVICE_CORE_PARAMETERS, ...DEVICE_STATUS_PARAMETERS, ...NETWORK_PARAMETERS, ...XMPP_PARAMETERS, ...STB_PARAMETERS];
export const BUILT_IN_TABLES: readonly TableDefinition[] = [...DEVICE_STATUS_TABLES, ...NETWORK_TABLES, ...XMPP_TABLES, ...STB_TABLES];

/** The built-in schema; immutable, so one instance serves every agent in the process. */
export const BUILT_IN_SCHEMA = new Schema(BUILT_IN_PARAMETERS, BUILT_IN_TABLES);
