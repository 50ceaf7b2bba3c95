/**
 * Access control (TR-369 "Access Control", TR-181 Device.LocalAgent.ControllerTrust): each
 * Controller acts with the roles in its AssignedRole, or the UntrustedRole when it has none. A
 * role is a list of permissions, each on Targets (paths; "*" for any instance) with an Order: on a
 * path, a role's enabled permission of the highest Order among those whose target covers it
 * decides, and a Controller with several roles has what any of them grants. A permission is four
 * letters, "rwxn" (read, write, execute, notify) with "-" where not granted, for parameters
 * (Param), objects (Obj: adding to a table), instances (InstantiatedObj: reading and deleting
 * them) and commands and events (CommandEvent).
 */
import type { DataModel } from '../datamodel/data-model.js';
import { LocalAgentPaths } from '../models/local-agent.js';
import { instancePattern } from '../usp/usp-path.js';

export type PermissionKind = 'Param' | 'Obj' | 'InstantiatedObj' | 'CommandEvent';
export type Access = 'r' | 'w' | 'x' | 'n';

const LETTER_AT: Record<Access, number> = { r: 0, w: 1, x: 2, n: 3 };

interface Permission {
  order: number;
  targets: readonly RegExp[];
  /** One of its targets is "Device.": it covers every path. */
  everywhere: boolean;
  grants: Record<PermissionKind, string>;
}

/** The roles a new device has: one with every right, and one with none (the untrusted). */
export const FULL_ACCESS_ROLE = 'Full Access';
export const UNTRUSTED_ROLE = 'Untrusted';

/** What one Controller may do, read from the data model when its message arrives. */
export class ControllerPermissions {
  /**
   * It may do everything everywhere: one of its roles has a permission covering every path and
   * all of them grant every right (Full Access), so no path need be looked at.
   */
  readonly unrestricted: boolean;

  private constructor(private readonly roles: readonly (readonly Permission[])[]) {
    this.unrestricted = roles.some(
      (permissions) => permissions.some((p) => p.everywhere) && permissions.every((p) => Object.values(p.grants).every((g) => g === 'rwxn')),
    );
  }

  /**
   * The permissions of the Controller at `controllerPath` ("Device.LocalAgent.Controller.1."),
   * kept per device until its roles or Controllers change (see forgetPermissions): every message
   * and every notification asks.
   */
  static of(model: DataModel, controllerPath: string): ControllerPermissions {
    let known = CACHE.get(model);
    if (!known) CACHE.set(model, (known = new Map()));
    let p = known.get(controllerPath);
    if (!p) known.set(controllerPath, (p = ControllerPermissions.read(model, controllerPath)));
    return p;
  }

  private static read(model: DataModel, controllerPath: string): ControllerPermissions {
    const assigned = model.definitionOf(`${controllerPath}AssignedRole`) ? listOf(model.read(`${controllerPath}AssignedRole`)) : [];
    const untrusted = `${LocalAgentPaths.controllerTrust}UntrustedRole`;
    const refs = assigned.length > 0 ? assigned : model.definitionOf(untrusted) ? listOf(model.read(untrusted)) : [];
    const roles = refs.map((ref) => rolePermissions(model, ref.endsWith('.') ? ref : `${ref}.`)).filter((r) => r !== undefined);
    return new ControllerPermissions(roles);
  }

  /** Whether the Controller may do `access` on `path` as a `kind` (a parameter, an object...). */
  allows(path: string, kind: PermissionKind, access: Access): boolean {
    if (this.unrestricted) return true;
    return this.roles.some((permissions) => {
      let best: Permission | undefined;
      for (const p of permissions) if (p.targets.some((t) => t.test(path)) && (!best || p.order > best.order)) best = p;
      return best?.grants[kind][LETTER_AT[access]] === access;
    });
  }
}

/** Permissions as last read, per device and Controller. */
const CACHE = new WeakMap<DataModel, Map<string, ControllerPermissions>>();

/** Whether a change touches what permissions are made of (roles, a Controller's AssignedRole, Controller rows). */
export function touchesPermissions(names: readonly string[]): boolean {
  return names.some((n) => n.startsWith(LocalAgentPaths.controllerTrust) || n.startsWith(LocalAgentPaths.controller));
}

/** Drops a device's permissions as read: the next message reads them again (after its roles or Controllers changed). */
export function forgetPermissions(model: DataModel): void {
  CACHE.delete(model);
}

/** The enabled permissions of an enabled role; undefined for a role that is not there or off. */
function rolePermissions(model: DataModel, role: string): Permission[] | undefined {
  const table = LocalAgentPaths.role;
  const id = /^Device\.LocalAgent\.ControllerTrust\.Role\.(\d+)\.$/.exec(role)?.[1];
  if (id === undefined || !model.schema.tables.has(`${table}{i}.`) || !model.instanceIds(table).includes(Number(id))) return undefined;
  if (model.read(`${role}Enable`) !== 'true') return undefined;
  return model
    .instanceIds(`${role}Permission.`)
    .map((n) => `${role}Permission.${n}.`)
    .filter((at) => model.read(`${at}Enable`) === 'true')
    .map((at) => {
      const targets = listOf(model.read(`${at}Targets`));
      return {
        order: Number(model.read(`${at}Order`)) || 0,
        targets: targets.map(targetPattern),
        everywhere: targets.includes('Device.'),
        grants: {
          Param: grant(model.read(`${at}Param`)),
          Obj: grant(model.read(`${at}Obj`)),
          InstantiatedObj: grant(model.read(`${at}InstantiatedObj`)),
          CommandEvent: grant(model.read(`${at}CommandEvent`)),
        },
      };
    });
}

/** A permission string as granted: anything but "rwxn" letters in their places grants nothing there. */
function grant(text: string): string {
  return ['r', 'w', 'x', 'n'].map((letter, i) => (text[i] === letter ? letter : '-')).join('');
}

/** A target path: an object path covers what is below it, "*" or "{i}" any instance, a parameter itself. */
function targetPattern(target: string): RegExp {
  return instancePattern(target.replace(/\{i\}/g, '*'));
}

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A device's roles, made once (when it has none): Full Access (every right on Device.) and
 * Untrusted (none), the latter its UntrustedRole. Returns the Full Access role's path.
 */
export function provisionRoles(model: DataModel): string | undefined {
  const table = LocalAgentPaths.role;
  if (!model.schema.tables.has(`${table}{i}.`)) return undefined;
  const existing = model.instanceIds(table).find((n) => model.read(`${table}${n}.Name`) === FULL_ACCESS_ROLE);
  if (existing !== undefined) return `${table}${existing}`;
  const make = (name: string, rights: string): string => {
    const role = `${table}${model.addInstance(table)}.`;
    const permission = `${role}Permission.${model.addInstance(`${role}Permission.`)}.`;
    // Values at their defaults (Order 0, "----") are not written: a fleet holds these rows per device.
    model.provision({
      [`${role}Name`]: name,
      [`${role}Enable`]: 'true',
      [`${permission}Enable`]: 'true',
      [`${permission}Targets`]: 'Device.',
      ...(rights === '----'
        ? {}
        : { [`${permission}Param`]: rights, [`${permission}Obj`]: rights, [`${permission}InstantiatedObj`]: rights, [`${permission}CommandEvent`]: rights }),
    });
    return role.slice(0, -1);
  };
  const full = make(FULL_ACCESS_ROLE, 'rwxn');
  const untrusted = make(UNTRUSTED_ROLE, '----');
  model.provision({ [`${LocalAgentPaths.controllerTrust}UntrustedRole`]: untrusted });
  forgetPermissions(model);
  return full;
}
