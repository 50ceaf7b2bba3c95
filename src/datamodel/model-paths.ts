/**
 * The forms a path takes on the wire, over one device's tree: partial paths (ending in "."),
 * "*" instance wildcards, and CWMP 1.4 alias addressing ("[alias]" segments in requests,
 * answered in InstanceAlias mode by alias), resolved to the concrete parameters they name.
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { ParameterInfo } from '../cwmp/messages.js';
import {
  addInstanceRecord,
  definitionOf,
  instanceIds,
  instancesExist,
  locateObject,
  read,
  readIfDefined,
  walk,
  type ModelCore,
  type Resolved,
} from './model-tree.js';
import { toSchemaPath } from './schema.js';

export interface AddressingOptions {
  /** Parameter whose value "InstanceAlias" makes responses name instances by [alias]. */
  instanceModeParameter?: string;
  /** Parameter whose value "true" lets SetParameterValues create instances named by [alias]. */
  autoCreateParameter?: string;
}

/** Values (or attributes) one answer may hold; more is 9004. The built-in tree has under 2,000. */
export const MAX_VALUES_PER_ANSWER = 50_000;

const ALIAS = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Whether answers name instances by alias (ManagementServer.InstanceMode is InstanceAlias). */
export function aliasMode(c: ModelCore, a: AddressingOptions): boolean {
  const p = a.instanceModeParameter;
  return p !== undefined && readIfDefined(c, p) === 'InstanceAlias';
}

/** Whether SetParameterValues may create instances named by an unknown [alias]. */
export function autoCreates(c: ModelCore, a: AddressingOptions): boolean {
  return a.autoCreateParameter !== undefined && readIfDefined(c, a.autoCreateParameter) === 'true';
}

/**
 * Replaces [alias] segments with instance numbers. An unknown alias is undefined, or, with
 * autoCreate, a new instance of a writable table (not saved: the caller commits or rolls back).
 */
export function aliasToNumbers(c: ModelCore, path: string, autoCreate = false): string | undefined {
  const segments = path.split('.');
  let prefix = '';
  for (let i = 0; i < segments.length; i++) {
    let seg = segments[i]!;
    const m = /^\[(.+)\]$/.exec(seg);
    if (m) {
      const alias = m[1]!;
      const tableSchema = `${toSchemaPath(prefix)}{i}.`;
      const table = c.schema.tables.get(tableSchema);
      if (!table || !c.schema.parameters.has(`${tableSchema}Alias`) || !instancesExist(c, prefix)) return undefined;
      let id = instanceIds(c, prefix).find((n) => read(c, `${prefix}${n}.Alias`) === alias);
      if (id === undefined) {
        if (!autoCreate || !table.writable || !ALIAS.test(alias)) return undefined;
        id = addInstanceRecord(c, prefix, table.maxEntries, alias);
      }
      seg = String(id);
    }
    prefix += seg + (i < segments.length - 1 ? '.' : '');
  }
  return prefix;
}

/** A name in an answer, with [alias] segments in InstanceAlias mode. */
export function present<T extends { name: string }>(c: ModelCore, a: AddressingOptions, item: T): T {
  if (!aliasMode(c, a)) return item;
  const path = item.name;
  const name = path.replace(/\.(\d+)(?=\.|$)/g, (whole, n: string, offset: number) => {
    const table = path.slice(0, offset + 1);
    const aliasPath = `${table}${n}.Alias`;
    return c.schema.parameters.has(toSchemaPath(aliasPath)) ? `.[${read(c, aliasPath)}]` : whole;
  });
  return { ...item, name };
}

/** A write-once parameter (Alias) may be set while it still holds the CPE's own value. */
export function writeOnceOpen(c: ModelCore, path: string): boolean {
  const v = read(c, path);
  return v === '' || v.startsWith('cpe-');
}

/** Alias values: the TR-181 Alias syntax, and unique within their table (this request included). */
export function aliasRefusal(c: ModelCore, path: string, value: string, pending: ReadonlyMap<string, string>): string | undefined {
  const m = /^(.*\.)(\d+)\.Alias$/.exec(path);
  if (!m || !c.schema.tables.has(`${toSchemaPath(m[1]!)}{i}.`)) return undefined;
  if (!ALIAS.test(value) || value.startsWith('cpe-'))
    return 'an Alias starts with a letter, holds letters, digits, "_" or "-", and "cpe-" is the CPE\'s own prefix';
  const table = m[1]!;
  const taken = instanceIds(c, table).some((n) => String(n) !== m[2] && (pending.get(`${table}${n}.Alias`) ?? read(c, `${table}${n}.Alias`)) === value);
  return taken ? `Alias "${value}" is already used in ${table}` : undefined;
}

/** Full paths a path with "*" instance wildcards stands for. */
function expandWildcards(c: ModelCore, path: string): string[] {
  const star = path.indexOf('.*.');
  if (star < 0) return [path];
  const table = path.slice(0, star + 1);
  if (!c.schema.tables.has(`${toSchemaPath(table)}{i}.`) || !instancesExist(c, table)) throw new CwmpFault(9005, path);
  return instanceIds(c, table).flatMap((n) => expandWildcards(c, `${table}${n}${path.slice(star + 2)}`));
}

/** The parameters a full or partial path names; 9005 when it names none. */
export function resolve(c: ModelCore, requested: string): Resolved[] {
  const name = requested.includes('[') ? aliasToNumbers(c, requested) : requested;
  if (name === undefined) throw new CwmpFault(9005, requested);
  if (name.includes('.*.')) return expandWildcards(c, name).flatMap((p) => resolve(c, p));
  if (name === '' || name.endsWith('.')) {
    const start = name === '' ? { shape: c.schema.objects.get(c.schema.root)!, isTableNode: false } : locateObject(c, name);
    const out: Resolved[] = [];
    for (const item of walk(c, start.shape, name === '' ? c.schema.root : name, start.isTableNode, Infinity)) {
      if (item.def) out.push({ path: item.path, def: item.def });
    }
    return out;
  }
  const def = definitionOf(c, name);
  if (!def) throw new CwmpFault(9005, name);
  return [{ path: name, def }];
}

/** The parameters a list of (partial) names covers, each name once, at most `max` of them. */
export function resolveAll(c: ModelCore, names: readonly string[], max: number): Resolved[] {
  const out: Resolved[] = [];
  for (const name of new Set(names)) {
    const found = resolve(c, name);
    if (out.length + found.length > max) throw new CwmpFault(9004, `the answer would hold more than ${max} parameters`);
    for (const r of found) out.push(r);
  }
  return out;
}

/** GetParameterNames' list for a path (numbers, not aliases: the caller presents them). */
export function namesOf(c: ModelCore, path: string, nextLevel: boolean): ParameterInfo[] {
  // TR-069 A.3.2.3: an empty path with NextLevel true names the root object alone (GenieACS's refresh starts so).
  if (path === '' && nextLevel) return [{ name: c.schema.root, writable: false }];
  if (path === '') path = c.schema.root;
  if (!path.endsWith('.')) {
    const def = definitionOf(c, path);
    if (!def) throw new CwmpFault(9005, path);
    if (nextLevel) throw new CwmpFault(9003, 'NextLevel true on a parameter');
    return [{ name: path, writable: def.writable }];
  }
  const start = locateObject(c, path);
  const out: ParameterInfo[] = [];
  for (const item of walk(c, start.shape, path, start.isTableNode, nextLevel ? 1 : Infinity)) {
    if (item.path === path && nextLevel) continue;
    out.push({ name: item.path, writable: item.writable });
  }
  return out;
}
