/**
 * A ChangeDUState (TR-069 A.4.1.10) the agent has accepted, as it is persisted until its
 * DUStateChangeComplete is acknowledged: the RPC's own checks (faults of the RPC), and the
 * rules for the per-operation results (faults inside DUStateChangeComplete).
 */
import { createHash } from 'node:crypto';
import { faultCodeFor } from './fault-codes-by-version.js';
import { CwmpFault } from './faults.js';
import { CWMP_NS_1_2 } from './namespaces.js';
import { transferProtocolSupported } from './file-types.js';
import type { AcsRequestOf, DuOperation, DuOpResult, TransferFault } from './messages.js';

/**
 * Who asked: the ACS (DUStateChangeComplete), the device itself (AutonomousDUStateChangeComplete),
 * or a USP Controller's InstallDU(), Update() or Uninstall() (OperationComplete and DUStateChange!).
 */
export type DuChangeOrigin = 'ChangeDUState' | 'Autonomous' | 'USP';

export interface DuOperationRecord {
  /** Unique on this device: the execution environment records each operation's outcome under it. */
  id: string;
  op: DuOperation;
  /** Epoch ms the operation began (persisted before it does), null while waiting. */
  startedAt: number | null;
  /** Attempts a power cut interrupted. */
  attempts: number;
  /** Its outcome, once known; persisted before the next operation starts. */
  result: DuOpResult | null;
}

export interface DuChangeRecord {
  id: string;
  origin: DuChangeOrigin;
  commandKey: string;
  acceptedAt: number;
  operations: DuOperationRecord[];
}

/** ChangeDUState requests that may wait at once; more is 9004. */
export const MAX_QUEUED_DU_CHANGES = 16;
/** Operations one ChangeDUState may carry; more is 9004 (the schema sets no bound). */
export const MAX_DU_OPERATIONS = 32;

export const UUID_PATTERN = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

const limit = (value: string, max: number, field: string): void => {
  if (value.length > max) throw new CwmpFault(9003, `${field} is longer than ${max} characters`);
};

function checkUrl(url: string, field: string): void {
  limit(url, 1024, field);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CwmpFault(9003, `${field} "${url.slice(0, 64)}" is not a valid URL`);
  }
  if (u.username || u.password) throw new CwmpFault(9003, `${field} must not carry credentials; use Username and Password`);
}

/**
 * The RPC's checks: what makes the whole request unusable (a missing or malformed URL, fields
 * over their schema length, too much queued). What only one operation gets wrong (an unknown
 * execution environment, a UUID of the wrong form, a file server that cannot be reached) is that
 * operation's result, so the others still run.
 */
export function acceptChangeDuState(req: AcsRequestOf<'ChangeDUState'>, queue: readonly DuChangeRecord[], now: number, newId: () => string): DuChangeRecord {
  limit(req.commandKey, 32, 'CommandKey');
  if (req.operations.length > MAX_DU_OPERATIONS) throw new CwmpFault(9004, `more than ${MAX_DU_OPERATIONS} operations in one ChangeDUState`);
  for (const [i, op] of req.operations.entries()) {
    const n = `Operations ${i + 1}`;
    if (op.op === 'Install') {
      if (!op.url) throw new CwmpFault(9003, `${n}: Install needs a URL`);
      checkUrl(op.url, `${n}: URL`);
    } else if (op.op === 'Update' && op.url) {
      checkUrl(op.url, `${n}: URL`);
    }
    if (op.op === 'Update' && !op.uuid && !op.url) throw new CwmpFault(9003, `${n}: Update needs a UUID or a URL`);
    if (op.op === 'Uninstall' && !op.uuid) throw new CwmpFault(9003, `${n}: Uninstall needs a UUID`);
    if ('username' in op) limit(op.username, 256, `${n}: Username`);
    if ('password' in op) limit(op.password, 256, `${n}: Password`);
    if ('version' in op) limit(op.version, 32, `${n}: Version`);
    if ('executionEnvRef' in op) limit(op.executionEnvRef, 256, `${n}: ExecutionEnvRef`);
  }
  if (queue.length >= MAX_QUEUED_DU_CHANGES) throw new CwmpFault(9004, `${queue.length} ChangeDUState requests are already waiting`);
  return {
    id: newId(),
    origin: 'ChangeDUState',
    commandKey: req.commandKey,
    acceptedAt: now,
    operations: req.operations.map((op) => ({ id: newId(), op, startedAt: null, attempts: 0, result: null })),
  };
}

/** What an operation checks before it fetches anything: a fault for its result, or undefined. */
export function operationPrecheck(op: DuOperation): TransferFault | undefined {
  if (op.uuid && !UUID_PATTERN.test(op.uuid)) return { faultCode: 9022, faultString: `Invalid UUID Format: "${op.uuid.slice(0, 40)}"` };
  const url = op.op === 'Uninstall' ? '' : op.url;
  if (url && !transferProtocolSupported(url)) return { faultCode: 9013, faultString: 'Unsupported protocol for file transfer: use http or https' };
  return undefined;
}

/**
 * The UUID of a deployment unit the ACS did not name one for: RFC 4122 version 5 (SHA-1) of
 * its vendor and name, as TR-181 (DeploymentUnit.UUID) asks, so that every device derives the
 * same UUID for the same unit.
 */
export function deploymentUnitUuid(vendor: string, name: string): string {
  // The namespace UUID is our own, fixed: TR-181 leaves the choice to the implementation.
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const hash = createHash('sha1').update(namespace).update(`${vendor}:${name}`, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** A failed operation's result: nothing changed, the unit (if it was known) as it is. */
export function failedResult(op: DuOperation, fault: TransferFault, startTime: Date | null, completeTime: Date | null, unit?: Partial<DuOpResult>): DuOpResult {
  const uuid = unit?.uuid ?? (op.uuid && UUID_PATTERN.test(op.uuid) ? op.uuid : NIL_UUID);
  return {
    uuid,
    deploymentUnitRef: unit?.deploymentUnitRef ?? '',
    version: (unit?.version ?? ('version' in op ? op.version : '')).slice(0, 32),
    // A failed Install leaves no unit; a failed Update or Uninstall leaves the unit installed.
    currentState: unit?.deploymentUnitRef ? 'Installed' : 'Failed',
    resolved: unit?.resolved ?? false,
    executionUnitRefList: unit?.executionUnitRefList ?? '',
    startTime,
    completeTime,
    // Codes a result may not carry (9010 from a file server, 9002) become the nearest it may, the text kept.
    fault: {
      faultCode: faultCodeFor(fault.faultCode, CWMP_NS_1_2, 'du'),
      faultString: fault.faultString.length > 256 ? `${fault.faultString.slice(0, 255)}…` : fault.faultString,
    },
  };
}

/** ManagementServer.DUStateChangeComplPolicy: which autonomous changes the ACS wants to hear of. */
export interface DuChangePolicy {
  enable: boolean;
  /** Install, Update, Uninstall (empty: none). */
  operationTypes: readonly string[];
  resultType: 'Success' | 'Failure' | 'Both';
  /** Fault codes reported for failures; empty: none. */
  faultCodes: readonly string[];
}

export function policyReports(policy: DuChangePolicy, operation: DuOperation['op'], result: DuOpResult): boolean {
  if (!policy.enable || !policy.operationTypes.includes(operation)) return false;
  const failed = result.fault.faultCode !== 0;
  if (policy.resultType === 'Success' && failed) return false;
  if (policy.resultType === 'Failure' && !failed) return false;
  // An empty FaultCodeFilter reports no failures (TR-181).
  return !failed || policy.faultCodes.includes(String(result.fault.faultCode));
}
