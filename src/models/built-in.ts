/** Everything the agent's own model defines, in one place: what a device gets by default. */
import { Schema, type ParameterDefinition, type TableDefinition } from '../datamodel/schema.js';
import { DEVICE_CORE_PARAMETERS, MANAGEMENT_POLICY_PARAMETERS, MANAGEMENT_POLICY_TABLES } from './device-core.js';
import { DEVICE_STATUS_PARAMETERS, DEVICE_STATUS_TABLES } from './device-status.js';
import { NETWORK_PARAMETERS, NETWORK_TABLES } from './network.js';
import {
  SERVICE_MONITORING_PARAMETERS,
  SERVICE_MONITORING_TABLES,
  STB_COMPONENT_PARAMETERS,
  STB_COMPONENT_TABLES,
  STB_PARAMETERS,
  STB_TABLES,
} from './stb-service.js';
import { DEVICE_FILES_PARAMETERS, DEVICE_FILES_TABLES } from './device-files.js';
import { NETWORK_SERVICES_PARAMETERS, NETWORK_SERVICES_TABLES } from './network-services.js';
import { WIFI_PARAMETERS, WIFI_STATUS_PARAMETERS, WIFI_TABLES } from './wifi.js';
import { SUPPORTED_DATA_MODEL_PARAMETERS, SUPPORTED_DATA_MODEL_TABLES } from './supported-data-model.js';
import { XMPP_PARAMETERS, XMPP_TABLES } from './xmpp.js';
import { SOFTWARE_MODULES_PARAMETERS, SOFTWARE_MODULES_TABLES } from './software-modules.js';
import { STORAGE_SERVICE_PARAMETERS, STORAGE_SERVICE_TABLES } from './storage-service.js';
import { BULK_DATA_PARAMETERS, BULK_DATA_TABLES } from './bulk-data.js';
import { VOICE_SERVICE_PARAMETERS, VOICE_SERVICE_TABLES } from './voice-service.js';
import { IGD_PARAMETERS, IGD_ROOT, IGD_SCHEMA, IGD_TABLES } from './igd.js';
import {
  DIAGNOSTICS_PARAMETERS,
  DIAGNOSTICS_TABLES,
  DOWNLOAD_PARAMETERS,
  DOWNLOAD_TABLES,
  TRACEROUTE_PARAMETERS,
  UDP_ECHO_PARAMETERS,
  UPLOAD_PARAMETERS,
  UPLOAD_TABLES,
  SERVER_SELECTION_PARAMETERS,
  UDP_ECHO_DIAGNOSTICS_PARAMETERS,
} from './diagnostics.js';

export const BUILT_IN_PARAMETERS: readonly ParameterDefinition[] = [
  ...DEVICE_CORE_PARAMETERS,
  ...MANAGEMENT_POLICY_PARAMETERS,
  ...DEVICE_FILES_PARAMETERS,
  ...DEVICE_STATUS_PARAMETERS,
  ...NETWORK_PARAMETERS,
  ...NETWORK_SERVICES_PARAMETERS,
  ...WIFI_PARAMETERS,
  ...WIFI_STATUS_PARAMETERS,
  ...SUPPORTED_DATA_MODEL_PARAMETERS,
  ...DIAGNOSTICS_PARAMETERS,
  ...TRACEROUTE_PARAMETERS,
  ...UDP_ECHO_PARAMETERS,
  ...DOWNLOAD_PARAMETERS,
  ...UPLOAD_PARAMETERS,
  ...SERVER_SELECTION_PARAMETERS,
  ...UDP_ECHO_DIAGNOSTICS_PARAMETERS,
  ...XMPP_PARAMETERS,
  ...STB_PARAMETERS,
  ...STB_COMPONENT_PARAMETERS,
  ...SERVICE_MONITORING_PARAMETERS,
  ...SOFTWARE_MODULES_PARAMETERS,
  ...STORAGE_SERVICE_PARAMETERS,
  ...BULK_DATA_PARAMETERS,
  ...VOICE_SERVICE_PARAMETERS,
];
export const BUILT_IN_TABLES: readonly TableDefinition[] = [
  ...MANAGEMENT_POLICY_TABLES,
  ...DEVICE_FILES_TABLES,
  ...DEVICE_STATUS_TABLES,
  ...NETWORK_TABLES,
  ...NETWORK_SERVICES_TABLES,
  ...WIFI_TABLES,
  ...SUPPORTED_DATA_MODEL_TABLES,
  ...DIAGNOSTICS_TABLES,
  ...DOWNLOAD_TABLES,
  ...UPLOAD_TABLES,
  ...XMPP_TABLES,
  ...STB_TABLES,
  ...STB_COMPONENT_TABLES,
  ...SERVICE_MONITORING_TABLES,
  ...SOFTWARE_MODULES_TABLES,
  ...STORAGE_SERVICE_TABLES,
  ...BULK_DATA_TABLES,
  ...VOICE_SERVICE_TABLES,
];

/** The built-in schema; immutable, so one instance serves every agent in the process. */
export const BUILT_IN_SCHEMA = new Schema(BUILT_IN_PARAMETERS, BUILT_IN_TABLES);

/** The built-in definitions for a root object: TR-181 "Device." or TR-098 "InternetGatewayDevice.". */
export function builtInFor(root: string): { parameters: readonly ParameterDefinition[]; tables: readonly TableDefinition[]; schema: Schema } {
  return root === IGD_ROOT
    ? { parameters: IGD_PARAMETERS, tables: IGD_TABLES, schema: IGD_SCHEMA }
    : { parameters: BUILT_IN_PARAMETERS, tables: BUILT_IN_TABLES, schema: BUILT_IN_SCHEMA };
}

/**
 * A built-in schema widened by more definitions (a Broadband Forum model loaded from a file,
 * say): built-in definitions win where both define a path, so their providers still answer.
 */
export function extendBuiltIn(parameters: readonly ParameterDefinition[], tables: readonly TableDefinition[], root = 'Device.'): Schema {
  const base = builtInFor(root);
  const params = new Map(base.parameters.map((p) => [p.name, p]));
  for (const p of parameters) if (!params.has(p.name)) params.set(p.name, p);
  const tabs = new Map(base.tables.map((t) => [t.name, t]));
  for (const t of tables) if (!tabs.has(t.name)) tabs.set(t.name, t);
  return new Schema([...params.values()], [...tabs.values()]);
}
