/**
 * The USP 1.4 wire schema (TR-369: the Record and the Msg), written here as protobufjs
 * descriptors: field names as the spec spells them (snake_case), numbers and types as the
 * spec fixes them. A test encodes with this schema and decodes with the Broadband Forum's own
 * .proto files, and the other way round, so the two cannot drift.
 */
import protobuf from 'protobufjs';

type Field = { type: string; id: number; rule?: 'repeated'; keyType?: string };
type Fields = Record<string, Field>;
interface MessageDescriptor {
  fields: Fields;
  oneofs?: Record<string, { oneof: string[] }>;
  nested?: Record<string, MessageDescriptor | EnumDescriptor>;
}
interface EnumDescriptor {
  values: Record<string, number>;
}

const one = (type: string, id: number): Field => ({ type, id });
const many = (type: string, id: number): Field => ({ type, id, rule: 'repeated' });
const stringMap = (id: number): Field => ({ keyType: 'string', type: 'string', id });
const str = (id: number): Field => one('string', id);
const code = (id: number): Field => one('fixed32', id);

/** A message whose fields are `fields`, one of `choices` set at most (a protobuf oneof). */
function withOneof(name: string, fields: Fields, choices: Fields, nested?: MessageDescriptor['nested']): MessageDescriptor {
  return { fields: { ...fields, ...choices }, oneofs: { [name]: { oneof: Object.keys(choices) } }, ...(nested ? { nested } : {}) };
}

const failure = (): MessageDescriptor => ({ fields: { err_code: code(1), err_msg: str(2) } });
const parameterError = (): MessageDescriptor => ({ fields: { param: str(1), err_code: code(2), err_msg: str(3) } });

/** OperationStatus of Add, Delete, Set, Register and Deregister results: a failure or a success. */
function operationStatus(success: Fields, failureFields: Fields = {}): MessageDescriptor {
  return withOneof(
    'oper_status',
    {},
    { oper_failure: one('OperationFailure', 1), oper_success: one('OperationSuccess', 2) },
    { OperationFailure: { fields: { ...failure().fields, ...failureFields } }, OperationSuccess: { fields: success } },
  );
}

const record: Record<string, MessageDescriptor | EnumDescriptor> = {
  Record: withOneof(
    'record_type',
    {
      version: str(1),
      to_id: str(2),
      from_id: str(3),
      payload_security: one('PayloadSecurity', 4),
      mac_signature: one('bytes', 5),
      sender_cert: one('bytes', 6),
    },
    {
      no_session_context: one('NoSessionContextRecord', 7),
      session_context: one('SessionContextRecord', 8),
      websocket_connect: one('WebSocketConnectRecord', 9),
      mqtt_connect: one('MQTTConnectRecord', 10),
      stomp_connect: one('STOMPConnectRecord', 11),
      disconnect: one('DisconnectRecord', 12),
      uds_connect: one('UDSConnectRecord', 13),
    },
    { PayloadSecurity: { values: { PLAINTEXT: 0, TLS12: 1 } } },
  ),
  NoSessionContextRecord: { fields: { payload: one('bytes', 2) } },
  SessionContextRecord: {
    fields: {
      session_id: one('uint64', 1),
      sequence_id: one('uint64', 2),
      expected_id: one('uint64', 3),
      retransmit_id: one('uint64', 4),
      payload_sar_state: one('PayloadSARState', 5),
      payloadrec_sar_state: one('PayloadSARState', 6),
      payload: many('bytes', 7),
    },
    nested: { PayloadSARState: { values: { NONE: 0, BEGIN: 1, INPROCESS: 2, COMPLETE: 3 } } },
  },
  WebSocketConnectRecord: { fields: {} },
  MQTTConnectRecord: {
    fields: { version: one('MQTTVersion', 1), subscribed_topic: str(2) },
    nested: { MQTTVersion: { values: { V3_1_1: 0, V5: 1 } } },
  },
  STOMPConnectRecord: {
    fields: { version: one('STOMPVersion', 1), subscribed_destination: str(2) },
    nested: { STOMPVersion: { values: { V1_2: 0 } } },
  },
  UDSConnectRecord: { fields: {} },
  DisconnectRecord: { fields: { reason: str(1), reason_code: code(2) } },
};

