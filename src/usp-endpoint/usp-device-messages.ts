/**
 * The USP messages about the device itself rather than its values: Operate (the commands this
 * agent carries out through the device runtime: Device.Reboot(), Device.FactoryReset(), firmware
 * Download(), deployment units' InstallDU(), Update() and Uninstall(), the IP diagnostics),
 * GetSupportedDM (the
 * supported data model, with those commands and their events), and the protocol versions it speaks.
 */
import type { DataModel } from '../datamodel/data-model.js';
import type { ParameterDefinition } from '../datamodel/schema.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import { acceptChangeDuState, type DuChangeRecord } from '../cwmp/du-change.js';
import { CwmpFault } from '../cwmp/faults.js';
import type { DuOperation } from '../cwmp/messages.js';
import { MAX_SCHEDULED_TIMERS } from '../device/scheduled-timers.js';
import { uniqueKeySets } from '../models/local-agent.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';
import type { CommandDefinition, CommandHooks } from './usp-command-definition.js';
import { DIAGNOSTIC_COMMANDS } from './usp-diagnostics.js';

export type { CommandHooks } from './usp-command-definition.js';

/** The USP versions this agent answers GetSupportedProtocol with. */
export const SUPPORTED_PROTOCOL_VERSIONS = '1.4';

interface EventDefinition {
  object: string;
  name: string;
  args: readonly string[];
}

