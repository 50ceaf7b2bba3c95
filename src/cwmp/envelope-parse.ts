/**
 * Parses what an ACS sends (TR-069 Annex A) into typed messages. Never throws: malformed or
 * hostile input comes back as a CwmpFault the session can answer with.
 */
import { CwmpFault } from './faults.js';
import { isCwmpNamespace, SOAP_ENV_NS, XSI_NS, type CwmpNamespace } from './namespaces.js';
import { attributeValue, childNamed, readXml, XmlSyntaxError, type XmlElement, type XmlLimits } from './xml-reader.js';
import type {
  AcsEnvelope,
  AcsRequest,
  AcsRequestMethod,
  AcsRequestOf,
  AcsResponse,
  DuOperation,
  EnvelopeHeader,
  ParameterValueInput,
  SetParameterAttributesEntry,
  TimeWindow,
} from './messages.js';

export type ParseResult = { ok: true; envelope: AcsEnvelope } | { ok: false; fault: CwmpFault; id?: string; namespace: CwmpNamespace | null };

/** Parses one HTTP body from the ACS. An empty or blank body is an empty message. */
export function parseAcsEnvelope(body: string, limits?: XmlLimits): ParseResult {
  if (body.trim() === '') return { ok: true, envelope: { namespace: null, header: {}, message: null } };
  let root: XmlElement;
  try {
    root = readXml(body, limits);
  } catch (err) {
    const why = err instanceof XmlSyntaxError ? err.message : 'unreadable XML';
    return { ok: false, fault: new CwmpFault(9003, `malformed envelope (${why})`), namespace: null };
  }
  if (root.local !== 'Envelope' || root.uri !== SOAP_ENV_NS) {
    return { ok: false, fault: new CwmpFault(9003, 'not a SOAP 1.1 envelope'), namespace: null };
  }
  const headerEl = root.children.find((c) => c.local === 'Header' && c.uri === SOAP_ENV_NS);
  const bodyEl = root.children.find((c) => c.local === 'Body' && c.uri === SOAP_ENV_NS);
  let header: EnvelopeHeader;
  let namespace: CwmpNamespace | null;
  try {
    ({ header, namespace } = readHeader(headerEl));
  } catch (err) {
    return { ok: false, fault: asFault(err), namespace: null };
  }
  if (!bodyEl) return { ok: false, fault: new CwmpFault(9003, 'envelope has no Body'), id: header.id, namespace };
  const bodyChildren = bodyEl.children;
  if (bodyChildren.length === 0) return { ok: true, envelope: { namespace, header, message: null } };
  if (bodyChildren.length > 1) {
    return { ok: false, fault: new CwmpFault(9003, 'one method per envelope'), id: header.id, namespace };
  }
  const methodEl = bodyChildren[0]!;
  try {
    if (methodEl.local === 'Fault' && methodEl.uri === SOAP_ENV_NS) {
      const detail = childNamed(methodEl, 'detail');
      const cwmpFault = detail ? childNamed(detail, 'Fault') : undefined;
      const code = cwmpFault ? Number(text(cwmpFault, 'FaultCode', 8)) : 8002;
      const faultString = cwmpFault ? optionalText(cwmpFault, 'FaultString') : optionalText(methodEl, 'faultstring');
      if (cwmpFault?.uri && isCwmpNamespace(cwmpFault.uri)) namespace ??= cwmpFault.uri;
      return {
        ok: true,
        envelope: { namespace, header, message: { kind: 'fault', fault: { method: 'Fault', faultCode: Number.isFinite(code) ? code : 8002, faultString } } },
      };
    }
    if (!isCwmpNamespace(methodEl.uri)) {
      throw new CwmpFault(9000, `${methodEl.local} in namespace "${methodEl.uri}"`);
    }
    namespace = methodEl.uri;
    const response = readAcsResponse(methodEl);
    if (response) return { ok: true, envelope: { namespace, header, message: { kind: 'response', response } } };
    const request = readAcsRequest(methodEl);
    return { ok: true, envelope: { namespace, header, message: { kind: 'request', request } } };
  } catch (err) {
    return { ok: false, fault: asFault(err), id: header.id, namespace };
  }
}

