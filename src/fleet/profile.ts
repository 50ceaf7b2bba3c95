/**
 * Device profiles: what a fleet's devices look like. A profile is a snapshot of a real device's
 * parameters (JSON, or CSV as a GetParameterValues dump exports it) plus identity defaults.
 * Parameters the built-in model knows become shared initial values; the others become schema
 * definitions (type and access from the snapshot) with their instances owned by one provider
 * that every device of the profile shares. Per device, only what the ACS changes is stored.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WireType } from '../cwmp/messages.js';
import type { Provider } from '../datamodel/provider.js';
import { toSchemaPath, type ParameterDefinition, type Schema, type TableDefinition } from '../datamodel/schema.js';
import { builtInFor, extendBuiltIn } from '../models/built-in.js';
import { IGD_ROOT } from '../models/igd.js';
import { deviceInfoPaths } from '../models/device-core.js';
import { DEFAULT_TEMPLATE, type IdentityTemplate } from './identity-template.js';

export interface SnapshotParameter {
  name: string;
  value: string;
  type?: string;
  writable?: boolean;
}

export interface Profile {
  name: string;
  description: string;
  identity: IdentityTemplate;
  periodicInformInterval: number | undefined;
  schema: Schema;
  /** Shared initial values (null prototype: used as the prototype of each device's own). */
  values: Readonly<Record<string, string>>;
  /** Owns the instances of the read-only tables in the snapshot; shared by every device. */
  provider: Provider | undefined;
  /**
   * Instances of writable built-in tables in the snapshot (DNS servers, users): each device
   * creates them at its first boot, so that the ACS can add and delete beside them.
   */
  perDeviceInstances: { tablePath: string; id: number }[];
  /** Snapshot entries that could not be used, with why. */
  skipped: { name: string; reason: string }[];
}

const WIRE_TYPES: readonly WireType[] = ['string', 'int', 'unsignedInt', 'long', 'unsignedLong', 'boolean', 'dateTime', 'base64', 'hexBinary'];

function wireType(raw: string | undefined): WireType {
  const t = (raw ?? 'string').replace(/^xsd?:/, '');
  return (WIRE_TYPES as readonly string[]).includes(t) ? (t as WireType) : 'string';
}

/**
 * RFC 4180 CSV (csv-parse): quoted fields, doubled quotes, commas and newlines inside quotes; rows
 * of unequal length and blank rows allowed (a GetParameterValues dump is not always tidy).
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as string[][];
  } catch (err) {
    throw new Error(`not CSV: ${(err as Error).message}`);
  }
}

/**
 * A CSV snapshot: a header with name and value columns (type and writable optional), or the
 * data model CSV genieacs-sim uses (Parameter, Object, Writable, Value, Value type, ...), whose
 * object rows are skipped.
 */
export function snapshotFromCsv(text: string): SnapshotParameter[] {
  const [header, ...rows] = parseCsv(text);
  const cols = (header ?? []).map((h) => h.trim().toLowerCase());
  const at = (...names: string[]): number => cols.findIndex((c) => names.includes(c));
  const [name, value, type, writable, object] = [at('name', 'parameter'), at('value'), at('type', 'value type'), at('writable'), at('object')];
  if (name < 0 || value < 0) throw new Error('a CSV snapshot needs a header with "name" and "value" columns (or genieacs-sim\'s "Parameter" and "Value")');
  const yes = (v: string | undefined): boolean => /^(1|true|yes|w)$/i.test(v ?? '');
  return rows
    .filter((r) => r.length > 1 && !(object >= 0 && yes(r[object])))
    .map((r) => ({
      name: r[name]!.trim(),
      value: r[value] ?? '',
      type: type >= 0 ? r[type] : undefined,
      writable: writable >= 0 ? yes(r[writable]) : undefined,
    }));
}

interface ProfileDocument {
  name?: string;
  description?: string;
  identity?: Partial<IdentityTemplate>;
  periodicInformInterval?: number;
  /** A list as GetParameterValues returns it, or a plain name → value map. */
  parameters?: SnapshotParameter[] | Record<string, string>;
  /** A CSV snapshot file beside this one, for the parameters. */
  parametersCsv?: string;
}

/** The snapshot's own DeviceInfo identity (a real device's dump names its maker and model); the profile's identity wins. */
function identityInSnapshot(values: Record<string, string>, root: string): Partial<IdentityTemplate> {
  const DI = deviceInfoPaths(root);
  const fields: [keyof IdentityTemplate, string][] = [
    ['manufacturer', DI.manufacturer],
    ['oui', DI.manufacturerOui],
    ['productClass', DI.productClass],
    ['modelName', DI.modelName],
    ['hardwareVersion', DI.hardwareVersion],
    ['softwareVersion', DI.softwareVersion],
  ];
  return Object.fromEntries(fields.filter(([, path]) => values[path]).map(([key, path]) => [key, values[path]]));
}

/** The root object most of a snapshot's names start with: a TR-098 device's dump is under InternetGatewayDevice. */
function snapshotRoot(snapshot: SnapshotParameter[]): string {
  const igd = snapshot.filter((p) => p.name.startsWith(IGD_ROOT)).length;
  return igd > snapshot.length / 2 ? IGD_ROOT : 'Device.';
}

