/**
 * What a USP path stands for on this device: the concrete objects or parameters it names, with
 * "*", search expressions and followed references resolved against the instances that exist now. A path outside the
 * supported data model is 7026; a search that matches nothing is no error (R-GET.1a).
 */
import type { DataModel } from '../datamodel/data-model.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';
import { parseUspPath, satisfies, type Segment } from '../usp/usp-path.js';

export interface ResolvedUspPath {
  /** Concrete paths, objects ending in "." (a table's own path included), parameters without. */
  paths: string[];
  /** It held "*" or a search expression: matching nothing is then no error. */
  searched: boolean;
}

const schemaPathOf = (path: string): string => path.replace(/\.\d+\./g, '.{i}.');

/** References followed within one path, at most: a reference whose value refers back cannot loop. */
const MAX_REFERENCE_DEPTH = 8;

export function resolveUspPath(model: DataModel, path: string, depth = 0): ResolvedUspPath {
  if (depth > MAX_REFERENCE_DEPTH)
    throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)}: references followed more than ${MAX_REFERENCE_DEPTH} deep`);
  const parsed = parseUspPath(path);
  const schema = model.schema;
  let prefixes = ['Device.'];
  let searched = false;
  // The supported path walked so far, until a reference is followed (the object it names decides then).
  let shape: string | undefined = 'Device.';
  const segments = parsed.segments.slice(1);
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment.kind === 'reference') {
      if (shape !== undefined && !schema.parameters.has(`${shape}${segment.name}`))
        throw new UspError(UspErrorCode.InvalidPath, `${shape}${segment.name} is not a parameter of this agent's data model`);
      shape = undefined;
      // A reference that names nothing (empty, or an object gone) leads nowhere, as a search that matches nothing.
      searched = true;
      prefixes = prefixes.flatMap((prefix) => follow(model, prefix, segment, depth));
      return;
    }
    if (shape !== undefined) shape = segment.kind === 'name' ? `${shape}${segment.name}.` : `${shape}{i}.`;
    prefixes = prefixes.flatMap((prefix) => step(model, prefix, segment, last && !parsed.isObject, depth));
    if (segment.kind === 'wildcard' || segment.kind === 'search') searched = true;
  });
  // A path ending in a reference ("Interface+") names the objects it refers to.
  const objects = parsed.isObject || segments.at(-1)?.kind === 'reference';
  if (shape === undefined) {
    // What the references led to must be in the supported data model, each by its own object's definition.
    const known = prefixes.filter((p) =>
      objects ? schema.objects.has(schemaPathOf(p)) || schema.tables.has(`${schemaPathOf(p)}{i}.`) : schema.parameters.has(schemaPathOf(p.slice(0, -1))),
    );
    if (prefixes.length > 0 && known.length === 0) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} leads outside this agent's data model`);
    return { paths: objects ? known : known.map((p) => p.slice(0, -1)), searched };
  }
  // The supported data model decides 7026, whatever the instances.
  const plain = schemaPathOf(path.replace(/\[[^\]]*\]|\*/g, '0'));
  const known = parsed.isObject ? schema.objects.has(plain) || schema.tables.has(`${plain}{i}.`) : schema.parameters.has(plain);
  if (!known) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not in this agent's data model`);
  if (!searched && prefixes.length === 0) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not an instance that exists`);
  return { paths: parsed.isObject ? prefixes : prefixes.map((p) => p.slice(0, -1)), searched };
}

/** The objects (each ending in ".") a reference parameter of the object at `prefix` names: one list item, or all. */
function follow(model: DataModel, prefix: string, segment: Extract<Segment, { kind: 'reference' }>, depth: number): string[] {
  const parameter = prefix + segment.name;
  if (!model.definitionOf(parameter)) return [];
  const items = model
    .read(parameter)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const chosen = segment.item === '*' ? items : items.slice(segment.item - 1, segment.item);
  return chosen.flatMap((item) => {
    // A value may address its object by unique key ([Alias=="x"]): resolved as any path is (R-ARC.11).
    try {
      return resolveUspPath(model, item.endsWith('.') ? item : `${item}.`, depth + 1).paths;
    } catch {
      return [];
    }
  });
}

/** The concrete paths (each ending in ".") one more segment leads to from `prefix`. */
function step(model: DataModel, prefix: string, segment: Exclude<Segment, { kind: 'reference' }>, parameter: boolean, depth: number): string[] {
  const isTable = model.schema.tables.has(`${schemaPathOf(prefix)}{i}.`);
  switch (segment.kind) {
    case 'name':
      // A parameter's path is kept with a trailing dot until the end (stripped by the caller). The
      // instances above it exist (the steps before made sure): whether the model has it is the caller's check.
      if (parameter) return [`${prefix}${segment.name}.`];
      return [`${prefix}${segment.name}.`];
    case 'instance':
      return isTable && model.instanceIds(prefix).includes(segment.id) ? [`${prefix}${segment.id}.`] : [];
    case 'wildcard':
      return isTable ? model.instanceIds(prefix).map((n) => `${prefix}${n}.`) : [];
    case 'search':
      if (!isTable) return [];
      return model
        .instanceIds(prefix)
        .map((n) => `${prefix}${n}.`)
        .filter((instance) => segment.conditions.every((c) => valuesOf(model, instance, c.param, depth).some((v) => satisfies(v, c))));
  }
}

/** The values a condition's parameter has on an instance: one, or (through references) those it leads to. */
function valuesOf(model: DataModel, instance: string, param: string, depth: number): string[] {
  const name = instance + param;
  if (!param.includes('+')) return model.definitionOf(name) !== undefined ? [model.read(name)] : [];
  try {
    return resolveUspPath(model, name, depth + 1).paths.map((p) => model.read(p));
  } catch {
    return [];
  }
}
