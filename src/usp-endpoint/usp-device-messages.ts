/**
 * The USP messages about the device itself rather than its values: Operate (the commands this
 * agent carries out through the device runtime: Device.Reboot(), Device.FactoryReset()),
 * GetSupportedDM (the supported data model, with those commands and the Boot! event), and the
 * protocol versions it speaks.
 */
import type { DataModel } from '../datamodel/data-model.js';
import type { ParameterDefinition } from '../datamodel/schema.js';
import type { DeviceRuntime } from '../device/device-runtime.js';
import { UspError, UspErrorCode } from '../usp/usp-errors.js';

/** The USP versions this agent answers GetSupportedProtocol with. */
export const SUPPORTED_PROTOCOL_VERSIONS = '1.4';

interface CommandDefinition {
  /** The object it belongs to. */
  object: string;
  name: string;
  input: readonly string[];
  output: readonly string[];
  async: boolean;
  /** Starts it; what it returns is sent, then `after` runs (a reboot goes after the answer). */
  run(device: DeviceRuntime, commandKey: string): { outputs: Record<string, string>; after?: () => void };
}

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
];

export const EVENTS: readonly EventDefinition[] = [{ object: 'Device.', name: 'Boot!', args: ['CommandKey', 'Cause', 'FirmwareUpdated', 'ParameterMap'] }];

export interface CommandRequest {
  command?: string;
  command_key?: string;
  send_resp?: boolean;
  input_args?: Record<string, string>;
}

/** Operate: the command's result to send (when asked for) and what runs after it. */
export function operate(device: DeviceRuntime, req: CommandRequest): { respond: boolean; result: Record<string, unknown>; after?: () => void } {
  const path = req.command ?? '';
  const command = COMMANDS.find((c) => c.object + c.name === path);
  if (!command) throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not a command of this agent`);
  const unknown = Object.keys(req.input_args ?? {}).filter((a) => !command.input.includes(a));
  if (unknown.length > 0) throw new UspError(UspErrorCode.InvalidCommandArguments, `${path} takes no argument ${unknown.join(', ')}`);
  const { outputs, after } = command.run(device, req.command_key ?? '');
  return {
    respond: req.send_resp === true,
    result: { operation_results: [{ executed_command: path, req_output_args: { output_args: outputs } }] },
    ...(after ? { after } : {}),
  };
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
}

/** GetSupportedDM: the supported objects at and below each path (in {i} form), with what was asked of them. */
export function getSupportedDm(model: DataModel, req: SupportedDmRequest): Record<string, unknown> {
  const schema = model.schema;
  const results = (req.obj_paths ?? []).map((requested) => {
    const start = requested.replace(/\.\d+\./g, '.{i}.');
    if (!start.endsWith('.') || !schema.objects.has(start))
      return {
        req_obj_path: requested,
        err_code: UspErrorCode.InvalidPath,
        err_msg: `${requested.slice(0, 64)} is not a supported object`,
        supported_objs: [],
      };
    const depth = start.split('.').length;
    const objects = [...schema.objects.values()].filter(
      (o) => o.name.startsWith(start) && (!req.first_level_only || o.name.split('.').length - depth <= (o.name.endsWith('{i}.') ? 1 : 0) + 1),
    );
    return {
      req_obj_path: requested,
      err_code: 0,
      err_msg: '',
      data_model_inst_uri: 'urn:broadband-forum-org:tr-181-2-16-0-usp',
      supported_objs: objects.map((o) => ({
        supported_obj_path: o.name,
        access: o.table ? (o.table.writable ? 'OBJ_ADD_DELETE' : 'OBJ_READ_ONLY') : 'OBJ_READ_ONLY',
        is_multi_instance: o.table !== undefined,
        supported_params: req.return_params ? o.childParameters.map(paramResult) : [],
        supported_commands: req.return_commands
          ? COMMANDS.filter((c) => c.object === o.name).map((c) => ({
              command_name: c.name,
              input_arg_names: [...c.input],
              output_arg_names: [...c.output],
              command_type: c.async ? 'CMD_ASYNC' : 'CMD_SYNC',
            }))
          : [],
        supported_events: req.return_events ? EVENTS.filter((e) => e.object === o.name).map((e) => ({ event_name: e.name, arg_names: [...e.args] })) : [],
      })),
    };
  });
  return { req_obj_results: results };
}

function paramResult(p: ParameterDefinition): Record<string, unknown> {
  return {
    param_name: p.name.slice(p.name.lastIndexOf('.') + 1),
    access: p.writable ? 'PARAM_READ_WRITE' : 'PARAM_READ_ONLY',
    value_type: VALUE_TYPES[p.type] ?? 'PARAM_UNKNOWN',
    value_change: p.activeNotify === 'canDeny' ? 'VALUE_CHANGE_WILL_IGNORE' : 'VALUE_CHANGE_ALLOWED',
  };
}
