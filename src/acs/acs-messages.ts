/** The ACS side of the codec, for the test ACS: reading CPE messages and writing ACS requests. */
import { CWMP_NS_1_2, SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS, isCwmpNamespace, type CwmpNamespace } from '../cwmp/namespaces.js';
import { childNamed, readXml, type XmlElement } from '../cwmp/xml-reader.js';
import { escapeXml as esc } from '../cwmp/xml-text.js';
import type { AcsRequest, CwmpEvent, DuOperation } from '../cwmp/index.js';
import type { AcsRequestMethod, AcsRequestOf } from '../cwmp/messages.js';

export interface CpeMessageSummary {
  /** Method element name ("Inform", "GetParameterValuesResponse", "Fault", ...); "" for an empty POST. */
  method: string;
  id: string | undefined;
  namespace: CwmpNamespace | undefined;
  header: Record<string, string>;
  body: XmlElement | undefined;
}

export function readCpeMessage(xml: string): CpeMessageSummary {
  if (xml.trim() === '') return { method: '', id: undefined, namespace: undefined, header: {}, body: undefined };
  const root = readXml(xml);
  const header: Record<string, string> = {};
  let namespace: CwmpNamespace | undefined;
  for (const h of childNamed(root, 'Header')?.children ?? []) {
    header[h.local] = h.text.trim();
    if (isCwmpNamespace(h.uri)) namespace ??= h.uri;
  }
  const method = childNamed(root, 'Body')?.children[0];
  if (method && isCwmpNamespace(method.uri)) namespace = method.uri;
  if (method?.local === 'Fault') {
    const cwmpFault = childNamed(childNamed(method, 'detail') ?? method, 'Fault');
    if (cwmpFault && isCwmpNamespace(cwmpFault.uri)) namespace = cwmpFault.uri;
  }
  return { method: method?.local ?? '', id: header['ID'], namespace, header, body: method };
}

/** Text of a descendant by a path of local names. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | undefined {
  let cur = el;
  for (const p of path) cur = cur ? childNamed(cur, p) : undefined;
  return cur?.text;
}

export function informEvents(msg: CpeMessageSummary): CwmpEvent[] {
  const list = msg.body ? (childNamed(msg.body, 'Event')?.children ?? []) : [];
  return list.map((e) => ({ code: textAt(e, 'EventCode')?.trim() ?? '', commandKey: textAt(e, 'CommandKey')?.trim() ?? '' }));
}

/** Name → value of a ParameterList of ParameterValueStructs (Inform, GetParameterValuesResponse). */
export function parameterValues(msg: CpeMessageSummary): Record<string, { value: string; type: string }> {
  const out: Record<string, { value: string; type: string }> = {};
  const list = msg.body ? (childNamed(msg.body, 'ParameterList')?.children ?? []) : [];
  for (const s of list) {
    const valueEl = childNamed(s, 'Value');
    const type = valueEl?.attributes.find((a) => a.local === 'type' && a.uri === XSI_NS)?.value ?? '';
    out[textAt(s, 'Name')?.trim() ?? ''] = { value: valueEl?.text ?? '', type };
  }
  return out;
}

export function deviceSerial(msg: CpeMessageSummary): string {
  return textAt(msg.body, 'DeviceId', 'SerialNumber')?.trim() ?? '';
}

export interface AcsEnvelopeOptions {
  namespace: CwmpNamespace;
  id: string;
  holdRequests?: boolean;
  useCwmpVersion?: string;
}

function envelope(inner: string, o: AcsEnvelopeOptions): string {
  let header = `<cwmp:ID soap-env:mustUnderstand="1">${esc(o.id)}</cwmp:ID>`;
  if (o.holdRequests) header += '<cwmp:HoldRequests soap-env:mustUnderstand="1">1</cwmp:HoldRequests>';
  if (o.useCwmpVersion) header += `<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">${esc(o.useCwmpVersion)}</cwmp:UseCWMPVersion>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="${SOAP_ENC_NS}" xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="${o.namespace}">` +
    `<soap-env:Header>${header}</soap-env:Header><soap-env:Body>${inner}</soap-env:Body></soap-env:Envelope>`
  );
}

