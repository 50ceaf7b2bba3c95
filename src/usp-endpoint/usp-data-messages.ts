/**
 * The USP messages that read and change the data model: Get, Set, Add, Delete, GetInstances,
 * each answered with the spec's per-path results and error codes. They run over the device's
 * shared DataModel, whose faults (TR-069's codes) become USP's (usp-errors.ts).
 */
import { CwmpFault } from '../cwmp/faults.js';
import type { DataModel } from '../datamodel/data-model.js';
import { UspError, UspErrorCode, uspCodeOfCwmpFault } from '../usp/usp-errors.js';
import type { StringMap } from '../usp/usp-codec.js';
import { immutableKeys, uniqueKeySets } from '../models/local-agent.js';
import { resolveUspPath } from './usp-path-resolution.js';

/** Where the ParameterKey lives: USP changes leave it as it is (it is CWMP's). */
export interface DataMessageContext {
  model: DataModel;
  parameterKeyName: string;
}

/** Parameters one Get may return, at most (as a GetParameterValues is bounded). */
export const MAX_GET_VALUES = 50_000;
/** Parameter settings one Set (over every object it resolves to) or Add may carry, at most. */
export const MAX_SETTINGS = 10_000;

interface CodeAndMessage {
  code: number;
  message: string;
}

function asUspFailure(err: unknown): CodeAndMessage {
  if (err instanceof UspError) return { code: err.code, message: err.message };
  if (err instanceof CwmpFault) return { code: uspCodeOfCwmpFault(err.faultCode), message: err.faultString || err.message };
  return { code: UspErrorCode.InternalError, message: 'internal error' };
}

/** Concrete object instances an object path stands for ("*" and searches resolved); 7026 where it names nothing. */
export function objectInstances(model: DataModel, objPath: string): string[] {
  if (!objPath.endsWith('.')) throw new UspError(UspErrorCode.InvalidPath, `${objPath.slice(0, 64)} is not an object path`);
  return resolveUspPath(model, objPath).paths;
}

function schemaPathOf(path: string): string {
  return path.replace(/\.\d+\./g, '.{i}.');
}

/* ---------- Get ---------- */

export interface GetRequest {
  param_paths?: string[];
  max_depth?: number;
}

/** Get: one result per requested path; each object instance with its own parameters, to max_depth levels. */
export function get(ctx: DataMessageContext, req: GetRequest): Record<string, unknown> {
  let budget = MAX_GET_VALUES;
  const results = (req.param_paths ?? []).map((requested) => {
    try {
      const { paths } = resolveUspPath(ctx.model, requested);
      const values = paths.length > 0 ? ctx.model.getParameterValues(paths, budget) : [];
      budget -= values.length;
      // Depth counts from the object asked for, instances (numbers, "*", searches) being part of their table's level.
      const plain = requested.replace(/\[[^\]]*\]|\*/g, '0');
      const baseDepth = objectDepth(requested.endsWith('.') ? plain : plain.slice(0, plain.lastIndexOf('.') + 1));
      const byObject = new Map<string, StringMap>();
      for (const v of values) {
        const object = v.name.slice(0, v.name.lastIndexOf('.') + 1);
        // max_depth 1: the object's own parameters; 2: and its children's; 0: everything.
        if (requested.endsWith('.') && req.max_depth && objectDepth(object) - baseDepth >= req.max_depth) continue;
        const params = byObject.get(object) ?? {};
        params[v.name.slice(object.length)] = v.value;
        byObject.set(object, params);
      }
      return {
        requested_path: requested,
        err_code: 0,
        err_msg: '',
        resolved_path_results: [...byObject].map(([resolved_path, result_params]) => ({ resolved_path, result_params })),
      };
    } catch (err) {
      const f = asUspFailure(err);
      // A path the model does not have is 7026 in its own result (R-GET.0); resources exceeded fails the message.
      if (f.code === UspErrorCode.ResourcesExceeded) throw new UspError(f.code, f.message);
      return { requested_path: requested, err_code: f.code, err_msg: f.message, resolved_path_results: [] };
    }
  });
  return { req_path_results: results };
}

