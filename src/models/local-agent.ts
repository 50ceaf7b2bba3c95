/**
 * TR-181 Device.LocalAgent (USP): the agent's own EndpointID and protocols, the Controllers it
 * trusts with their MTPs, and the Subscriptions Controllers create. Part of a device's schema
 * when it speaks USP (a CWMP-only device has none of it, as TR-181's CWMP flavour has none).
 */
import { Schema, type ParameterDefinition, type TableDefinition } from '../datamodel/schema.js';
import { BUILT_IN_PARAMETERS, BUILT_IN_TABLES } from './built-in.js';
import { readOnly, readWrite } from './define.js';
import { USP_MTP_PARAMETERS, USP_MTP_TABLES } from './usp-mtp.js';

const LA = 'Device.LocalAgent.';
const C = `${LA}Controller.{i}.`;
const CM = `${C}MTP.{i}.`;
const S = `${LA}Subscription.{i}.`;
const R = `${LA}Request.{i}.`;
const CT = `${LA}ControllerTrust.`;
const ROLE = `${CT}Role.{i}.`;
const PERM = `${ROLE}Permission.{i}.`;

export const LocalAgentPaths = {
  root: LA,
  endpointId: `${LA}EndpointID`,
  controller: `${LA}Controller.`,
  subscription: `${LA}Subscription.`,
  request: `${LA}Request.`,
  controllerTrust: CT,
  role: `${CT}Role.`,
} as const;