/** Header.MsgType, in the spec's numbering. */
export const MSG_TYPES = {
  ERROR: 0,
  GET: 1,
  GET_RESP: 2,
  NOTIFY: 3,
  SET: 4,
  SET_RESP: 5,
  OPERATE: 6,
  OPERATE_RESP: 7,
  ADD: 8,
  ADD_RESP: 9,
  DELETE: 10,
  DELETE_RESP: 11,
  GET_SUPPORTED_DM: 12,
  GET_SUPPORTED_DM_RESP: 13,
  GET_INSTANCES: 14,
  GET_INSTANCES_RESP: 15,
  NOTIFY_RESP: 16,
  GET_SUPPORTED_PROTO: 17,
  GET_SUPPORTED_PROTO_RESP: 18,
  REGISTER: 19,
  REGISTER_RESP: 20,
  DEREGISTER: 21,
  DEREGISTER_RESP: 22,
} as const;
export type MsgType = keyof typeof MSG_TYPES;

const outputArgs = (): MessageDescriptor => ({ fields: { output_args: stringMap(1) } });

const msg: Record<string, MessageDescriptor | EnumDescriptor> = {
  Msg: { fields: { header: one('Header', 1), body: one('Body', 2) } },
  Header: { fields: { msg_id: str(1), msg_type: one('MsgType', 2) }, nested: { MsgType: { values: { ...MSG_TYPES } } } },
  Body: withOneof('msg_body', {}, { request: one('Request', 1), response: one('Response', 2), error: one('Error', 3) }),
  Request: withOneof(
    'req_type',
    {},
    {
      get: one('Get', 1),
      get_supported_dm: one('GetSupportedDM', 2),
      get_instances: one('GetInstances', 3),
      set: one('Set', 4),
      add: one('Add', 5),
      delete: one('Delete', 6),
      operate: one('Operate', 7),
      notify: one('Notify', 8),
      get_supported_protocol: one('GetSupportedProtocol', 9),
      register: one('Register', 10),
      deregister: one('Deregister', 11),
    },
  ),
  Response: withOneof(
    'resp_type',
    {},
    {
      get_resp: one('GetResp', 1),
      get_supported_dm_resp: one('GetSupportedDMResp', 2),
      get_instances_resp: one('GetInstancesResp', 3),
      set_resp: one('SetResp', 4),
      add_resp: one('AddResp', 5),
      delete_resp: one('DeleteResp', 6),
      operate_resp: one('OperateResp', 7),
      notify_resp: one('NotifyResp', 8),
      get_supported_protocol_resp: one('GetSupportedProtocolResp', 9),
      register_resp: one('RegisterResp', 10),
      deregister_resp: one('DeregisterResp', 11),
    },
  ),
  Error: {
    fields: { err_code: code(1), err_msg: str(2), param_errs: many('ParamError', 3) },
    nested: { ParamError: { fields: { param_path: str(1), err_code: code(2), err_msg: str(3) } } },
  },
  Get: { fields: { param_paths: many('string', 1), max_depth: code(2) } },
  GetResp: {
    fields: { req_path_results: many('RequestedPathResult', 1) },
    nested: {
      RequestedPathResult: { fields: { requested_path: str(1), err_code: code(2), err_msg: str(3), resolved_path_results: many('ResolvedPathResult', 4) } },
      ResolvedPathResult: { fields: { resolved_path: str(1), result_params: stringMap(2) } },
    },
  },
  GetSupportedDM: {
    fields: {
      obj_paths: many('string', 1),
      first_level_only: one('bool', 2),
      return_commands: one('bool', 3),
      return_events: one('bool', 4),
      return_params: one('bool', 5),
      return_unique_key_sets: one('bool', 6),
    },
  },
  GetSupportedDMResp: {
    fields: { req_obj_results: many('RequestedObjectResult', 1) },
    nested: {
      RequestedObjectResult: {
        fields: { req_obj_path: str(1), err_code: code(2), err_msg: str(3), data_model_inst_uri: str(4), supported_objs: many('SupportedObjectResult', 5) },
      },
      SupportedObjectResult: {
        fields: {
          supported_obj_path: str(1),
          access: one('ObjAccessType', 2),
          is_multi_instance: one('bool', 3),
          supported_commands: many('SupportedCommandResult', 4),
          supported_events: many('SupportedEventResult', 5),
          supported_params: many('SupportedParamResult', 6),
          divergent_paths: many('string', 7),
          unique_key_sets: many('SupportedUniqueKeySet', 8),
        },
      },
      SupportedParamResult: {
        fields: { param_name: str(1), access: one('ParamAccessType', 2), value_type: one('ParamValueType', 3), value_change: one('ValueChangeType', 4) },
      },
      SupportedCommandResult: {
        fields: { command_name: str(1), input_arg_names: many('string', 2), output_arg_names: many('string', 3), command_type: one('CmdType', 4) },
      },
      SupportedEventResult: { fields: { event_name: str(1), arg_names: many('string', 2) } },
      SupportedUniqueKeySet: { fields: { key_names: many('string', 1) } },
      ParamAccessType: { values: { PARAM_READ_ONLY: 0, PARAM_READ_WRITE: 1, PARAM_WRITE_ONLY: 2 } },
      ObjAccessType: { values: { OBJ_READ_ONLY: 0, OBJ_ADD_DELETE: 1, OBJ_ADD_ONLY: 2, OBJ_DELETE_ONLY: 3 } },
      ParamValueType: {
        values: {
          PARAM_UNKNOWN: 0,
          PARAM_BASE_64: 1,
          PARAM_BOOLEAN: 2,
          PARAM_DATE_TIME: 3,
          PARAM_DECIMAL: 4,
          PARAM_HEX_BINARY: 5,
          PARAM_INT: 6,
          PARAM_LONG: 7,
          PARAM_STRING: 8,
          PARAM_UNSIGNED_INT: 9,
          PARAM_UNSIGNED_LONG: 10,
        },
      },
      ValueChangeType: { values: { VALUE_CHANGE_UNKNOWN: 0, VALUE_CHANGE_ALLOWED: 1, VALUE_CHANGE_WILL_IGNORE: 2 } },
      CmdType: { values: { CMD_UNKNOWN: 0, CMD_SYNC: 1, CMD_ASYNC: 2 } },
    },
  },
  GetInstances: { fields: { obj_paths: many('string', 1), first_level_only: one('bool', 2) } },
  GetInstancesResp: {
    fields: { req_path_results: many('RequestedPathResult', 1) },
    nested: {
      RequestedPathResult: { fields: { requested_path: str(1), err_code: code(2), err_msg: str(3), curr_insts: many('CurrInstance', 4) } },
      CurrInstance: { fields: { instantiated_obj_path: str(1), unique_keys: stringMap(2) } },
    },
  },
  GetSupportedProtocol: { fields: { controller_supported_protocol_versions: str(1) } },
  GetSupportedProtocolResp: { fields: { agent_supported_protocol_versions: str(1) } },
  Add: {
    fields: { allow_partial: one('bool', 1), create_objs: many('CreateObject', 2) },
    nested: {
      CreateObject: { fields: { obj_path: str(1), param_settings: many('CreateParamSetting', 2) } },
      CreateParamSetting: { fields: { param: str(1), value: str(2), required: one('bool', 3) } },
    },
  },
  AddResp: {
    fields: { created_obj_results: many('CreatedObjectResult', 1) },
    nested: {
      CreatedObjectResult: {
        fields: { requested_path: str(1), oper_status: one('OperationStatus', 2) },
        nested: { OperationStatus: operationStatus({ instantiated_path: str(1), param_errs: many('ParameterError', 2), unique_keys: stringMap(3) }) },
      },
      ParameterError: parameterError(),
    },
  },
  Delete: { fields: { allow_partial: one('bool', 1), obj_paths: many('string', 2) } },
  DeleteResp: {
    fields: { deleted_obj_results: many('DeletedObjectResult', 1) },
    nested: {
      DeletedObjectResult: {
        fields: { requested_path: str(1), oper_status: one('OperationStatus', 2) },
        nested: { OperationStatus: operationStatus({ affected_paths: many('string', 1), unaffected_path_errs: many('UnaffectedPathError', 2) }) },
      },
      UnaffectedPathError: { fields: { unaffected_path: str(1), err_code: code(2), err_msg: str(3) } },
    },
  },
  Set: {
    fields: { allow_partial: one('bool', 1), update_objs: many('UpdateObject', 2) },
    nested: {
      UpdateObject: { fields: { obj_path: str(1), param_settings: many('UpdateParamSetting', 2) } },
      UpdateParamSetting: { fields: { param: str(1), value: str(2), required: one('bool', 3) } },
    },
  },
  SetResp: {
    fields: { updated_obj_results: many('UpdatedObjectResult', 1) },
    nested: {
      UpdatedObjectResult: {
        fields: { requested_path: str(1), oper_status: one('OperationStatus', 2) },
        nested: {
          OperationStatus: operationStatus(
            { updated_inst_results: many('UpdatedInstanceResult', 1) },
            { updated_inst_failures: many('UpdatedInstanceFailure', 3) },
          ),
        },
      },
      UpdatedInstanceFailure: { fields: { affected_path: str(1), param_errs: many('ParameterError', 2) } },
      UpdatedInstanceResult: { fields: { affected_path: str(1), param_errs: many('ParameterError', 2), updated_params: stringMap(3) } },
      ParameterError: parameterError(),
    },
  },
  Operate: { fields: { command: str(1), command_key: str(2), send_resp: one('bool', 3), input_args: stringMap(4) } },
  OperateResp: {
    fields: { operation_results: many('OperationResult', 1) },
    nested: {
      OperationResult: withOneof(
        'operation_resp',
        { executed_command: str(1) },
        { req_obj_path: str(2), req_output_args: one('OutputArgs', 3), cmd_failure: one('CommandFailure', 4) },
        { OutputArgs: outputArgs(), CommandFailure: failure() },
      ),
    },
  },
  Notify: withOneof(
    'notification',
    { subscription_id: str(1), send_resp: one('bool', 2) },
    {
      event: one('Event', 3),
      value_change: one('ValueChange', 4),
      obj_creation: one('ObjectCreation', 5),
      obj_deletion: one('ObjectDeletion', 6),
      oper_complete: one('OperationComplete', 7),
      on_board_req: one('OnBoardRequest', 8),
    },
    {
      Event: { fields: { obj_path: str(1), event_name: str(2), params: stringMap(3) } },
      ValueChange: { fields: { param_path: str(1), param_value: str(2) } },
      ObjectCreation: { fields: { obj_path: str(1), unique_keys: stringMap(2) } },
      ObjectDeletion: { fields: { obj_path: str(1) } },
      OperationComplete: withOneof(
        'operation_resp',
        { obj_path: str(1), command_name: str(2), command_key: str(3) },
        { req_output_args: one('OutputArgs', 4), cmd_failure: one('CommandFailure', 5) },
        { OutputArgs: outputArgs(), CommandFailure: failure() },
      ),
      OnBoardRequest: { fields: { oui: str(1), product_class: str(2), serial_number: str(3), agent_supported_protocol_versions: str(4) } },
    },
  ),
  NotifyResp: { fields: { subscription_id: str(1) } },
  Register: {
    fields: { allow_partial: one('bool', 1), reg_paths: many('RegistrationPath', 2) },
    nested: { RegistrationPath: { fields: { path: str(1) } } },
  },
  RegisterResp: {
    fields: { registered_path_results: many('RegisteredPathResult', 1) },
    nested: {
      RegisteredPathResult: {
        fields: { requested_path: str(1), oper_status: one('OperationStatus', 2) },
        nested: { OperationStatus: operationStatus({ registered_path: str(1) }) },
      },
    },
  },
  Deregister: { fields: { paths: many('string', 1) } },
  DeregisterResp: {
    fields: { deregistered_path_results: many('DeregisteredPathResult', 1) },
    nested: {
      DeregisteredPathResult: {
        fields: { requested_path: str(1), oper_status: one('OperationStatus', 2) },
        nested: { OperationStatus: operationStatus({ deregistered_path: many('string', 1) }) },
      },
    },
  },
};

/** The two packages, as the spec names them (usp_record and usp). */
export const USP_ROOT = protobuf.Root.fromJSON({ nested: { usp_record: { nested: record }, usp: { nested: msg } } } as protobuf.INamespace);

export const USP_RECORD = USP_ROOT.lookupType('usp_record.Record');
export const USP_MSG = USP_ROOT.lookupType('usp.Msg');