/** A message that fails whole (allow_partial false): an Error naming the path (or parameter) at fault. */
export class UspMessageFailure extends UspError {
  constructor(
    code: number,
    message: string,
    readonly paramErrs: { param_path: string; err_code: number; err_msg: string }[],
  ) {
    super(code, message);
  }
}

/** How many objects deep a path is; a table's instance is one level with its table ("Controller.1."). */
function objectDepth(path: string): number {
  return path.split('.').filter((segment) => segment !== '' && !/^\d+$/.test(segment)).length;
}

/* ---------- Set ---------- */

interface ParamSetting {
  param?: string;
  value?: string;
  required?: boolean;
}

export interface SetRequest {
  allow_partial?: boolean;
  update_objs?: { obj_path?: string; param_settings?: ParamSetting[] }[];
}

interface SettingFailure {
  path: string;
  param: string;
  code: number;
  message: string;
  required: boolean;
}

/**
 * Applies settings atomically; those that fail and are not required are left out (and reported),
 * one that is required fails the lot. Returns what was set and what was left out.
 */
function applySettings(
  ctx: DataMessageContext,
  settings: { path: string; param: string; value: string; required: boolean }[],
): { failures: SettingFailure[]; applied: typeof settings } {
  let pending = settings;
  const failures: SettingFailure[] = [];
  for (;;) {
    if (pending.length === 0) return { failures, applied: [] };
    try {
      const key = ctx.model.definitionOf(ctx.parameterKeyName) ? ctx.model.read(ctx.parameterKeyName) : '';
      ctx.model.setParameterValues(
        pending.map((s) => ({ name: s.path + s.param, value: s.value })),
        ctx.parameterKeyName,
        key,
        'usp',
      );
      return { failures, applied: pending };
    } catch (err) {
      if (!(err instanceof CwmpFault) || err.parameterFaults.length === 0) {
        const f = asUspFailure(err);
        return {
          failures: [...failures, ...pending.map((s) => ({ path: s.path, param: s.param, code: f.code, message: f.message, required: s.required }))],
          applied: [],
        };
      }
      const failed = new Map(err.parameterFaults.map((p) => [p.parameterName, p]));
      const now = pending.filter((s) => failed.has(s.path + s.param));
      for (const s of now) {
        const p = failed.get(s.path + s.param)!;
        failures.push({ path: s.path, param: s.param, code: uspCodeOfCwmpFault(p.faultCode), message: p.faultString, required: s.required });
      }
      if (now.some((s) => s.required)) return { failures, applied: [] };
      pending = pending.filter((s) => !failed.has(s.path + s.param));
    }
  }
}