function asFault(err: unknown): CwmpFault {
  return err instanceof CwmpFault ? err : new CwmpFault(9003);
}

function readHeader(el: XmlElement | undefined): { header: EnvelopeHeader; namespace: CwmpNamespace | null } {
  const header: EnvelopeHeader = {};
  let namespace: CwmpNamespace | null = null;
  if (!el) return { header, namespace };
  for (const h of el.children) {
    if (!isCwmpNamespace(h.uri)) {
      if (attributeValue(h, 'mustUnderstand', SOAP_ENV_NS) === '1') {
        throw new CwmpFault(9000, `header ${h.local} not understood`);
      }
      continue;
    }
    namespace ??= h.uri;
    const value = h.text.trim();
    switch (h.local) {
      case 'ID':
        header.id = value.slice(0, 256);
        break;
      case 'HoldRequests':
        header.holdRequests = parseBoolean(value, 'HoldRequests');
        break;
      case 'NoMoreRequests':
        header.noMoreRequests = parseBoolean(value, 'NoMoreRequests');
        break;
      case 'SessionTimeout':
        header.sessionTimeout = parseUnsigned(value, 'SessionTimeout');
        break;
      case 'SupportedCWMPVersions':
        header.supportedCwmpVersions = value;
        break;
      case 'UseCWMPVersion':
        header.useCwmpVersion = value;
        break;
      default:
        if (attributeValue(h, 'mustUnderstand', SOAP_ENV_NS) === '1') {
          throw new CwmpFault(9000, `header ${h.local} not understood`);
        }
    }
  }
  return { header, namespace };
}

/* ---------- field readers: each throws 9003 with the field's name ---------- */

function required(el: XmlElement, name: string): XmlElement {
  const c = childNamed(el, name);
  if (!c) throw new CwmpFault(9003, `missing ${name}`);
  return c;
}

function text(el: XmlElement, name: string, maxLength: number): string {
  const v = required(el, name).text.trim();
  if (v.length > maxLength) throw new CwmpFault(9003, `${name} longer than ${maxLength}`);
  return v;
}

function optionalText(el: XmlElement, name: string): string {
  return childNamed(el, name)?.text.trim() ?? '';
}

function parseBoolean(v: string, name: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new CwmpFault(9003, `${name} is not a boolean`);
}

function parseUnsigned(v: string, name: string): number {
  if (!/^\+?\d{1,10}$/.test(v) || Number(v) > 0xffffffff) throw new CwmpFault(9003, `${name} is not an unsignedInt`);
  return Number(v);
}

function bool(el: XmlElement, name: string): boolean {
  return parseBoolean(required(el, name).text.trim(), name);
}

function unsigned(el: XmlElement, name: string): number {
  return parseUnsigned(required(el, name).text.trim(), name);
}

function int(el: XmlElement, name: string): number {
  const v = required(el, name).text.trim();
  if (!/^[-+]?\d{1,10}$/.test(v) || Math.abs(Number(v)) > 0x7fffffff) throw new CwmpFault(9003, `${name} is not an int`);
  return Number(v);
}

const FILE_TYPE = /^[1-9]\d*( \S+)+$/;

function fileType(el: XmlElement, name = 'FileType'): string {
  const v = text(el, name, 64);
  if (!FILE_TYPE.test(v)) throw new CwmpFault(9003, `${name} "${v}" is not a file type`);
  return v;
}

/** The element children of an array (soap-enc:Array); the member element name is not enforced. */
function items(el: XmlElement, name: string, max = 100_000): XmlElement[] {
  const list = required(el, name).children;
  if (list.length > max) throw new CwmpFault(9004, `${name} has more than ${max} entries`);
  return list;
}

function objectName(el: XmlElement): string {
  const v = text(el, 'ObjectName', 256);
  if (!v.endsWith('.')) throw new CwmpFault(9003, 'ObjectName must end with "."');
  return v;
}

/** The local part of an xsi:type QName, e.g. "xsd:unsignedInt" → "unsignedInt". */
function xsiType(el: XmlElement): string | undefined {
  const t = attributeValue(el, 'type', XSI_NS);
  if (t === undefined) return undefined;
  const colon = t.indexOf(':');
  return colon >= 0 ? t.slice(colon + 1) : t;
}

