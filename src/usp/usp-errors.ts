/**
 * USP error codes (TR-369, "Error Codes"): the ones this agent answers with, by name, and the
 * error it carries between the data model and a message's answer.
 */
export const UspErrorCode = {
  MessageFailed: 7000,
  MessageNotSupported: 7001,
  RequestDenied: 7002,
  InternalError: 7003,
  InvalidArguments: 7004,
  ResourcesExceeded: 7005,
  PermissionDenied: 7006,
  InvalidConfiguration: 7007,
  InvalidPathSyntax: 7008,
  ParameterActionFailed: 7009,
  UnsupportedParameter: 7010,
  InvalidType: 7011,
  InvalidValue: 7012,
  NotWritable: 7013,
  ValueConflict: 7014,
  OperationError: 7015,
  ObjectDoesNotExist: 7016,
  ObjectNotCreated: 7017,
  NotATable: 7018,
  NotCreatable: 7019,
  ObjectNotUpdated: 7020,
  RequiredParameterFailed: 7021,
  CommandFailure: 7022,
  CommandCanceled: 7023,
  DeleteFailure: 7024,
  DuplicateKey: 7025,
  InvalidPath: 7026,
  InvalidCommandArguments: 7027,
} as const;

export class UspError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A CWMP fault from the shared data model in USP's words: the data model speaks TR-069's codes
 * (its first protocol), and each has one USP meaning.
 */
export function uspCodeOfCwmpFault(faultCode: number): number {
  switch (faultCode) {
    case 9005:
      return UspErrorCode.InvalidPath;
    case 9006:
      return UspErrorCode.InvalidType;
    case 9007:
      return UspErrorCode.InvalidValue;
    case 9008:
      return UspErrorCode.NotWritable;
    case 9004:
      return UspErrorCode.ResourcesExceeded;
    case 9001:
      return UspErrorCode.RequestDenied;
    case 9003:
      return UspErrorCode.InvalidArguments;
    default:
      return UspErrorCode.InternalError;
  }
}

/**
 * A deployment-unit operation's CWMP fault (the device's software modules speak TR-069's codes)
 * as TR-181's DUStateChange! Fault.FaultCode and the OperationComplete of its command give it:
 * 7223-7229 are CWMP's 9023-9029 with the same meaning; a version already installed is a
 * duplicate unit (7226); what has no code of its own is Request Denied (7002), its text kept.
 */
export function uspCodeOfDuFault(faultCode: number): number {
  if (faultCode === 0) return 0;
  if (faultCode >= 9023 && faultCode <= 9029) return faultCode - 1800;
  switch (faultCode) {
    case 9032:
      return 7226;
    case 9003:
    case 9022:
      return UspErrorCode.InvalidArguments;
    default:
      return UspErrorCode.RequestDenied;
  }
}
