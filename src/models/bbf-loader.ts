/**
 * Reads a Broadband Forum data model (DM) XML document, such as tr-181-2-17-0-cwmp-full.xml:
 * its objects (with multi-instance shape) and parameters (access and primitive wire type, named
 * data types resolved to their base). Streaming, with the same hardened reader settings as the
 * protocol: no DOCTYPE, no entities.
 */
import { SaxesParser, type SaxesTag } from 'saxes';
import type { WireType } from '../cwmp/messages.js';

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
        if (currentObject && parent === 'object' && a['name']) {
          currentParam = {
            name: currentObject.name + a['name'],
            // writeOnceReadOnly (Alias) is writable, once.
            writable: a['access'] === 'readWrite' || a['access'] === 'writeOnceReadOnly',
            type: 'string',
            list: false,
            forcedInform: a['forcedInform'] === 'true',
            activeNotify: a['activeNotify'],
          };
          model.parameters.set(currentParam.name, currentParam);
        }
        break;
      case 'list':
        if (currentParam && parent === 'syntax') currentParam.list = true;
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
