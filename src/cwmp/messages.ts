/** Typed CWMP messages (TR-069 Annex A). Field names follow the schema, in camelCase. */
import type { CwmpNamespace } from './namespaces.js';

/** An EventStruct of the Inform: the code ("1 BOOT", "M Download", ...) and the CommandKey it carries. */
export interface CwmpEvent {
  code: string;
  commandKey: string;
}

/** XSD types a value may carry as xsi:type (TR-106 types map onto these). */
export type WireType = 'string' | 'int' | 'unsignedInt' | 'long' | 'unsignedLong' | 'boolean' | 'dateTime' | 'base64' | 'hexBinary';

export interface ParameterValue {
  name: string;
  value: string;
  type: WireType;
}

/** A value as the ACS sent it; the xsi:type is optional on the wire. */
export interface ParameterValueInput {
  name: string;
  value: string;
  type?: string;
}

export interface ParameterInfo {
  name: string;
  writable: boolean;
}

export interface ParameterAttribute {
  name: string;
  notification: number;
  accessList: string[];
}

export interface SetParameterAttributesEntry {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  accessList: string[];
}

export interface TimeWindow {
  windowStart: number;
  windowEnd: number;
  windowMode: string;
  userMessage: string;
  maxRetries: number;
}

export interface TransferFault {
  faultCode: number;
  faultString: string;
}

export type DuOperation =
  | { op: 'Install'; url: string; uuid: string; username: string; password: string; executionEnvRef: string }
  | { op: 'Update'; uuid: string; version: string; url: string; username: string; password: string }
  | { op: 'Uninstall'; uuid: string; version: string; executionEnvRef: string };

/* ---------- ACS → CPE requests ---------- */

export type AcsRequest =
  | { method: 'GetRPCMethods' }
  | { method: 'SetParameterValues'; parameterList: ParameterValueInput[]; parameterKey: string }
  | { method: 'GetParameterValues'; parameterNames: string[] }
  | { method: 'GetParameterNames'; parameterPath: string; nextLevel: boolean }
  | { method: 'SetParameterAttributes'; parameterList: SetParameterAttributesEntry[] }
  | { method: 'GetParameterAttributes'; parameterNames: string[] }
  | { method: 'AddObject'; objectName: string; parameterKey: string }
  | { method: 'DeleteObject'; objectName: string; parameterKey: string }
  | { method: 'Reboot'; commandKey: string }
  | {
      method: 'Download';
      commandKey: string;
      fileType: string;
      url: string;
      username: string;
      password: string;
      fileSize: number;
      targetFileName: string;
      delaySeconds: number;
      successURL: string;
      failureURL: string;
    }
  | { method: 'Upload'; commandKey: string; fileType: string; url: string; username: string; password: string; delaySeconds: number }
  | { method: 'FactoryReset' }
  | { method: 'GetQueuedTransfers' }
  | { method: 'GetAllQueuedTransfers' }
  | { method: 'ScheduleInform'; delaySeconds: number; commandKey: string }
  | { method: 'SetVouchers'; voucherList: string[] }
  | { method: 'GetOptions'; optionName: string }
  | {
      method: 'ScheduleDownload';
      commandKey: string;
      fileType: string;
      url: string;
      username: string;
      password: string;
      fileSize: number;
      targetFileName: string;
      timeWindowList: TimeWindow[];
    }
  | { method: 'CancelTransfer'; commandKey: string }
  | { method: 'ChangeDUState'; operations: DuOperation[]; commandKey: string };

export type AcsRequestMethod = AcsRequest['method'];
export type AcsRequestOf<M extends AcsRequestMethod> = Extract<AcsRequest, { method: M }>;

/* ---------- ACS → CPE responses to the CPE's requests ---------- */

export type AcsResponse =
  | { method: 'InformResponse'; maxEnvelopes: number }
  | { method: 'TransferCompleteResponse' }
  | { method: 'AutonomousTransferCompleteResponse' }
  | { method: 'GetRPCMethodsResponse'; methodList: string[] }
  | { method: 'RequestDownloadResponse' }
  | { method: 'KickedResponse'; nextURL: string }
  | { method: 'DUStateChangeCompleteResponse' }
  | { method: 'AutonomousDUStateChangeCompleteResponse' };

/** A SOAP Fault the ACS returns for a CPE request (8000-8006). */
export interface AcsFault {
  method: 'Fault';
  faultCode: number;
  faultString: string;
}

/* ---------- CPE → ACS requests ---------- */