function parameterValueInput(s: XmlElement): ParameterValueInput {
  const valueEl = required(s, 'Value');
  const type = xsiType(valueEl);
  const entry: ParameterValueInput = { name: text(s, 'Name', 256), value: valueEl.text };
  if (type !== undefined) entry.type = type;
  return entry;
}

function accessList(el: XmlElement): string[] {
  return items(el, 'AccessList', 64).map((s) => s.text.trim());
}

function setAttributesEntry(s: XmlElement): SetParameterAttributesEntry {
  const notification = int(s, 'Notification');
  if (notification < 0 || notification > 6) throw new CwmpFault(9003, `Notification ${notification} out of range`);
  return {
    name: text(s, 'Name', 256),
    notificationChange: bool(s, 'NotificationChange'),
    notification,
    accessListChange: bool(s, 'AccessListChange'),
    accessList: accessList(s),
  };
}

function timeWindow(s: XmlElement): TimeWindow {
  return {
    windowStart: unsigned(s, 'WindowStart'),
    windowEnd: unsigned(s, 'WindowEnd'),
    windowMode: text(s, 'WindowMode', 64),
    userMessage: optionalText(s, 'UserMessage').slice(0, 256),
    maxRetries: int(s, 'MaxRetries'),
  };
}

function duOperation(s: XmlElement): DuOperation {
  const type = attributeValue(s, 'type', XSI_NS) ?? '';
  const kind = type.slice(type.indexOf(':') + 1);
  const opt = (n: string): string => optionalText(s, n);
  if (kind === 'InstallOpStruct') {
    return {
      op: 'Install',
      url: text(s, 'URL', 1024),
      uuid: opt('UUID'),
      username: opt('Username'),
      password: opt('Password'),
      executionEnvRef: opt('ExecutionEnvRef'),
    };
  }
  if (kind === 'UpdateOpStruct') {
    return { op: 'Update', uuid: opt('UUID'), version: opt('Version'), url: opt('URL'), username: opt('Username'), password: opt('Password') };
  }
  if (kind === 'UninstallOpStruct') {
    return { op: 'Uninstall', uuid: text(s, 'UUID', 36), version: opt('Version'), executionEnvRef: opt('ExecutionEnvRef') };
  }
  throw new CwmpFault(9003, `unknown ChangeDUState operation "${type}"`);
}

/** Reads the arguments of a `Download` or `ScheduleDownload` that both share. */
function transferArguments(m: XmlElement): { commandKey: string; fileType: string; url: string; username: string; password: string } {
  return {
    commandKey: text(m, 'CommandKey', 32),
    fileType: fileType(m),
    url: text(m, 'URL', 1024),
    username: optionalText(m, 'Username'),
    password: optionalText(m, 'Password'),
  };
}

/**
 * One reader per ACS request method, typed by the method: a method added to AcsRequest without
 * a reader here is a compile error (and the RPC table in rpc/ holds its handler likewise).
 */
