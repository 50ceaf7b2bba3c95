/**
 * Reads a Broadband Forum data model (DM) XML document, such as tr-181-2-17-0-cwmp-full.xml:
 * its objects (with multi-instance shape) and parameters (access and primitive wire type, named
 * data types resolved to their base). Streaming, with the same hardened reader settings as the
 * protocol: no DOCTYPE, no entities.
 */
import { SaxesParser, type SaxesTag } from 'saxes';
import type { WireType } from '../cwmp/messages.js';
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

export interface BbfObject {
  /** e.g. "Device.XMPP.Connection.{i}." */
  name: string;
  writable: boolean;
  multiInstance: boolean;
  minEntries: number;
  maxEntries: number | 'unbounded';
}

export interface BbfParameter {
  /** Full path with {i} placeholders, e.g. "Device.XMPP.Connection.{i}.Enable". */
  name: string;
  writable: boolean;
  type: WireType;
  list: boolean;
  forcedInform: boolean;
  /** activeNotify attribute, when present (normal, forceEnabled, forceDefaultEnabled, canDeny). */
  activeNotify: string | undefined;
  writeOnce: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  enumeration?: string[];
  default?: string;
}

export interface BbfModel {
  name: string;
  objects: Map<string, BbfObject>;
  parameters: Map<string, BbfParameter>;
}

const PRIMITIVES = new Set<string>(['string', 'int', 'unsignedInt', 'long', 'unsignedLong', 'boolean', 'dateTime', 'base64', 'hexBinary']);

export function loadBbfModel(xml: string): BbfModel {
  const parser = new SaxesParser({ position: false, xmlns: false });
  const model: BbfModel = { name: '', objects: new Map(), parameters: new Map() };
  /** dataType name → base type name (primitive or another data type). */
  const dataTypes = new Map<string, string>();
  const pendingRefs: { param: BbfParameter; ref: string }[] = [];
  const stack: string[] = [];
  let currentObject: BbfObject | undefined;
  let currentParam: BbfParameter | undefined;
  let currentDataType: string | undefined;

  parser.on('doctype', () => {
    throw new Error('DOCTYPE is not allowed');
  });
  parser.on('error', (e) => {
    throw e;
  });
  parser.on('opentag', (tag: SaxesTag) => {
    const a = tag.attributes as Record<string, string>;
    const parent = stack[stack.length - 1];
    stack.push(tag.name);
    switch (tag.name) {
      case 'model':
        model.name = a['name'] ?? '';
        break;
      case 'dataType':
        if (parent !== 'syntax' && a['name']) {
          currentDataType = a['name'];
          if (a['base']) dataTypes.set(a['name'], a['base']);
        } else if (parent === 'syntax' && currentParam && a['ref']) {
          pendingRefs.push({ param: currentParam, ref: a['ref'] });
        }
        break;
      case 'object':
        if (parent === 'model' && a['name']) {
          const name = a['name'];
          currentObject = {
            name,
            writable: a['access'] === 'readWrite',
            multiInstance: name.endsWith('.{i}.'),
            minEntries: Number(a['minEntries'] ?? 1),
            maxEntries: a['maxEntries'] === 'unbounded' ? 'unbounded' : Number(a['maxEntries'] ?? 1),
          };
          model.objects.set(name, currentObject);
        }
        break;
      case 'parameter':
        // A service model's own parameters sit directly under <model> (VoiceServiceNumberOfEntries): kept, at its mount point.
        if (((currentObject && parent === 'object') || parent === 'model') && a['name']) {
          currentParam = {
            name: (parent === 'model' ? '' : currentObject!.name) + a['name'],
            // writeOnceReadOnly (Alias) is writable, once.
            writable: a['access'] === 'readWrite' || a['access'] === 'writeOnceReadOnly',
            type: 'string',
            list: false,
            forcedInform: a['forcedInform'] === 'true',
            activeNotify: a['activeNotify'],
            writeOnce: a['access'] === 'writeOnceReadOnly',
          };
          model.parameters.set(currentParam.name, currentParam);
        }
        break;
      case 'list':
        if (currentParam && parent === 'syntax') currentParam.list = true;
        break;
      case 'size':
        if (currentParam && stack[stack.length - 3] === 'syntax' && a['maxLength']) currentParam.maxLength = Number(a['maxLength']);
        break;
      case 'range':
        if (currentParam && stack[stack.length - 3] === 'syntax') {
          if (a['minInclusive'] !== undefined) currentParam.min = Number(a['minInclusive']);
          if (a['maxInclusive'] !== undefined) currentParam.max = Number(a['maxInclusive']);
        }
        break;
      case 'enumeration':
        if (currentParam && stack[stack.length - 3] === 'syntax' && a['value'] !== undefined) (currentParam.enumeration ??= []).push(a['value']);
        break;
      case 'default':
        if (currentParam && parent === 'syntax' && a['value'] !== undefined) currentParam.default = a['value'];
        break;
      default:
        if (PRIMITIVES.has(tag.name)) {
          if (parent === 'syntax' && currentParam) currentParam.type = tag.name as WireType;
          else if (parent === 'dataType' && currentDataType && !dataTypes.has(currentDataType)) dataTypes.set(currentDataType, tag.name);
        }
    }
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (tag.name === 'object' && stack[stack.length - 1] === 'model') currentObject = undefined;
    else if (tag.name === 'parameter') currentParam = undefined;
    else if (tag.name === 'dataType' && stack[stack.length - 1] !== 'syntax') currentDataType = undefined;
  });
  parser.write(xml).close();

  const resolve = (name: string, depth = 0): WireType => {
    if (PRIMITIVES.has(name)) return name as WireType;
    const base = dataTypes.get(name);
    return base && depth < 16 ? resolve(base, depth + 1) : 'string';
  };
  for (const { param, ref } of pendingRefs) param.type = resolve(ref);
  for (const p of model.parameters.values()) if (p.list) p.type = 'string';
  return model;
}