/** The commands this agent carries out, by full path. */
export const COMMANDS: readonly CommandDefinition[] = [
  {
    object: 'Device.',
    name: 'Reboot()',
    input: [],
    output: [],
    async: false,
    run: (device, commandKey) => {
      // Saved before the answer goes, so that the reboot (and its key for Boot!) survives a power cut.
      device.requestReboot(commandKey);
      return { outputs: {}, after: () => device.deviceAction('reboot', commandKey) };
    },
  },
  {
    object: 'Device.',
    name: 'FactoryReset()',
    input: [],
    output: [],
    async: false,
    run: (device, commandKey) => {
      device.requestFactoryReset();
      return { outputs: {}, after: () => device.deviceAction('factoryReset', commandKey) };
    },
  },
  {
    // Through the same transfer queue, A/B banks and image checks as a CWMP Download: the image
    // goes to the bank not running, and the device reboots into it; OperationComplete tells the end.
    object: 'Device.DeviceInfo.FirmwareImage.{i}.',
    name: 'Download()',
    input: ['URL', 'AutoActivate', 'Username', 'Password', 'FileSize', 'CheckSumAlgorithm', 'CheckSum'],
    output: [],
    async: true,
    run: (device, commandKey, objectPath, hooks, args) => {
      const url = args['URL'] ?? '';
      if (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > 1024)
        throw new UspError(UspErrorCode.InvalidCommandArguments, 'URL: an http:// or https:// URL is needed');
      const fileSize = Number(args['FileSize'] ?? '0');
      if (!Number.isInteger(fileSize) || fileSize < 0) throw new UspError(UspErrorCode.InvalidCommandArguments, 'FileSize: a whole number of bytes');
      const request = hooks.startRequest(`${objectPath}Download()`, commandKey);
      const now = device.clock.now();
      device.transfers.queue({
        id: device.newId(),
        origin: 'USP',
        commandKey,
        isDownload: true,
        fileType: '1 Firmware Upgrade Image',
        url,
        username: args['Username'] ?? '',
        password: args['Password'] ?? '',
        fileSize,
        targetFileName: '',
        successURL: '',
        failureURL: '',
        acceptedAt: now,
        notBefore: now,
        windows: [],
        phase: 'queued',
        attempts: 0,
        startedAt: null,
      });
      return { outputs: {}, request };
    },
  },
  {
    // Deployment units go through the device's queue as a CWMP ChangeDUState's do: fetched,
    // checked and installed when no endpoint is busy, surviving a power cut; OperationComplete and
    // DUStateChange! tell the end.
    object: 'Device.SoftwareModules.',
    name: 'InstallDU()',
    input: ['URL', 'UUID', 'Username', 'Password', 'ExecutionEnvRef', 'Signature'],
    output: [],
    async: true,
    run: (device, commandKey, objectPath, hooks, args) => {
      refuseSignature(args);
      const [url, uuid, username, password, executionEnvRef] = ['URL', 'UUID', 'Username', 'Password', 'ExecutionEnvRef'].map((k) => args[k] ?? '') as [
        string,
        string,
        string,
        string,
        string,
      ];
      if (!url) throw new UspError(UspErrorCode.InvalidCommandArguments, 'URL: the deployment unit to install is needed');
      return changeDeploymentUnit(device, commandKey, `${objectPath}InstallDU()`, hooks, { op: 'Install', url, uuid, username, password, executionEnvRef });
    },
  },
  {
    object: 'Device.SoftwareModules.DeploymentUnit.{i}.',
    name: 'Update()',
    input: ['URL', 'Username', 'Password', 'Signature'],
    output: [],
    async: true,
    run: (device, commandKey, objectPath, hooks, args) => {
      refuseSignature(args);
      // No URL: the one the unit was installed from (TR-369 Appendix I).
      const op = {
        op: 'Update' as const,
        uuid: device.model.read(`${objectPath}UUID`),
        version: '',
        url: args['URL'] ?? '',
        username: args['Username'] ?? '',
        password: args['Password'] ?? '',
      };
      return changeDeploymentUnit(device, commandKey, `${objectPath}Update()`, hooks, op);
    },
  },
  {
    object: 'Device.SoftwareModules.DeploymentUnit.{i}.',
    name: 'Uninstall()',
    // RetainData is accepted and has no effect: this device keeps no application data volumes.
    input: ['RetainData'],
    output: [],
    async: true,
    run: (device, commandKey, objectPath, hooks) => {
      const op = {
        op: 'Uninstall' as const,
        uuid: device.model.read(`${objectPath}UUID`),
        version: device.model.read(`${objectPath}Version`),
        executionEnvRef: '',
      };
      return changeDeploymentUnit(device, commandKey, `${objectPath}Uninstall()`, hooks, op);
    },
  },
  {
    object: 'Device.LocalAgent.Controller.{i}.',
    name: 'SendOnBoardRequest()',
    input: [],
    output: [],
    async: false,
    run: (_device, _key, objectPath, hooks) => ({ outputs: {}, after: () => hooks.onBoard(objectPath) }),
  },
  {
    // OperationComplete after DelaySeconds; the timer is persisted with the device's state, so it
    // survives a reboot (TR-181), its Request row with it.
    object: 'Device.',
    name: 'ScheduleTimer()',
    input: ['DelaySeconds'],
    output: [],
    async: true,
    run: (device, commandKey, objectPath, hooks, args) => {
      const text = args['DelaySeconds'] ?? '';
      if (!/^\d{1,10}$/.test(text) || Number(text) < 1 || Number(text) > 4_294_967_295)
        throw new UspError(UspErrorCode.InvalidCommandArguments, 'DelaySeconds: a whole number of seconds, at least 1');
      if (device.timers.list().length >= MAX_SCHEDULED_TIMERS)
        throw new UspError(UspErrorCode.ResourcesExceeded, `${MAX_SCHEDULED_TIMERS} timers are already scheduled on this device`);
      const request = hooks.startRequest(`${objectPath}ScheduleTimer()`, commandKey);
      device.timers.schedule({ id: device.newId(), at: device.clock.now() + Number(text) * 1000, commandKey, request });
      return { outputs: {}, request };
    },
  },
  {
    // A running asynchronous command stopped: OperationComplete tells it as canceled (7023).
    object: 'Device.LocalAgent.Request.{i}.',
    name: 'Cancel()',
    input: [],
    output: [],
    async: false,
    run: (_device, _key, objectPath, hooks) => {
      hooks.cancelRequest(objectPath);
      return { outputs: {} };
    },
  },
  ...DIAGNOSTIC_COMMANDS,
];

export const EVENTS: readonly EventDefinition[] = [
  { object: 'Device.', name: 'Boot!', args: ['CommandKey', 'Cause', 'FirmwareUpdated', 'ParameterMap'] },
  {
    object: 'Device.SoftwareModules.',
    name: 'DUStateChange!',
    args: [
      'UUID',
      'DeploymentUnitRef',
      'Version',
      'CurrentState',
      'Resolved',
      'ExecutionUnitRefList',
      'StartTime',
      'CompleteTime',
      'OperationPerformed',
      'Fault.FaultCode',
      'Fault.FaultString',
    ],
  },
  { object: 'Device.LocalAgent.', name: 'Periodic!', args: [] },
];

/** A signed unit is refused rather than installed unchecked: this device cannot verify signatures. */
function refuseSignature(args: Readonly<Record<string, string>>): void {
  if (args['Signature']) throw new UspError(UspErrorCode.InvalidCommandArguments, "Signature: this device cannot verify a deployment unit's signature");
}

