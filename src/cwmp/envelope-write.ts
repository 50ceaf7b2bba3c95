/** Serialises what the CPE sends (TR-069 Annex A) into SOAP 1.1 envelopes. String building only. */
import { faultCodeFor, type FaultUse } from './fault-codes-by-version.js';
import type { CwmpFault } from './faults.js';
import { CWMP_NS_1_2, SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS, type CwmpNamespace } from './namespaces.js';
import { escapeXml as esc, formatDateTime } from './xml-text.js';
import type { CpeMessage, DuOpResult, ParameterValue, QueuedTransfer, TransferFault } from './messages.js';

export interface EnvelopeOptions {
  namespace: CwmpNamespace;
  /** cwmp:ID: echoed for responses, generated for the CPE's own requests. */
  id?: string;
  /** Sent with the Inform of a CWMP 1.4 CPE (only the cwmp-1-2 namespace defines it). */
  supportedCwmpVersions?: string;
  /** How a quirky device writes values (a test harness makes one on purpose); standard when absent. */
  quirks?: WireQuirks;
}

/** Vendor quirks seen in the field, in how values go on the wire. */
export interface WireQuirks {
  /** Booleans as 1/0, or as True/False (the latter not even xsd:boolean). */
  booleans?: 'numeric' | 'capitalised';
  /** Values without their xsi:type attribute. */
  noXsiType?: boolean;
}