/** Set: allow_partial false is all or nothing (an Error 7000 naming every failed parameter); true, per object. */
export function set(ctx: DataMessageContext, req: SetRequest): Record<string, unknown> {
  const objects = (req.update_objs ?? []).map((u) => {
    const requested = u.obj_path ?? '';
    const settings = (u.param_settings ?? []).map((p) => ({ param: p.param ?? '', value: p.value ?? '', required: p.required === true }));
    try {
      return { requested, instances: objectInstances(ctx.model, requested), settings };
    } catch (err) {
      return { requested, failure: asUspFailure(err), instances: [] as string[], settings };
    }
  });
  const total = objects.reduce((n, o) => n + o.instances.length * o.settings.length, 0);
  if (total > MAX_SETTINGS) throw new UspError(UspErrorCode.ResourcesExceeded, `a Set of ${total} parameters; at most ${MAX_SETTINGS} at once`);
  const forAll = (instances: string[], settings: { param: string; value: string; required: boolean }[]) =>
    instances.flatMap((path) => settings.map((s) => ({ path, ...s })));
  // A non-functional unique key (a Subscription's ID) is set at creation and never changed.
  for (const o of objects) {
    for (const path of o.instances) {
      const fixed = immutableKeys(schemaPathOf(path)).find((k) => o.settings.some((s) => s.param === k && s.value !== ctx.model.read(path + k)));
      if (fixed) {
        const failure = { code: UspErrorCode.NotWritable, message: `${fixed} is a unique key: it cannot be changed` };
        if (!req.allow_partial)
          throw new UspMessageFailure(failure.code, `${path}${fixed}: ${failure.message}`, [
            { param_path: path + fixed, err_code: failure.code, err_msg: failure.message },
          ]);
        Object.assign(o, { failure, instances: [] });
      }
    }
  }
  if (!req.allow_partial) {
    const bad = objects.find((o) => o.failure);
    if (bad?.failure)
      throw new UspMessageFailure(bad.failure.code, `${bad.requested}: ${bad.failure.message}`, [
        { param_path: bad.requested, err_code: bad.failure.code, err_msg: bad.failure.message },
      ]);
    const all = objects.flatMap((o) => forAll(o.instances, o.settings));
    const { failures, applied } = applySettings(ctx, all);
    if (failures.some((f) => f.required) || (applied.length === 0 && failures.length > 0)) {
      throw new UspMessageFailure(
        UspErrorCode.MessageFailed,
        'the Set failed: no parameter was changed',
        failures.map((f) => ({ param_path: f.path + f.param, err_code: f.code, err_msg: f.message })),
      );
    }
    return { updated_obj_results: objects.map((o) => successResult(o.requested, o.instances, applied, failures)) };
  }
  return {
    updated_obj_results: objects.map((o) => {
      if (o.failure)
        return {
          requested_path: o.requested,
          oper_status: { oper_failure: { err_code: o.failure.code, err_msg: o.failure.message, updated_inst_failures: [] } },
        };
      const { failures, applied } = applySettings(ctx, forAll(o.instances, o.settings));
      if (failures.some((f) => f.required)) {
        return {
          requested_path: o.requested,
          oper_status: {
            oper_failure: {
              err_code: UspErrorCode.RequiredParameterFailed,
              err_msg: 'a required parameter failed',
              updated_inst_failures: o.instances.map((path) => ({
                affected_path: path,
                param_errs: failures.filter((f) => f.path === path).map((f) => ({ param: f.param, err_code: f.code, err_msg: f.message })),
              })),
            },
          },
        };
      }
      return successResult(o.requested, o.instances, applied, failures);
    }),
  };
}

function successResult(
  requested: string,
  instances: string[],
  applied: { path: string; param: string; value: string }[],
  failures: SettingFailure[],
): Record<string, unknown> {
  return {
    requested_path: requested,
    oper_status: {
      oper_success: {
        updated_inst_results: instances.map((path) => ({
          affected_path: path,
          param_errs: failures.filter((f) => f.path === path).map((f) => ({ param: f.param, err_code: f.code, err_msg: f.message })),
          updated_params: Object.fromEntries(applied.filter((a) => a.path === path).map((a) => [a.param, a.value])),
        })),
      },
    },
  };
}

/* ---------- Add, Delete, GetInstances ---------- */

export interface AddRequest {
  allow_partial?: boolean;
  create_objs?: { obj_path?: string; param_settings?: ParamSetting[] }[];
}

/** An instance's unique keys and their values. */
export function uniqueKeys(model: DataModel, instance: string): StringMap {
  const keys: StringMap = {};
  for (const name of uniqueKeySets(schemaPathOf(instance)).flat()) if (model.definitionOf(instance + name)) keys[name] = model.read(instance + name);
  return keys;
}

