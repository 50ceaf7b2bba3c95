/**
 * What a USP path stands for on this device: the concrete objects or parameters it names, with
 * "*" and search expressions resolved against the instances that exist now. A path outside the
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

export function resolveUspPath(model: DataModel, path: string): ResolvedUspPath {
  const parsed = parseUspPath(path);
  const schema = model.schema;
  let prefixes = ['Device.'];
  let searched = false;
  const segments = parsed.segments.slice(1);
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    prefixes = prefixes.flatMap((prefix) => step(model, prefix, segment, last && !parsed.isObject));
    if (segment.kind === 'wildcard' || segment.kind === 'search') searched = true;
  });
  // The supported data model decides 7026, whatever the instances.
  const shape = schemaPathOf(path.replace(/\[[^\]]*\]|\*/g, '0'));
  const known = parsed.isObject ? schema.objects.has(shape) || schema.tables.has(`${shape}{i}.`) : schema.parameters.has(shape);
  if (!known) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not in this agent's data model`);
  if (!searched && prefixes.length === 0) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not an instance that exists`);
  return { paths: parsed.isObject ? prefixes : prefixes.map((p) => p.slice(0, -1)), searched };
}

/** The concrete paths (each ending in ".") one more segment leads to from `prefix`. */
function step(model: DataModel, prefix: string, segment: Segment, parameter: boolean): string[] {
  const isTable = model.schema.tables.has(`${schemaPathOf(prefix)}{i}.`);
  switch (segment.kind) {
    case 'name':
      // A parameter's path is kept with a trailing dot until the end (stripped by the caller).
      if (parameter) return model.definitionOf(prefix + segment.name) ? [`${prefix}${segment.name}.`] : [];
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
        .filter((instance) =>
          segment.conditions.every((c) => {
            const name = instance + c.param;
            return model.definitionOf(name) !== undefined && satisfies(model.read(name), c);
          }),
        );
  }
}