const ACS_REQUEST_READERS: { readonly [M in AcsRequestMethod]: (m: XmlElement) => AcsRequestOf<M> } = {
  GetRPCMethods: () => ({ method: 'GetRPCMethods' }),
  FactoryReset: () => ({ method: 'FactoryReset' }),
  GetQueuedTransfers: () => ({ method: 'GetQueuedTransfers' }),
  GetAllQueuedTransfers: () => ({ method: 'GetAllQueuedTransfers' }),
  SetParameterValues: (m) => ({
    method: 'SetParameterValues',
    parameterList: items(m, 'ParameterList').map(parameterValueInput),
    parameterKey: text(m, 'ParameterKey', 32),
  }),
  GetParameterValues: (m) => ({ method: 'GetParameterValues', parameterNames: items(m, 'ParameterNames').map((s) => s.text.trim()) }),
  GetParameterNames: (m) => ({ method: 'GetParameterNames', parameterPath: text(m, 'ParameterPath', 256), nextLevel: bool(m, 'NextLevel') }),
  SetParameterAttributes: (m) => ({ method: 'SetParameterAttributes', parameterList: items(m, 'ParameterList').map(setAttributesEntry) }),
  GetParameterAttributes: (m) => ({ method: 'GetParameterAttributes', parameterNames: items(m, 'ParameterNames').map((s) => s.text.trim()) }),
  AddObject: (m) => ({ method: 'AddObject', objectName: objectName(m), parameterKey: text(m, 'ParameterKey', 32) }),
  DeleteObject: (m) => ({ method: 'DeleteObject', objectName: objectName(m), parameterKey: text(m, 'ParameterKey', 32) }),
  Reboot: (m) => ({ method: 'Reboot', commandKey: text(m, 'CommandKey', 32) }),
  Download: (m) => ({
    method: 'Download',
    ...transferArguments(m),
    fileSize: unsigned(m, 'FileSize'),
    targetFileName: optionalText(m, 'TargetFileName'),
    delaySeconds: unsigned(m, 'DelaySeconds'),
    successURL: optionalText(m, 'SuccessURL'),
    failureURL: optionalText(m, 'FailureURL'),
  }),
  Upload: (m) => ({ method: 'Upload', ...transferArguments(m), delaySeconds: unsigned(m, 'DelaySeconds') }),
  ScheduleInform: (m) => ({ method: 'ScheduleInform', delaySeconds: unsigned(m, 'DelaySeconds'), commandKey: text(m, 'CommandKey', 32) }),
  SetVouchers: (m) => ({ method: 'SetVouchers', voucherList: items(m, 'VoucherList', 1000).map((s) => s.text.trim()) }),
  GetOptions: (m) => ({ method: 'GetOptions', optionName: text(m, 'OptionName', 64) }),
  ScheduleDownload: (m) => {
    const windows = items(m, 'TimeWindowList', 2).map(timeWindow);
    if (windows.length === 0) throw new CwmpFault(9003, 'TimeWindowList is empty');
    return {
      method: 'ScheduleDownload',
      ...transferArguments(m),
      fileSize: unsigned(m, 'FileSize'),
      targetFileName: optionalText(m, 'TargetFileName'),
      timeWindowList: windows,
    };
  },
  CancelTransfer: (m) => ({ method: 'CancelTransfer', commandKey: text(m, 'CommandKey', 32) }),
  ChangeDUState: (m) => {
    const ops = m.children.filter((c) => c.local === 'Operations').map(duOperation);
    if (ops.length === 0) throw new CwmpFault(9003, 'no Operations');
    return { method: 'ChangeDUState', operations: ops, commandKey: optionalText(m, 'CommandKey').slice(0, 32) };
  },
};

function readAcsRequest(m: XmlElement): AcsRequest {
  if (!Object.hasOwn(ACS_REQUEST_READERS, m.local)) throw new CwmpFault(9000, m.local.slice(0, 64));
  return ACS_REQUEST_READERS[m.local as AcsRequestMethod](m);
}

function readAcsResponse(m: XmlElement): AcsResponse | null {
  switch (m.local) {
    case 'InformResponse': {
      const el = childNamed(m, 'MaxEnvelopes');
      // MaxEnvelopes is required by the schema, but some ACSes omit it; 1 is the only value in use.
      return { method: 'InformResponse', maxEnvelopes: el ? parseUnsigned(el.text.trim(), 'MaxEnvelopes') : 1 };
    }
    case 'TransferCompleteResponse':
    case 'AutonomousTransferCompleteResponse':
    case 'RequestDownloadResponse':
    case 'DUStateChangeCompleteResponse':
    case 'AutonomousDUStateChangeCompleteResponse':
      return { method: m.local };
    case 'GetRPCMethodsResponse':
      return { method: 'GetRPCMethodsResponse', methodList: items(m, 'MethodList', 1000).map((s) => s.text.trim()) };
    case 'KickedResponse': {
      const next = childNamed(m, 'NextURL')?.text.trim() ?? '';
      if (next.length > 1024) throw new CwmpFault(9003, 'NextURL longer than 1024 characters');
      return { method: 'KickedResponse', nextURL: next };
    }
    default:
      return null;
  }
}