/** Queues one deployment-unit operation for a USP command, with the checks a ChangeDUState gets; answers with its Request row. */
function changeDeploymentUnit(
  device: DeviceRuntime,
  commandKey: string,
  command: string,
  hooks: CommandHooks,
  op: DuOperation,
): { outputs: Record<string, string>; request: string } {
  if (!device.duChanges.available) throw new UspError(UspErrorCode.CommandFailure, 'this device has no execution environment for deployment units');
  let change: DuChangeRecord;
  try {
    // The command key is checked as USP's (the Request row's), not as CWMP's 32 characters.
    change = acceptChangeDuState({ method: 'ChangeDUState', operations: [op], commandKey: '' }, device.duChanges.list(), device.clock.now(), () =>
      device.newId(),
    );
  } catch (e) {
    if (!(e instanceof CwmpFault)) throw e;
    throw new UspError(e.faultCode === 9004 ? UspErrorCode.ResourcesExceeded : UspErrorCode.InvalidCommandArguments, e.message);
  }
  const request = hooks.startRequest(command, commandKey);
  device.duChanges.queue({ ...change, origin: 'USP', commandKey });
  return { outputs: {}, request };
}

export interface CommandRequest {
  command?: string;
  command_key?: string;
  send_resp?: boolean;
  input_args?: Record<string, string>;
}

