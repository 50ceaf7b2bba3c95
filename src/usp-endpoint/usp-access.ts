/**
 * What a Controller's permissions (usp-permissions.ts) allow of each message: a Set, Add, Delete,
 * Operate or GetInstances that reaches what it may not change or see is refused whole (7006,
 * naming the path); a Get answers with the parameters it may read and leaves the others out.
 */
import type { DataModel } from '../datamodel/data-model.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';
import type { ControllerPermissions, PermissionKind, Access } from './usp-permissions.js';
import { resolveUspPath } from './usp-path-resolution.js';

type Body = Record<string, unknown>;

/** Throws 7006 for the first path of the request the Controller may not act on. */
export function checkPermissions(model: DataModel, permissions: ControllerPermissions, kind: string, body: Body): void {
  // Full Access (the configured Controllers): nothing to resolve or look at.
  if (permissions.unrestricted) return;
  const need = (path: string, as: PermissionKind, access: Access): void => {
    if (!permissions.allows(path, as, access))
      throw new UspError(UspErrorCode.PermissionDenied, `${path.slice(0, 128)}: this Controller's roles do not allow it (${as} ${access})`);
  };
  // Paths that do not resolve are the message's own errors to report: only those that do are checked here.
  const resolved = (path: string): string[] => {
    try {
      return resolveUspPath(model, path).paths;
    } catch {
      return [];
    }
  };
  const objects = (key: string): { obj_path?: string; param_settings?: { param?: string }[] }[] =>
    Array.isArray(body[key]) ? (body[key] as { obj_path?: string; param_settings?: { param?: string }[] }[]) : [];
  const paths = (key: string): string[] => (Array.isArray(body[key]) ? (body[key] as unknown[]).filter((p): p is string => typeof p === 'string') : []);
  switch (kind) {
    case 'set':
      for (const o of objects('update_objs'))
        for (const at of resolved(o.obj_path ?? '')) for (const s of o.param_settings ?? []) need(`${at}${s.param ?? ''}`, 'Param', 'w');
      return;
    case 'add':
      for (const o of objects('create_objs')) for (const table of resolved(o.obj_path ?? '')) need(table, 'Obj', 'w');
      return;
    case 'delete':
      for (const p of paths('obj_paths')) for (const at of resolved(p)) need(at, 'InstantiatedObj', 'w');
      return;
    case 'get_instances':
      for (const p of paths('obj_paths')) for (const at of resolved(p)) need(at, 'InstantiatedObj', 'r');
      return;
    case 'operate': {
      const command = typeof body['command'] === 'string' ? body['command'] : '';
      const object = command.slice(0, command.lastIndexOf('.') + 1);
      for (const at of resolved(object)) need(`${at}${command.slice(object.length)}`, 'CommandEvent', 'x');
      return;
    }
    default:
      // Get is filtered in its answer; GetSupportedDM and GetSupportedProtocol describe the agent, not its data.
      return;
  }
}

/** A GetResp with only the parameters the Controller may read. */
export function readable(result: Record<string, unknown>, permissions: ControllerPermissions): Record<string, unknown> {
  if (permissions.unrestricted) return result;
  const results = result['req_path_results'] as { resolved_path_results?: { resolved_path: string; result_params: Record<string, string> }[] }[] | undefined;
  for (const r of results ?? []) {
    if (!r.resolved_path_results) continue;
    r.resolved_path_results = r.resolved_path_results.filter((o) => {
      const names = Object.keys(o.result_params);
      if (names.length === 0) return permissions.allows(o.resolved_path, 'InstantiatedObj', 'r');
      o.result_params = Object.fromEntries(Object.entries(o.result_params).filter(([name]) => permissions.allows(`${o.resolved_path}${name}`, 'Param', 'r')));
      return Object.keys(o.result_params).length > 0;
    });
  }
  return result;
}
