/**
 * Reading a Broadband Forum Device Type (DT) document: which objects and parameters of a model a
 * device supports, and with what access. Applied to definitions loaded from the DM files, it
 * keeps only the supported ones and narrows their access as the DT says (a DT may make a
 * standard read-write parameter read-only, or a table fixed-size), never widening it.
 */
import { childNamed, readXml, type XmlElement } from '../cwmp/xml-reader.js';
import type { ParameterDefinition, TableDefinition } from '../datamodel/schema.js';

export interface DeviceTypeObject {
  access: 'readOnly' | 'create' | 'delete' | 'createDelete';
  maxEntries: number | undefined;
  parameters: Map<string, 'readOnly' | 'readWrite'>;
}

export interface DeviceType {
  deviceType: string;
  /** By object path as the DT names it ("Device.WiFi.Radio.{i}."). */
  objects: Map<string, DeviceTypeObject>;
}

const attr = (el: XmlElement, name: string): string | undefined => el.attributes.find((a) => a.local === name)?.value;

export function loadDeviceType(xml: string): DeviceType {
  const root = readXml(xml);
  if (root.local !== 'document' || !root.uri.startsWith('urn:broadband-forum-org:cwmp:devicetype-'))
    throw new Error('not a Device Type document (a devicetype <document> root)');
  const model = childNamed(root, 'model');
  if (!model) throw new Error('the DT document has no <model>');
  const objects = new Map<string, DeviceTypeObject>();
  for (const o of model.children.filter((c) => c.local === 'object')) {
    const ref = attr(o, 'ref');
    if (!ref) continue;
    const access = (attr(o, 'access') ?? 'readOnly') as DeviceTypeObject['access'];
    const max = attr(o, 'maxEntries');
    const parameters = new Map<string, 'readOnly' | 'readWrite'>();
    for (const p of o.children.filter((c) => c.local === 'parameter')) {
      const name = attr(p, 'ref');
      if (name) parameters.set(name, attr(p, 'access') === 'readWrite' ? 'readWrite' : 'readOnly');
    }
    objects.set(ref, { access, maxEntries: max === undefined || max === 'unbounded' ? undefined : Number(max), parameters });
  }
  return { deviceType: attr(root, 'deviceType') ?? '', objects };
}

/** The definitions the DT supports, with the DT's (narrower) access and table bounds. */
export function restrictToDeviceType(
  defs: { parameters: ParameterDefinition[]; tables: TableDefinition[] },
  dt: DeviceType,
): { parameters: ParameterDefinition[]; tables: TableDefinition[] } {
  const parameters: ParameterDefinition[] = [];
  for (const p of defs.parameters) {
    const dot = p.name.lastIndexOf('.');
    const object = dt.objects.get(p.name.slice(0, dot + 1));
    const access = object?.parameters.get(p.name.slice(dot + 1));
    if (!access) continue;
    parameters.push(access === 'readOnly' && p.writable ? { ...p, writable: false } : p);
  }
  const tables: TableDefinition[] = [];
  for (const t of defs.tables) {
    const object = dt.objects.get(t.name);
    if (!object) continue;
    const writable = t.writable && object.access !== 'readOnly';
    const maxEntries = object.maxEntries !== undefined ? Math.min(object.maxEntries, t.maxEntries ?? Infinity) : t.maxEntries;
    tables.push({ ...t, writable, ...(maxEntries !== undefined ? { maxEntries } : {}) });
  }
  return { parameters, tables };
}
