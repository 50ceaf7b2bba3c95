/**
 * The immutable, shared part of a data model: parameter and object definitions. Paths of
 * multi-instance objects carry "{i}" (e.g. "Device.XMPP.Connection.{i}.Enable"), as in the
 * Broadband Forum definitions; a device's instances live in its DataModel.
 */
import type { ValueConstraints } from './value-types.js';

export interface ParameterDefinition extends ValueConstraints {
  /** Schema path, e.g. "Device.ManagementServer.URL" or "Device.XMPP.Connection.{i}.Enable". */
  name: string;
  writable: boolean;
  /** Of the enumeration, the values the ACS may set (DiagnosticsState: only "Requested"). */
  writableValues?: readonly string[];
  /** writeOnceReadOnly in the BBF model (Alias): the ACS may set it once. */
  writeOnce?: boolean;
  /** Initial value on a new or factory-reset device (and in a new instance). */
  default: string;
  /** Always in every Inform's ParameterList (forcedInform in the BBF model). */
  forcedInform?: boolean;
  /** BBF activeNotify: forceEnabled is always active; forceDefaultEnabled active until changed; canDeny may refuse active. */
  activeNotify?: 'normal' | 'forceEnabled' | 'forceDefaultEnabled' | 'canDeny';
  /** Reads return an empty string (passwords). */
  hidden?: boolean;
  /** A NumberOfEntries parameter: the count of instances of this multi-instance object. */
  countOf?: string;
}

/** A multi-instance object ("table"), e.g. "Device.XMPP.Connection.{i}.". */
export interface TableDefinition {
  name: string;
  /** AddObject and DeleteObject allowed. */
  writable: boolean;
  maxEntries?: number;
}

export interface ObjectShape {
  /** Schema path of the object, ending in "." ("{i}." for a table's instances). */
  name: string;
  table: TableDefinition | undefined;
  childObjects: string[];
  childParameters: ParameterDefinition[];
}

export class Schema {
  readonly parameters: ReadonlyMap<string, ParameterDefinition>;
  /** Every object by schema path, the root first. */
  readonly objects: ReadonlyMap<string, ObjectShape>;
  readonly tables: ReadonlyMap<string, TableDefinition>;
  readonly forcedInform: readonly string[];
  readonly root: string;

  constructor(definitions: readonly ParameterDefinition[], tables: readonly TableDefinition[] = []) {
    const parameters = new Map<string, ParameterDefinition>();
    const objects = new Map<string, ObjectShape>();
    const tableMap = new Map(tables.map((t) => [t.name, t]));
    const ensureObject = (path: string): ObjectShape => {
      let o = objects.get(path);
      if (o) return o;
      o = { name: path, table: tableMap.get(path), childObjects: [], childParameters: [] };
      objects.set(path, o);
      const parent = parentObject(path);
      if (parent !== undefined) ensureObject(parent).childObjects.push(path);
      return o;
    };
    for (const t of tables) {
      if (!t.name.endsWith('.{i}.')) throw new Error(`table ${t.name} must end with ".{i}."`);
      ensureObject(t.name);
    }
    for (const d of definitions) {
      if (parameters.has(d.name)) throw new Error(`parameter ${d.name} defined twice`);
      parameters.set(d.name, d);
      const obj = d.name.slice(0, d.name.lastIndexOf('.') + 1);
      for (const seg of obj.matchAll(/\.\{i\}\./g)) {
        const table = obj.slice(0, (seg.index ?? 0) + 5);
        if (!tableMap.has(table)) throw new Error(`${d.name}: multi-instance object ${table} is not declared`);
      }
      ensureObject(obj).childParameters.push(d);
    }
    this.parameters = parameters;
    this.objects = objects;
    this.tables = tableMap;
    // Forced parameters inside tables are sent for the instances the model picks (TR-098's default connection), not all.
    this.forcedInform = definitions.filter((d) => d.forcedInform && !d.name.includes('{i}')).map((d) => d.name);
    this.root = [...objects.keys()].find((k) => parentObject(k) === undefined) ?? 'Device.';
  }
}

/** The object a schema object path sits in: "Device.A.{i}." → "Device.", "Device.A." → "Device.". */
export function parentObject(path: string): string | undefined {
  const trimmed = path.endsWith('.{i}.') ? path.slice(0, -5) : path.slice(0, -1);
  const dot = trimmed.lastIndexOf('.');
  return dot < 0 ? undefined : trimmed.slice(0, dot + 1);
}

/** Schema paths of concrete paths seen lately: every device of a fleet reads the same few hundred. */
const schemaPaths = new Map<string, string>();
const MOST_SCHEMA_PATHS = 4096;

/** "Device.XMPP.Connection.1.Server.2.Port" → "Device.XMPP.Connection.{i}.Server.{i}.Port". */
export function toSchemaPath(path: string): string {
  let schemaPath = schemaPaths.get(path);
  if (schemaPath === undefined) {
    // A map lookup costs a fifth of the replace, which a 100,000-device boot storm ran 60 times a device.
    schemaPath = path.replace(/\.\d+(?=\.|$)/g, '.{i}');
    // A parameter name is at most 256 characters (string(256) in the RPCs): longer ones are not
    // kept. Kept as copies: a path cut from an ACS's message can be a slice that holds its body.
    if (path.length <= 256) {
      if (schemaPaths.size >= MOST_SCHEMA_PATHS) schemaPaths.clear();
      const key = flatCopy(path);
      schemaPaths.set(key, schemaPath === path ? key : flatCopy(schemaPath));
    }
  }
  return schemaPath;
}

function flatCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