function strings(name: string, list: readonly string[]): string {
  return `<${name} soap-enc:arrayType="xsd:string[${list.length}]">${list.map((s) => `<string>${esc(s)}</string>`).join('')}</${name}>`;
}

function fields(obj: Record<string, string | number | boolean>): string {
  return Object.entries(obj)
    .map(([k, v]) => `<${k}>${esc(String(v))}</${k}>`)
    .join('');
}

export function writeInformResponse(o: AcsEnvelopeOptions): string {
  return envelope('<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>', o);
}

export function writeEmptyResponse(method: string, o: AcsEnvelopeOptions): string {
  return envelope(`<cwmp:${method}></cwmp:${method}>`, o);
}

/** KickedResponse: where the browser that kicked the CPE goes next. */
export function writeKickedResponse(nextUrl: string, o: AcsEnvelopeOptions): string {
  return envelope(`<cwmp:KickedResponse><NextURL>${esc(nextUrl)}</NextURL></cwmp:KickedResponse>`, o);
}

export function writeAcsFault(code: number, text: string, o: AcsEnvelopeOptions): string {
  return envelope(
    `<soap-env:Fault><faultcode>Server</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>${code}</FaultCode><FaultString>${esc(text)}</FaultString></cwmp:Fault></detail></soap-env:Fault>`,
    o,
  );
}

/** A value's type as written into xsi:type: an XSD type name, nothing else. */
function xsdTypeName(type: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]{0,31}$/.test(type))
    throw new Error(`type must be an XSD type name such as string or unsignedInt, not ${JSON.stringify(type.slice(0, 40))}`);
  return type;
}

/** One ChangeDUState operation, its fields in the schema's order; an empty UUID is left out (it has a pattern), but for Uninstall. */
function duOperation(op: DuOperation): string {
  // Both go into an attribute: only the three names the schema has (a JSON API passes anything on).
  const name: string = op.op;
  if (name !== 'Install' && name !== 'Update' && name !== 'Uninstall') throw new Error(`op must be Install, Update or Uninstall, not ${JSON.stringify(name)}`);
  const uuid: Record<string, string> = op.uuid ? { UUID: op.uuid } : {};
  const body =
    op.op === 'Install'
      ? fields({ URL: op.url, ...uuid, Username: op.username, Password: op.password, ExecutionEnvRef: op.executionEnvRef })
      : op.op === 'Update'
        ? fields({ ...uuid, Version: op.version, URL: op.url, Username: op.username, Password: op.password })
        : fields({ UUID: op.uuid, Version: op.version, ExecutionEnvRef: op.executionEnvRef });
  return `<Operations xsi:type="cwmp:${op.op}OpStruct">${body}</Operations>`;
}