export const NOTIF_TYPES = ['ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'Event'] as const;

export const LOCAL_AGENT_TABLES: readonly TableDefinition[] = [
  { name: C, writable: true, maxEntries: 16 },
  { name: CM, writable: true, maxEntries: 4 },
  { name: S, writable: true, maxEntries: 256 },
  // The asynchronous commands running now: the agent's own rows.
  { name: R, writable: false, maxEntries: 64 },
  { name: ROLE, writable: true, maxEntries: 16 },
  { name: PERM, writable: true, maxEntries: 32 },
];

export const LOCAL_AGENT_PARAMETERS: readonly ParameterDefinition[] = [
  readOnly(`${LA}EndpointID`, 'string'),
  readOnly(`${LA}SupportedProtocols`, 'string', { list: true, default: 'MQTT' }),
  readOnly(`${LA}ControllerNumberOfEntries`, 'unsignedInt', { countOf: C }),
  readOnly(`${LA}SubscriptionNumberOfEntries`, 'unsignedInt', { countOf: S }),
  readWrite(`${C}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${C}Enable`, 'boolean', 'false'),
  readWrite(`${C}EndpointID`, 'string', '', { maxLength: 256 }),
  readWrite(`${C}PeriodicNotifInterval`, 'unsignedInt', '86400', { min: 1 }),
  readWrite(`${C}PeriodicNotifTime`, 'dateTime', '0001-01-01T00:00:00Z'),
  readWrite(`${C}USPNotifRetryMinimumWaitInterval`, 'unsignedInt', '5', { min: 1, max: 65535 }),
  readWrite(`${C}USPNotifRetryIntervalMultiplier`, 'unsignedInt', '2000', { min: 1000, max: 65535 }),
  // TR-181 2.17 (R-NOT.5): false while the Controller wants an OnBoardRequest; another after the restart time (0: none).
  readWrite(`${C}OnBoardingComplete`, 'boolean', 'true'),
  readWrite(`${C}ProvisioningCode`, 'string', '', { maxLength: 64 }),
  readWrite(`${C}OnBoardingRestartTime`, 'unsignedInt', '0'),
  readOnly(`${C}MTPNumberOfEntries`, 'unsignedInt', { countOf: CM }),
  readWrite(`${CM}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${CM}Enable`, 'boolean', 'false'),
  readWrite(`${CM}Protocol`, 'string', 'MQTT', { enumeration: ['MQTT', 'WebSocket'] }),
  readWrite(`${CM}MQTT.Topic`, 'string', '', { maxLength: 65535 }),
  readWrite(`${S}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${S}Enable`, 'boolean', 'false'),
  // Set by the agent to the Controller that created the subscription.
  readOnly(`${S}Recipient`, 'string'),
  readWrite(`${S}ID`, 'string', '', { maxLength: 64 }),
  readOnly(`${S}CreationDate`, 'dateTime'),
  readWrite(`${S}NotifType`, 'string', '', { enumeration: [...NOTIF_TYPES] }),
  readWrite(`${S}ReferenceList`, 'string', '', { list: true }),
  readWrite(`${S}Persistent`, 'boolean', 'false'),
  readWrite(`${S}TimeToLive`, 'unsignedInt', '0'),
  readWrite(`${S}NotifRetry`, 'boolean', 'false'),
  readWrite(`${S}NotifExpiration`, 'unsignedInt', '0'),
  // TR-181 2.16: what a triggered subscription does: notify, change settings, or both.
  readWrite(`${S}TriggerAction`, 'string', 'Notify', { enumeration: ['Notify', 'Config', 'NotifyAndConfig'] }),
  // "Name=Value" entries applied when it triggers with Config (writable: TP-469 1.93 sets it).
  readWrite(`${S}TriggerConfigSettings`, 'string', '', { list: true, maxLength: 4096 }),
  readOnly(`${LA}RequestNumberOfEntries`, 'unsignedInt', { countOf: R }),
  readOnly(`${R}Originator`, 'string'),
  readOnly(`${R}Command`, 'string'),
  readOnly(`${R}CommandKey`, 'string'),
  readOnly(`${R}Status`, 'string', { enumeration: ['Requested', 'Active', 'Canceling', 'Canceled', 'Success', 'Error'], default: 'Requested' }),
  // ControllerTrust (TR-181, TR-369 "Access Control"): the roles a Controller is given, each a list of
  // permissions on paths. A permission is "rwxn": r(ead), w(rite), x (execute commands), n(otify), "-" where not granted.
  readWrite(`${C}AssignedRole`, 'string', '', { list: true, maxLength: 1024 }),
  readWrite(`${CT}UntrustedRole`, 'string', ''),
  readOnly(`${CT}RoleNumberOfEntries`, 'unsignedInt', { countOf: ROLE }),
  readWrite(`${ROLE}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${ROLE}Enable`, 'boolean', 'false'),
  readWrite(`${ROLE}Name`, 'string', '', { maxLength: 64 }),
  readOnly(`${ROLE}PermissionNumberOfEntries`, 'unsignedInt', { countOf: PERM }),
  readWrite(`${PERM}Alias`, 'string', '', { maxLength: 64, writeOnce: true }),
  readWrite(`${PERM}Enable`, 'boolean', 'false'),
  readWrite(`${PERM}Order`, 'unsignedInt', '0'),
  readWrite(`${PERM}Targets`, 'string', '', { list: true, maxLength: 4096 }),
  readWrite(`${PERM}Param`, 'string', '----', { maxLength: 4 }),
  readWrite(`${PERM}Obj`, 'string', '----', { maxLength: 4 }),
  readWrite(`${PERM}InstantiatedObj`, 'string', '----', { maxLength: 4 }),
  readWrite(`${PERM}CommandEvent`, 'string', '----', { maxLength: 4 }),
];

/** A schema with Device.LocalAgent added (a Device. root: TR-098's InternetGatewayDevice has none). */
export function withLocalAgent(schema: Schema): Schema {
  if (schema.root !== 'Device.') throw new Error(`USP needs the Device. root (TR-181), not ${schema.root}`);
  if (schema.parameters.has(LocalAgentPaths.endpointId)) return schema;
  // The profile's or the extra models' own MQTT definitions, where they have them, win.
  const parameters = new Map(schema.parameters);
  for (const p of [...LOCAL_AGENT_PARAMETERS, ...USP_MTP_PARAMETERS]) if (!parameters.has(p.name)) parameters.set(p.name, p);
  const tables = new Map(schema.tables);
  for (const t of [...LOCAL_AGENT_TABLES, ...USP_MTP_TABLES]) if (!tables.has(t.name)) tables.set(t.name, t);
  return new Schema([...parameters.values()], [...tables.values()]);
}

/** Unique keys TR-181 gives a table besides Alias, where it has more (the rest have Alias alone). */
const UNIQUE_KEYS: Record<string, readonly (readonly string[])[]> = {
  [S]: [['Alias'], ['Recipient', 'ID']],
  [C]: [['Alias'], ['EndpointID']],
  [CM]: [['Alias'], ['Protocol']],
  [R]: [],
};

/** Unique keys that are no function of the row (a Controller's own name for it): set at creation, never changed. */
const IMMUTABLE_KEYS: Record<string, readonly string[]> = { [S]: ['ID'] };

export function immutableKeys(table: string): readonly string[] {
  return IMMUTABLE_KEYS[table] ?? [];
}

/** A table's unique key sets (each a set of parameter names that together name one row). */
export function uniqueKeySets(table: string): readonly (readonly string[])[] {
  return UNIQUE_KEYS[table] ?? [['Alias']];
}

let builtInWithLocalAgent: Schema | undefined;
/** The built-in TR-181 tree with Device.LocalAgent: the schema of a built-in device that speaks USP (made on first use). */
export function builtInUspSchema(): Schema {
  builtInWithLocalAgent ??= new Schema(
    [...BUILT_IN_PARAMETERS, ...LOCAL_AGENT_PARAMETERS, ...USP_MTP_PARAMETERS],
    [...BUILT_IN_TABLES, ...LOCAL_AGENT_TABLES, ...USP_MTP_TABLES],
  );
  return builtInWithLocalAgent;
}