export function buildProfile(doc: ProfileDocument, snapshot: SnapshotParameter[]): Profile {
  const root = snapshotRoot(snapshot);
  const BUILT_IN_SCHEMA = builtInFor(root).schema;
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const parameters = new Map<string, ParameterDefinition>();
  const tables = new Map<string, TableDefinition>();
  /** Concrete table path → instance numbers, for the tables the profile's provider owns. */
  const instances = new Map<string, Set<number>>();
  const ownedTables = new Set<string>();
  const perDevice = new Map<string, { tablePath: string; id: number }>();
  const skipped: Profile['skipped'] = [];
  for (const p of snapshot) {
    if (!p.name.startsWith(root) || p.name.endsWith('.') || /\.\./.test(p.name) || p.name.length > 256) {
      if (!p.name.endsWith('.')) skipped.push({ name: p.name, reason: `not a parameter path under ${root}` });
      continue;
    }
    const schemaPath = toSchemaPath(p.name);
    const builtIn = BUILT_IN_SCHEMA.parameters.get(schemaPath);
    if (builtIn?.hidden) {
      skipped.push({ name: p.name, reason: 'secret: not taken from a snapshot' });
      continue;
    }
    if (!builtIn && !parameters.has(schemaPath)) {
      parameters.set(schemaPath, { name: schemaPath, type: wireType(p.type), writable: p.writable ?? false, default: '' });
    }
    // Every instance segment the built-in model does not know becomes a table the profile owns.
    const re = /\.(\d+)(?=\.)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(p.name)) !== null) {
      const tablePath = p.name.slice(0, m.index + 1);
      const tableSchema = `${toSchemaPath(tablePath)}{i}.`;
      const id = Number(m[1]);
      const builtInTable = BUILT_IN_SCHEMA.tables.get(tableSchema);
      if (builtInTable?.writable) {
        perDevice.set(`${tablePath}${id}.`, { tablePath, id });
        continue;
      }
      if (!builtInTable && !tables.has(tableSchema)) tables.set(tableSchema, { name: tableSchema, writable: false });
      ownedTables.add(tableSchema);
      const set = instances.get(tablePath) ?? new Set<number>();
      set.add(id);
      instances.set(tablePath, set);
    }
    values[p.name] = p.value;
  }
  // NumberOfEntries of an added table counts its instances.
  for (const def of parameters.values()) {
    const m = /^(.*\.)([A-Za-z0-9_]+)NumberOfEntries$/.exec(def.name);
    const table = m ? `${m[1]}${m[2]}.{i}.` : undefined;
    if (table && tables.has(table)) {
      def.countOf = table;
      def.type = 'unsignedInt';
      def.writable = false;
    }
  }
  const owned = new Map([...instances].map(([k, v]) => [k, [...v].sort((a, b) => a - b)]));
  const roots = [...new Set([...ownedTables].map((t) => t.slice(0, t.indexOf('.', root.length) + 1)))];
  const provider: Provider | undefined =
    owned.size > 0
      ? {
          objects: roots,
          instances: (tablePath) => (ownedTables.has(`${toSchemaPath(tablePath)}{i}.`) ? (owned.get(tablePath) ?? []) : undefined),
          get: () => undefined,
        }
      : undefined;
  return {
    name: doc.name ?? 'custom',
    description: doc.description ?? '',
    identity: { ...DEFAULT_TEMPLATE, ...identityInSnapshot(values, root), ...doc.identity },
    periodicInformInterval: doc.periodicInformInterval,
    schema: parameters.size > 0 || tables.size > 0 ? extendBuiltIn([...parameters.values()], [...tables.values()], root) : BUILT_IN_SCHEMA,
    values,
    provider,
    // Outer tables first, so that nested instances find their parents.
    perDeviceInstances: [...perDevice.values()].sort((a, b) => a.tablePath.split('.').length - b.tablePath.split('.').length || a.id - b.id),
    skipped,
  };
}

/** The profiles shipped in profiles/ (by name), or a JSON or CSV file. */
export function loadProfile(nameOrFile: string): Profile {
  const shipped = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../profiles', `${nameOrFile}.json`);
  const file = /^[a-z0-9-]+$/.test(nameOrFile) && fs.existsSync(shipped) ? shipped : nameOrFile;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read profile ${nameOrFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)} (shipped profiles: stb, gateway)`);
  }
  if (file.endsWith('.csv')) return buildProfile({ name: path.basename(file, '.csv') }, snapshotFromCsv(text));
  let doc: ProfileDocument;
  try {
    doc = JSON.parse(text) as ProfileDocument;
  } catch (err) {
    throw new Error(`profile ${file} is not valid JSON: ${(err as Error).message}`);
  }
  let snapshot: SnapshotParameter[] = [];
  if (Array.isArray(doc.parameters)) snapshot = doc.parameters;
  else if (doc.parameters) snapshot = Object.entries(doc.parameters).map(([name, value]) => ({ name, value }));
  if (doc.parametersCsv) snapshot = [...snapshot, ...snapshotFromCsv(fs.readFileSync(path.resolve(path.dirname(file), doc.parametersCsv), 'utf8'))];
  return buildProfile(doc, snapshot);
}