function quirkyValue(p: ParameterValue, q: WireQuirks | undefined): string {
  if (p.type !== 'boolean' || !q?.booleans) return p.value;
  const on = p.value === 'true' || p.value === '1';
  return q.booleans === 'numeric' ? (on ? '1' : '0') : on ? 'True' : 'False';
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function open(opts: EnvelopeOptions): string {
  let s =
    `${XML_DECL}<soap-env:Envelope xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="${SOAP_ENC_NS}"` +
    ` xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="${opts.namespace}">`;
  const headers: string[] = [];
  if (opts.id !== undefined) headers.push(`<cwmp:ID soap-env:mustUnderstand="1">${esc(opts.id)}</cwmp:ID>`);
  if (opts.supportedCwmpVersions && opts.namespace === CWMP_NS_1_2) {
    headers.push(`<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">${esc(opts.supportedCwmpVersions)}</cwmp:SupportedCWMPVersions>`);
  }
  if (headers.length > 0) s += `<soap-env:Header>${headers.join('')}</soap-env:Header>`;
  return `${s}<soap-env:Body>`;
}

const CLOSE = '</soap-env:Body></soap-env:Envelope>';

/** XML Schema's names for the wire types (TR-069's base64 is xsd:base64Binary). */
export const XSD_TYPE_NAMES: Record<ParameterValue['type'], string> = {
  string: 'string',
  int: 'int',
  unsignedInt: 'unsignedInt',
  long: 'long',
  unsignedLong: 'unsignedLong',
  boolean: 'boolean',
  dateTime: 'dateTime',
  base64: 'base64Binary',
  hexBinary: 'hexBinary',
};

function arrayOf(name: string, itemType: string, items: readonly string[]): string {
  return `<${name} soap-enc:arrayType="${itemType}[${items.length}]">${items.join('')}</${name}>`;
}

function parameterValues(list: readonly ParameterValue[], q?: WireQuirks): string {
  return arrayOf(
    'ParameterList',
    'cwmp:ParameterValueStruct',
    list.map(
      (p) =>
        `<ParameterValueStruct><Name>${esc(p.name)}</Name><Value${q?.noXsiType ? '' : ` xsi:type="xsd:${XSD_TYPE_NAMES[p.type]}"`}>${esc(quirkyValue(p, q))}</Value></ParameterValueStruct>`,
    ),
  );
}

function strings(name: string, list: readonly string[]): string {
  return arrayOf(
    name,
    'xsd:string',
    list.map((s) => `<string>${esc(s)}</string>`),
  );
}

function transferFault(f: TransferFault, ns: CwmpNamespace, use: FaultUse): string {
  return `<FaultStruct><FaultCode>${faultCodeFor(f.faultCode, ns, use)}</FaultCode><FaultString>${esc(f.faultString)}</FaultString></FaultStruct>`;
}

/** The fields an OpResultStruct and an AutonOpResultStruct share, in the schema's order. */
function opResult(r: DuOpResult): string {
  return (
    `<UUID>${esc(r.uuid)}</UUID><DeploymentUnitRef>${esc(r.deploymentUnitRef)}</DeploymentUnitRef><Version>${esc(r.version)}</Version>` +
    `<CurrentState>${r.currentState}</CurrentState><Resolved>${r.resolved}</Resolved><ExecutionUnitRefList>${esc(r.executionUnitRefList)}</ExecutionUnitRefList>` +
    `<StartTime>${formatDateTime(r.startTime)}</StartTime><CompleteTime>${formatDateTime(r.completeTime)}</CompleteTime>` +
    `<Fault><FaultCode>${faultCodeFor(r.fault.faultCode, CWMP_NS_1_2, 'du')}</FaultCode><FaultString>${esc(r.fault.faultString)}</FaultString></Fault>`
  );
}

function queued(t: QueuedTransfer, all: boolean): string {
  const base = `<CommandKey>${esc(t.commandKey)}</CommandKey><State>${t.state}</State>`;
  if (!all) return `<QueuedTransferStruct>${base}</QueuedTransferStruct>`;
  return (
    `<AllQueuedTransferStruct>${base}<IsDownload>${t.isDownload}</IsDownload><FileType>${esc(t.fileType)}</FileType>` +
    `<FileSize>${t.fileSize}</FileSize><TargetFileName>${esc(t.targetFileName)}</TargetFileName></AllQueuedTransferStruct>`
  );
}

function body(m: CpeMessage, ns: CwmpNamespace, q?: WireQuirks): string {
  switch (m.method) {
    case 'Inform':
      return (
        `<cwmp:Inform><DeviceId><Manufacturer>${esc(m.deviceId.manufacturer)}</Manufacturer><OUI>${esc(m.deviceId.oui)}</OUI>` +
        `<ProductClass>${esc(m.deviceId.productClass)}</ProductClass><SerialNumber>${esc(m.deviceId.serialNumber)}</SerialNumber></DeviceId>` +
        arrayOf(
          'Event',
          'cwmp:EventStruct',
          m.events.map((e) => `<EventStruct><EventCode>${esc(e.code)}</EventCode><CommandKey>${esc(e.commandKey)}</CommandKey></EventStruct>`),
        ) +
        `<MaxEnvelopes>${m.maxEnvelopes}</MaxEnvelopes><CurrentTime>${formatDateTime(m.currentTime)}</CurrentTime>` +
        `<RetryCount>${m.retryCount}</RetryCount>${parameterValues(m.parameterList, q)}</cwmp:Inform>`
      );
    case 'TransferComplete':
      return (
        `<cwmp:TransferComplete><CommandKey>${esc(m.commandKey)}</CommandKey>${transferFault(m.fault, ns, m.causedBy === 'Upload' ? 'upload' : 'download')}` +
        `<StartTime>${formatDateTime(m.startTime)}</StartTime><CompleteTime>${formatDateTime(m.completeTime)}</CompleteTime></cwmp:TransferComplete>`
      );
    case 'AutonomousTransferComplete':
      return (
        `<cwmp:AutonomousTransferComplete><AnnounceURL>${esc(m.announceURL)}</AnnounceURL><TransferURL>${esc(m.transferURL)}</TransferURL>` +
        `<IsDownload>${m.isDownload}</IsDownload><FileType>${esc(m.fileType)}</FileType><FileSize>${m.fileSize}</FileSize>` +
        `<TargetFileName>${esc(m.targetFileName)}</TargetFileName>${transferFault(m.fault, ns, m.isDownload ? 'download' : 'upload')}` +
        `<StartTime>${formatDateTime(m.startTime)}</StartTime><CompleteTime>${formatDateTime(m.completeTime)}</CompleteTime></cwmp:AutonomousTransferComplete>`
      );
    // Results is an element repeated once per operation, not a SOAP array (cwmp-1-2.xsd).
    case 'DUStateChangeComplete':
      return `<cwmp:DUStateChangeComplete>${m.results.map((r) => `<Results>${opResult(r)}</Results>`).join('')}<CommandKey>${esc(m.commandKey)}</CommandKey></cwmp:DUStateChangeComplete>`;
    case 'AutonomousDUStateChangeComplete':
      return `<cwmp:AutonomousDUStateChangeComplete>${m.results
        .map((r) => `<Results>${opResult(r)}<OperationPerformed>${r.operationPerformed}</OperationPerformed></Results>`)
        .join('')}</cwmp:AutonomousDUStateChangeComplete>`;
    case 'RequestDownload':
      return (
        `<cwmp:RequestDownload><FileType>${esc(m.fileType)}</FileType>` +
        arrayOf(
          'FileTypeArg',
          'cwmp:ArgStruct',
          m.fileTypeArgs.map((a) => `<ArgStruct><Name>${esc(a.name)}</Name><Value>${esc(a.value)}</Value></ArgStruct>`),
        ) +
        `</cwmp:RequestDownload>`
      );
    case 'Kicked':
      return `<cwmp:Kicked><Command>${esc(m.command)}</Command><Referer>${esc(m.referer)}</Referer><Arg>${esc(m.arg)}</Arg><Next>${esc(m.next)}</Next></cwmp:Kicked>`;
    case 'GetRPCMethods':
      return '<cwmp:GetRPCMethods></cwmp:GetRPCMethods>';
    case 'GetRPCMethodsResponse':
      return `<cwmp:GetRPCMethodsResponse>${strings('MethodList', m.methodList)}</cwmp:GetRPCMethodsResponse>`;
    case 'SetParameterValuesResponse':
      return `<cwmp:SetParameterValuesResponse><Status>${m.status}</Status></cwmp:SetParameterValuesResponse>`;
    case 'GetParameterValuesResponse':
      return `<cwmp:GetParameterValuesResponse>${parameterValues(m.parameterList, q)}</cwmp:GetParameterValuesResponse>`;
    case 'GetParameterNamesResponse':
      return (
        '<cwmp:GetParameterNamesResponse>' +
        arrayOf(
          'ParameterList',
          'cwmp:ParameterInfoStruct',
          m.parameterList.map((p) => `<ParameterInfoStruct><Name>${esc(p.name)}</Name><Writable>${p.writable}</Writable></ParameterInfoStruct>`),
        ) +
        '</cwmp:GetParameterNamesResponse>'
      );
    case 'GetParameterAttributesResponse':
      return (
        '<cwmp:GetParameterAttributesResponse>' +
        arrayOf(
          'ParameterList',
          'cwmp:ParameterAttributeStruct',
          m.parameterList.map(
            (p) =>
              `<ParameterAttributeStruct><Name>${esc(p.name)}</Name><Notification>${p.notification}</Notification>${strings('AccessList', p.accessList)}</ParameterAttributeStruct>`,
          ),
        ) +
        '</cwmp:GetParameterAttributesResponse>'
      );
    case 'AddObjectResponse':
      return `<cwmp:AddObjectResponse><InstanceNumber>${m.instanceNumber}</InstanceNumber><Status>${m.status}</Status></cwmp:AddObjectResponse>`;
    case 'DeleteObjectResponse':
      return `<cwmp:DeleteObjectResponse><Status>${m.status}</Status></cwmp:DeleteObjectResponse>`;
    case 'DownloadResponse':
    case 'UploadResponse':
      return (
        `<cwmp:${m.method}><Status>${m.status}</Status><StartTime>${formatDateTime(m.startTime)}</StartTime>` +
        `<CompleteTime>${formatDateTime(m.completeTime)}</CompleteTime></cwmp:${m.method}>`
      );
    case 'GetQueuedTransfersResponse':
      return `<cwmp:GetQueuedTransfersResponse>${arrayOf(
        'TransferList',
        'cwmp:QueuedTransferStruct',
        m.transferList.map((t) => queued(t, false)),
      )}</cwmp:GetQueuedTransfersResponse>`;
    case 'GetAllQueuedTransfersResponse':
      return `<cwmp:GetAllQueuedTransfersResponse>${arrayOf(
        'TransferList',
        'cwmp:AllQueuedTransferStruct',
        m.transferList.map((t) => queued(t, true)),
      )}</cwmp:GetAllQueuedTransfersResponse>`;
    case 'GetOptionsResponse':
      return `<cwmp:GetOptionsResponse>${arrayOf('OptionList', 'cwmp:OptionStruct', [])}</cwmp:GetOptionsResponse>`;
    case 'SetParameterAttributesResponse':
    case 'RebootResponse':
    case 'FactoryResetResponse':
    case 'ScheduleInformResponse':
    case 'SetVouchersResponse':
    case 'ScheduleDownloadResponse':
    case 'CancelTransferResponse':
    case 'ChangeDUStateResponse':
      return `<cwmp:${m.method}></cwmp:${m.method}>`;
  }
}

/** One CPE message in a complete envelope. */
export function writeEnvelope(message: CpeMessage, opts: EnvelopeOptions): string {
  return open(opts) + body(message, opts.namespace, opts.quirks) + CLOSE;
}

/**
 * A SOAP Fault carrying a CWMP fault, with SetParameterValuesFault entries where present. Codes
 * the ACS's namespace does not know are sent as the older code they refine (see faultCodeFor).
 */
export function writeFaultEnvelope(fault: CwmpFault, opts: EnvelopeOptions): string {
  const ns = opts.namespace;
  const entries = fault.parameterFaults
    .map(
      (p) =>
        `<SetParameterValuesFault><ParameterName>${esc(p.parameterName)}</ParameterName><FaultCode>${faultCodeFor(p.faultCode, ns)}</FaultCode><FaultString>${esc(p.faultString)}</FaultString></SetParameterValuesFault>`,
    )
    .join('');
  return (
    open(opts) +
    `<soap-env:Fault><faultcode>${fault.soapFaultCode}</faultcode><faultstring>CWMP fault</faultstring><detail>` +
    `<cwmp:Fault><FaultCode>${faultCodeFor(fault.faultCode, ns)}</FaultCode><FaultString>${esc(fault.faultString)}</FaultString>${entries}</cwmp:Fault>` +
    `</detail></soap-env:Fault>` +
    CLOSE
  );
}