/** Add: each object created with its settings; a required setting that fails removes it again. */
export function add(ctx: DataMessageContext, req: AddRequest, created: (instance: string) => void = () => {}): Record<string, unknown> {
  const total = (req.create_objs ?? []).reduce((n, c) => n + 1 + (c.param_settings?.length ?? 0), 0);
  if (total > MAX_SETTINGS) throw new UspError(UspErrorCode.ResourcesExceeded, `an Add of ${total} objects and settings; at most ${MAX_SETTINGS} at once`);
  // Not partial: all or nothing, so what this message created goes again when a later object fails.
  const made: string[] = [];
  const results = (req.create_objs ?? []).map((c) => {
    const requested = c.obj_path ?? '';
    // What the Error of a message that is not partial names: the path, or the required parameter that failed.
    let failedPath = requested;
    let failedCode: number | undefined;
    try {
      if (!requested.endsWith('.')) throw new UspError(UspErrorCode.InvalidPath, `${requested} is not an object path`);
      const shape = schemaPathOf(requested.replace(/\[[^\]]*\]|\*/g, '0'));
      if (!ctx.model.schema.tables.has(`${shape}{i}.`)) {
        const known = ctx.model.schema.objects.has(shape);
        throw new UspError(known ? UspErrorCode.NotATable : UspErrorCode.InvalidPath, `${requested} is not a multi-instance object`);
      }
      const targets = resolveUspPath(ctx.model, requested).paths;
      if (targets.length !== 1)
        throw new UspError(
          targets.length === 0 ? UspErrorCode.ObjectDoesNotExist : UspErrorCode.InvalidArguments,
          `${requested} matches ${targets.length} tables`,
        );
      const table = targets[0]!;
      const key = ctx.model.definitionOf(ctx.parameterKeyName) ? ctx.model.read(ctx.parameterKeyName) : '';
      let id: number;
      try {
        id = ctx.model.addObject(table, ctx.parameterKeyName, key);
      } catch (err) {
        const f = asUspFailure(err);
        throw new UspError(f.code === UspErrorCode.RequestDenied ? UspErrorCode.NotCreatable : f.code, f.message);
      }
      const instance = `${table}${id}.`;
      made.push(instance);
      created(instance);
      // A unique key that cannot be set fails the creation, required or not: the row would have no name.
      const keyNames = new Set(uniqueKeySets(`${schemaPathOf(table)}{i}.`).flat());
      const settings = (c.param_settings ?? []).map((p) => ({
        path: instance,
        param: p.param ?? '',
        value: p.value ?? '',
        required: p.required === true || keyNames.has(p.param ?? ''),
      }));
      const { failures } = applySettings(ctx, settings);
      if (failures.some((f) => f.required)) {
        ctx.model.deleteObject(instance, ctx.parameterKeyName, key);
        made.pop();
        const first = failures.find((f) => f.required)!;
        failedPath = instance + first.param;
        failedCode = first.code === UspErrorCode.InvalidPath ? UspErrorCode.UnsupportedParameter : first.code;
        throw new UspError(UspErrorCode.RequiredParameterFailed, `${first.param}: ${first.message}`);
      }
      return {
        requested_path: requested,
        oper_status: {
          oper_success: {
            instantiated_path: instance,
            param_errs: failures.map((f) => ({ param: f.param, err_code: f.code, err_msg: f.message })),
            unique_keys: uniqueKeys(ctx.model, instance),
          },
        },
      };
    } catch (err) {
      const f = asUspFailure(err);
      if (!req.allow_partial) {
        const key = ctx.model.definitionOf(ctx.parameterKeyName) ? ctx.model.read(ctx.parameterKeyName) : '';
        for (const instance of made.reverse()) ctx.model.deleteObject(instance, ctx.parameterKeyName, key);
        throw new UspMessageFailure(f.code, `${requested}: ${f.message}`, [{ param_path: failedPath, err_code: failedCode ?? f.code, err_msg: f.message }]);
      }
      return { requested_path: requested, oper_status: { oper_failure: { err_code: f.code, err_msg: f.message } } };
    }
  });
  return { created_obj_results: results };
}

export interface DeleteRequest {
  allow_partial?: boolean;
  obj_paths?: string[];
}