export interface DeviceId {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface InformRequest {
  method: 'Inform';
  deviceId: DeviceId;
  events: CwmpEvent[];
  maxEnvelopes: number;
  currentTime: Date;
  retryCount: number;
  parameterList: ParameterValue[];
}

export interface TransferCompleteRequest {
  method: 'TransferComplete';
  commandKey: string;
  /** The RPC that asked for the transfer, for its M event; not sent on the wire. */
  causedBy?: 'Download' | 'ScheduleDownload' | 'Upload';
  fault: TransferFault;
  startTime: Date | null;
  completeTime: Date | null;
}

export interface AutonomousTransferCompleteRequest {
  method: 'AutonomousTransferComplete';
  announceURL: string;
  transferURL: string;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
  fault: TransferFault;
  startTime: Date | null;
  completeTime: Date | null;
}

export interface RequestDownloadRequest {
  method: 'RequestDownload';
  fileType: string;
  fileTypeArgs: { name: string; value: string }[];
}

/** Kicked (A.4.2.1): a LAN browser was sent to the KickURL; the ACS answers where it goes next. */
export interface KickedRequest {
  method: 'Kicked';
  command: string;
  referer: string;
  arg: string;
  next: string;
}

/** The state a deployment unit is left in by an operation (DeploymentUnitState). */
export type DuResultState = 'Installed' | 'Uninstalled' | 'Failed';

/** One operation's outcome (OpResultStruct), in the order of the ChangeDUState's operations. */
export interface DuOpResult {
  uuid: string;
  /** The DeploymentUnit instance ("Device.SoftwareModules.DeploymentUnit.2"), empty when none. */
  deploymentUnitRef: string;
  version: string;
  currentState: DuResultState;
  resolved: boolean;
  /** Comma-separated ExecutionUnit instance paths. */
  executionUnitRefList: string;
  startTime: Date | null;
  completeTime: Date | null;
  fault: TransferFault;
}

export interface DuStateChangeCompleteRequest {
  method: 'DUStateChangeComplete';
  commandKey: string;
  results: DuOpResult[];
}

export interface AutonomousDuStateChangeCompleteRequest {
  method: 'AutonomousDUStateChangeComplete';
  results: (DuOpResult & { operationPerformed: 'Install' | 'Update' | 'Uninstall' })[];
}

export type CpeRequest =
  | InformRequest
  | TransferCompleteRequest
  | AutonomousTransferCompleteRequest
  | DuStateChangeCompleteRequest
  | AutonomousDuStateChangeCompleteRequest
  | RequestDownloadRequest
  | KickedRequest
  | { method: 'GetRPCMethods' };

/* ---------- CPE → ACS responses ---------- */

export interface QueuedTransfer {
  commandKey: string;
  /** 1 Not yet started, 2 In progress, 3 Completed. */
  state: 1 | 2 | 3;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
}

export type CpeResponse =
  | { method: 'GetRPCMethodsResponse'; methodList: string[] }
  | { method: 'SetParameterValuesResponse'; status: 0 | 1 }
  | { method: 'GetParameterValuesResponse'; parameterList: ParameterValue[] }
  | { method: 'GetParameterNamesResponse'; parameterList: ParameterInfo[] }
  | { method: 'SetParameterAttributesResponse' }
  | { method: 'GetParameterAttributesResponse'; parameterList: ParameterAttribute[] }
  | { method: 'AddObjectResponse'; instanceNumber: number; status: 0 | 1 }
  | { method: 'DeleteObjectResponse'; status: 0 | 1 }
  | { method: 'RebootResponse' }
  | { method: 'DownloadResponse'; status: 0 | 1; startTime: Date | null; completeTime: Date | null }
  | { method: 'UploadResponse'; status: 0 | 1; startTime: Date | null; completeTime: Date | null }
  | { method: 'FactoryResetResponse' }
  | { method: 'GetQueuedTransfersResponse'; transferList: QueuedTransfer[] }
  | { method: 'GetAllQueuedTransfersResponse'; transferList: QueuedTransfer[] }
  | { method: 'ScheduleInformResponse' }
  | { method: 'SetVouchersResponse' }
  | { method: 'GetOptionsResponse'; optionList: [] }
  | { method: 'ScheduleDownloadResponse' }
  | { method: 'CancelTransferResponse' }
  | { method: 'ChangeDUStateResponse' };

/** What the CPE puts in a SOAP body. */
export type CpeMessage = CpeRequest | CpeResponse;

/* ---------- Envelopes ---------- */

export interface EnvelopeHeader {
  id?: string;
  holdRequests?: boolean;
  noMoreRequests?: boolean;
  sessionTimeout?: number;
  supportedCwmpVersions?: string;
  useCwmpVersion?: string;
}

/** What the ACS sent in one HTTP body. `message` is null for an empty body. */
export interface AcsEnvelope {
  namespace: CwmpNamespace | null;
  header: EnvelopeHeader;
  message: { kind: 'request'; request: AcsRequest } | { kind: 'response'; response: AcsResponse } | { kind: 'fault'; fault: AcsFault } | null;
}