/** An ACS request as an envelope. */
/** The body of each ACS request, by method: a method of the protocol without a writer here does not compile. */
const REQUEST_WRITERS: { [M in AcsRequestMethod]: (r: AcsRequestOf<M>) => string } = {
  GetParameterValues: (r) => strings('ParameterNames', r.parameterNames),
  GetParameterAttributes: (r) => strings('ParameterNames', r.parameterNames),
  SetParameterValues: (r) =>
    `<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[${r.parameterList.length}]">` +
    r.parameterList
      .map(
        (p) =>
          `<ParameterValueStruct><Name>${esc(p.name)}</Name><Value${p.type ? ` xsi:type="xsd:${xsdTypeName(p.type)}"` : ''}>${esc(p.value)}</Value></ParameterValueStruct>`,
      )
      .join('') +
    `</ParameterList><ParameterKey>${esc(r.parameterKey)}</ParameterKey>`,
  GetParameterNames: (r) => fields({ ParameterPath: r.parameterPath, NextLevel: r.nextLevel }),
  SetParameterAttributes: (r) =>
    `<ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[${r.parameterList.length}]">` +
    r.parameterList
      .map(
        (p) =>
          `<SetParameterAttributesStruct>${fields({ Name: p.name, NotificationChange: p.notificationChange, Notification: p.notification, AccessListChange: p.accessListChange })}${strings('AccessList', p.accessList)}</SetParameterAttributesStruct>`,
      )
      .join('') +
    '</ParameterList>',
  AddObject: (r) => fields({ ObjectName: r.objectName, ParameterKey: r.parameterKey }),
  DeleteObject: (r) => fields({ ObjectName: r.objectName, ParameterKey: r.parameterKey }),
  Reboot: (r) => fields({ CommandKey: r.commandKey }),
  CancelTransfer: (r) => fields({ CommandKey: r.commandKey }),
  ScheduleInform: (r) => fields({ DelaySeconds: r.delaySeconds, CommandKey: r.commandKey }),
  Download: (r) =>
    fields({
      CommandKey: r.commandKey,
      FileType: r.fileType,
      URL: r.url,
      Username: r.username,
      Password: r.password,
      FileSize: r.fileSize,
      TargetFileName: r.targetFileName,
      DelaySeconds: r.delaySeconds,
      SuccessURL: r.successURL,
      FailureURL: r.failureURL,
    }),
  Upload: (r) =>
    fields({ CommandKey: r.commandKey, FileType: r.fileType, URL: r.url, Username: r.username, Password: r.password, DelaySeconds: r.delaySeconds }),
  ScheduleDownload: (r) =>
    fields({
      CommandKey: r.commandKey,
      FileType: r.fileType,
      URL: r.url,
      Username: r.username,
      Password: r.password,
      FileSize: r.fileSize,
      TargetFileName: r.targetFileName,
    }) +
    `<TimeWindowList soap-enc:arrayType="cwmp:TimeWindowStruct[${r.timeWindowList.length}]">` +
    r.timeWindowList
      .map(
        (w) =>
          `<TimeWindowStruct>${fields({ WindowStart: w.windowStart, WindowEnd: w.windowEnd, WindowMode: w.windowMode, UserMessage: w.userMessage, MaxRetries: w.maxRetries })}</TimeWindowStruct>`,
      )
      .join('') +
    '</TimeWindowList>',
  ChangeDUState: (r) => r.operations.map(duOperation).join('') + fields({ CommandKey: r.commandKey }),
  SetVouchers: (r) =>
    `<VoucherList soap-enc:arrayType="soap-enc:base64[${r.voucherList.length}]">${r.voucherList.map((v) => `<base64>${esc(v)}</base64>`).join('')}</VoucherList>`,
  GetOptions: (r) => fields({ OptionName: r.optionName }),
  GetRPCMethods: () => '',
  FactoryReset: () => '',
  GetQueuedTransfers: () => '',
  GetAllQueuedTransfers: () => '',
};

export function writeAcsRequest(r: AcsRequest, o: AcsEnvelopeOptions): string {
  const m = r.method;
  // A method from JSON (the API, a scenario file) may be anything: only the table's are written.
  if (!Object.hasOwn(REQUEST_WRITERS, m)) throw new Error(`the test ACS cannot write ${String(m)}`);
  const write = REQUEST_WRITERS[m] as (r: AcsRequest) => string;
  return envelope(`<cwmp:${m}>${write(r)}</cwmp:${m}>`, o);
}

/**
 * Why a value (JSON from an API or a scenario file) is not an ACS request this ACS can send, or
 * undefined when it is one: it must have a known method and make a valid envelope.
 */
export function acsRequestProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'an RPC is a JSON object with a "method"';
  const method = (value as { method?: unknown }).method;
  if (typeof method !== 'string') return 'an RPC needs a "method" (GetParameterValues, SetParameterValues, Reboot, ...)';
  try {
    const xml = writeAcsRequest(value as AcsRequest, { namespace: CWMP_NS_1_2, id: 'check' });
    if (!xml.includes(`<cwmp:${method}`)) return `unknown method ${JSON.stringify(method)}`;
  } catch (err) {
    return `${method}: missing or wrong arguments (${(err as Error).message})`;
  }
  return undefined;
}