/** "Device.XMPP.Connection.1.Server.1.Port" → "Device.XMPP.Connection.{i}.Server.{i}.Port". */
export function toSchemaPath(path: string): string {
  return path.replace(/\.\d+(?=\.)/g, '.{i}');
}

export interface SchemaFromBbfOptions {
  /** Prefix for service models whose paths start at the service ("VoiceService.{i}."), e.g. "Device.Services.". */
  mountAt?: string;
  /** Only objects under these paths (as in the file, before mounting); all when absent. */
  include?: readonly string[];
}

/**
 * Definitions for the data model engine from a loaded BBF model: every parameter with its type,
 * access, size, range, enumeration and default, and every multi-instance object as a table.
 * A list-valued parameter keeps its per-item enumeration out (the engine checks whole values).
 */
export function definitionsFromBbf(model: BbfModel, opts: SchemaFromBbfOptions = {}): { parameters: ParameterDefinition[]; tables: TableDefinition[] } {
  const mount = (name: string): string => (opts.mountAt ?? '') + name;
  const included = (name: string): boolean => !opts.include || opts.include.some((p) => name.startsWith(p));
  const tables: TableDefinition[] = [];
  for (const o of model.objects.values()) {
    if (o.multiInstance && included(o.name))
      tables.push({ name: mount(o.name), writable: o.writable, maxEntries: o.maxEntries === 'unbounded' ? undefined : o.maxEntries });
  }
  const parameters: ParameterDefinition[] = [];
  for (const p of model.parameters.values()) {
    if (!included(p.name)) continue;
    const def: ParameterDefinition = { name: mount(p.name), type: p.type, writable: p.writable, default: p.default ?? defaultFor(p.type, p.enumeration) };
    if (p.writeOnce) def.writeOnce = true;
    if (p.maxLength !== undefined) def.maxLength = p.maxLength;
    if (p.min !== undefined) def.min = p.min;
    if (p.max !== undefined) def.max = p.max;
    if (p.enumeration && !p.list) def.enumeration = p.enumeration;
    if (p.forcedInform) def.forcedInform = true;
    if (p.activeNotify === 'forceEnabled' || p.activeNotify === 'forceDefaultEnabled' || p.activeNotify === 'canDeny') def.activeNotify = p.activeNotify;
    if (/NumberOfEntries$/.test(p.name)) {
      const object = p.name.slice(0, p.name.lastIndexOf('.') + 1);
      const table = `${object}${p.name.slice(object.length).replace(/NumberOfEntries$/, '')}.{i}.`;
      if (model.objects.get(table)?.multiInstance) def.countOf = mount(table);
    }
    parameters.push(def);
  }
  return { parameters, tables };
}

function defaultFor(type: WireType, enumeration: string[] | undefined): string {
  if (enumeration && enumeration.length > 0) return enumeration[0]!;
  if (type === 'boolean') return 'false';
  if (type === 'dateTime') return '0001-01-01T00:00:00Z';
  if (type === 'int' || type === 'unsignedInt' || type === 'long' || type === 'unsignedLong') return '0';
  return '';
}