/** Delete: each instance the path stands for; a path that resolves to no instance deletes nothing and is no error. */
export function remove(ctx: DataMessageContext, req: DeleteRequest): Record<string, unknown> {
  // Every path is resolved before anything is deleted: a Delete that is not partial fails whole.
  const resolved = (req.obj_paths ?? []).map((requested) => {
    try {
      if (!/\.(\d+|\*|\[[^\]]*\])\.$/.test(requested)) {
        const known = ctx.model.schema.objects.has(schemaPathOf(requested.replace(/\[[^\]]*\]|\*/g, '0')));
        throw new UspError(known ? UspErrorCode.NotATable : UspErrorCode.InvalidPath, `${requested} is not an object instance`);
      }
      try {
        return { requested, instances: objectInstances(ctx.model, requested) };
      } catch (err) {
        // An instance that is not (or no longer) there: nothing to delete, if its table is known.
        if (err instanceof UspError && err.code === UspErrorCode.InvalidPath && ctx.model.schema.tables.has(schemaPathOf(requested)))
          return { requested, instances: [] };
        throw err;
      }
    } catch (err) {
      const f = asUspFailure(err);
      if (!req.allow_partial)
        throw new UspMessageFailure(f.code, `${requested}: ${f.message}`, [{ param_path: requested, err_code: f.code, err_msg: f.message }]);
      return { requested, failure: f, instances: [] as string[] };
    }
  });
  const key = ctx.model.definitionOf(ctx.parameterKeyName) ? ctx.model.read(ctx.parameterKeyName) : '';
  const results = resolved.map(({ requested, instances, failure }) => {
    if (failure) return { requested_path: requested, oper_status: { oper_failure: { err_code: failure.code, err_msg: failure.message } } };
    const affected: string[] = [];
    const unaffected: { unaffected_path: string; err_code: number; err_msg: string }[] = [];
    for (const instance of instances) {
      try {
        ctx.model.deleteObject(instance, ctx.parameterKeyName, key);
        affected.push(instance);
      } catch (err) {
        const f = asUspFailure(err);
        unaffected.push({
          unaffected_path: instance,
          err_code: f.code === UspErrorCode.RequestDenied ? UspErrorCode.DeleteFailure : f.code,
          err_msg: f.message,
        });
      }
    }
    if (!req.allow_partial && unaffected.length > 0)
      throw new UspMessageFailure(
        UspErrorCode.DeleteFailure,
        `${unaffected[0]!.unaffected_path}: ${unaffected[0]!.err_msg}`,
        unaffected.map((u) => ({ param_path: u.unaffected_path, err_code: u.err_code, err_msg: u.err_msg })),
      );
    return { requested_path: requested, oper_status: { oper_success: { affected_paths: affected, unaffected_path_errs: unaffected } } };
  });
  return { deleted_obj_results: results };
}

export interface GetInstancesRequest {
  obj_paths?: string[];
  first_level_only?: boolean;
}

/** GetInstances: the instances of each table the path names (and of the tables below, unless first_level_only). */
export function getInstances(ctx: DataMessageContext, req: GetInstancesRequest): Record<string, unknown> {
  const m = ctx.model;
  const below = (object: string, firstOnly: boolean): { instantiated_obj_path: string; unique_keys: StringMap }[] => {
    const out: { instantiated_obj_path: string; unique_keys: StringMap }[] = [];
    for (const info of m.getParameterNames(object, true)) {
      if (!info.name.endsWith('.')) continue;
      const isTable = m.schema.tables.has(`${schemaPathOf(info.name)}{i}.`);
      if (isTable) {
        for (const id of m.instanceIds(info.name)) {
          const instance = `${info.name}${id}.`;
          out.push({ instantiated_obj_path: instance, unique_keys: uniqueKeys(m, instance) });
          if (!firstOnly) out.push(...below(instance, false));
        }
      } else if (!firstOnly) out.push(...below(info.name, false));
    }
    return out;
  };
  const results = (req.obj_paths ?? []).map((requested) => {
    try {
      const instances = objectInstances(m, requested);
      const curr = instances.flatMap((object) => {
        if (m.schema.tables.has(`${schemaPathOf(object)}{i}.`))
          return m.instanceIds(object).flatMap((id) => {
            const instance = `${object}${id}.`;
            return [{ instantiated_obj_path: instance, unique_keys: uniqueKeys(m, instance) }, ...(req.first_level_only ? [] : below(instance, false))];
          });
        return below(object, req.first_level_only === true);
      });
      return { requested_path: requested, err_code: 0, err_msg: '', curr_insts: curr };
    } catch (err) {
      const f = asUspFailure(err);
      return { requested_path: requested, err_code: f.code, err_msg: f.message, curr_insts: [] };
    }
  });
  return { req_path_results: results };
}