/** Operate: the command's result to send (when asked for) and what runs after it. */
export function operate(
  device: DeviceRuntime,
  req: CommandRequest,
  hooks: CommandHooks,
): { respond: boolean; result: Record<string, unknown>; after?: () => void } {
  const path = req.command ?? '';
  const objectPath = path.slice(0, path.lastIndexOf('.') + 1);
  const name = path.slice(objectPath.length);
  const command = COMMANDS.find((c) => c.name === name && c.object === objectPath.replace(/\.\d+\./g, '.{i}.'));
  if (!command) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not a command of this agent`);
  if (objectPath !== command.object) {
    try {
      device.model.getParameterNames(objectPath, true);
    } catch {
      throw new UspError(UspErrorCode.ObjectDoesNotExist, `${objectPath} does not exist`);
    }
  }
  // Arguments the command does not know are ignored (TP-469 1.91): a newer Controller may send more.
  let ran: ReturnType<CommandDefinition['run']>;
  try {
    ran = command.run(device, req.command_key ?? '', objectPath, hooks, req.input_args ?? {});
  } catch (err) {
    // A command that fails (a mandatory argument missing: 7027) is told in the OperateResp, not as an Error (R-OPR.1, R-OPR.5).
    if (!(err instanceof UspError)) throw err;
    const failure = { executed_command: path, cmd_failure: { err_code: err.code, err_msg: err.message } };
    return { respond: req.send_resp === true, result: { operation_results: [failure] } };
  }
  const { outputs, after, request } = ran;
  // An asynchronous command answers with its Request row; OperationComplete tells its end.
  const result = request ? { executed_command: path, req_obj_path: request } : { executed_command: path, req_output_args: { output_args: outputs } };
  return { respond: req.send_resp === true, result: { operation_results: [result] }, ...(after ? { after } : {}) };
}

const VALUE_TYPES: Record<string, string> = {
  string: 'PARAM_STRING',
  boolean: 'PARAM_BOOLEAN',
  dateTime: 'PARAM_DATE_TIME',
  int: 'PARAM_INT',
  long: 'PARAM_LONG',
  unsignedInt: 'PARAM_UNSIGNED_INT',
  unsignedLong: 'PARAM_UNSIGNED_LONG',
  base64: 'PARAM_BASE_64',
  hexBinary: 'PARAM_HEX_BINARY',
  decimal: 'PARAM_DECIMAL',
};

export interface SupportedDmRequest {
  obj_paths?: string[];
  first_level_only?: boolean;
  return_commands?: boolean;
  return_events?: boolean;
  return_params?: boolean;
  return_unique_key_sets?: boolean;
}

/** GetSupportedDM: the supported objects at and below each path (in {i} form), with what was asked of them. */
export function getSupportedDm(model: DataModel, req: SupportedDmRequest): Record<string, unknown> {
  const schema = model.schema;
  const results = (req.obj_paths ?? []).map((requested) => {
    const failed = {
      req_obj_path: requested,
      err_code: UspErrorCode.InvalidPath,
      err_msg: `${requested.slice(0, 64)} is not in the supported data model`,
      supported_objs: [],
    };
    const plain = requested.replace(/\.\d+(?=\.|$)/g, '.{i}');
    // A command or an event alone: its object, listing that one only.
    if (plain.endsWith('()') || plain.endsWith('!')) {
      const object = plain.slice(0, plain.lastIndexOf('.') + 1);
      const name = plain.slice(object.length);
      const command = COMMANDS.find((c) => c.object === object && c.name === name);
      const event = EVENTS.find((e) => e.object === object && e.name === name);
      if (!command && !event) return failed;
      return {
        req_obj_path: requested,
        err_code: 0,
        err_msg: '',
        data_model_inst_uri: 'urn:broadband-forum-org:tr-181-2-16-0-usp',
        supported_objs: [
          {
            supported_obj_path: object,
            access: 'OBJ_READ_ONLY',
            is_multi_instance: object.endsWith('{i}.'),
            supported_params: [],
            supported_commands: command
              ? [
                  {
                    command_name: command.name,
                    input_arg_names: [...command.input],
                    output_arg_names: [...command.output],
                    command_type: command.async ? 'CMD_ASYNC' : 'CMD_SYNC',
                  },
                ]
              : [],
            supported_events: event ? [{ event_name: event.name, arg_names: [...event.args] }] : [],
            unique_key_sets: [],
          },
        ],
      };
    }
    // A parameter alone (or the table it names without its "{i}."), else an object, a table's path naming its rows.
    const parameter = !plain.endsWith('.') ? schema.parameters.get(plain) : undefined;
    const objectPath = parameter ? plain.slice(0, plain.lastIndexOf('.') + 1) : plain.endsWith('.') ? plain : `${plain}.`;
    const start = schema.objects.has(objectPath) ? objectPath : schema.objects.has(`${objectPath}{i}.`) ? `${objectPath}{i}.` : undefined;
    if (!start) return failed;
    const depth = objectDepth(start);
    const objects = parameter
      ? [schema.objects.get(start)!]
      : [...schema.objects.values()].filter((o) => o.name.startsWith(start) && (!req.first_level_only || objectDepth(o.name) - depth <= 1));
    return {
      req_obj_path: requested,
      err_code: 0,
      err_msg: '',
      data_model_inst_uri: 'urn:broadband-forum-org:tr-181-2-16-0-usp',
      supported_objs: objects.map((o) => {
        // first_level_only: the children are listed, what they hold is not; a parameter: that parameter alone.
        const full = o.name === start || !req.first_level_only;
        const params = parameter ? [parameter] : o.childParameters;
        return {
          supported_obj_path: o.name,
          access: o.table ? (o.table.writable ? 'OBJ_ADD_DELETE' : 'OBJ_READ_ONLY') : 'OBJ_READ_ONLY',
          is_multi_instance: o.table !== undefined,
          supported_params: full && (req.return_params || parameter) ? params.map(paramResult) : [],
          supported_commands:
            full && req.return_commands && !parameter
              ? COMMANDS.filter((c) => c.object === o.name).map((c) => ({
                  command_name: c.name,
                  input_arg_names: [...c.input],
                  output_arg_names: [...c.output],
                  command_type: c.async ? 'CMD_ASYNC' : 'CMD_SYNC',
                }))
              : [],
          supported_events:
            full && req.return_events && !parameter
              ? EVENTS.filter((e) => e.object === o.name).map((e) => ({ event_name: e.name, arg_names: [...e.args] }))
              : [],
          unique_key_sets: full && req.return_unique_key_sets && o.table && !parameter ? uniqueKeySets(o.name).map((keys) => ({ key_names: [...keys] })) : [],
        };
      }),
    };
  });
  return { req_obj_results: results };
}

/** How many objects deep a supported path is ("{i}" being part of its table's level). */
function objectDepth(path: string): number {
  return path.split('.').filter((s) => s !== '' && s !== '{i}').length;
}

function paramResult(p: ParameterDefinition): Record<string, unknown> {
  return {
    param_name: p.name.slice(p.name.lastIndexOf('.') + 1),
    access: p.writable ? 'PARAM_READ_WRITE' : 'PARAM_READ_ONLY',
    value_type: VALUE_TYPES[p.type] ?? 'PARAM_UNKNOWN',
    value_change: p.activeNotify === 'canDeny' ? 'VALUE_CHANGE_WILL_IGNORE' : 'VALUE_CHANGE_ALLOWED',
  };
}
