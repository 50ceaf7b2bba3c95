/**
 * Which CPE fault codes each CWMP namespace's schema allows, and the code to send instead of one
 * it does not. Newer codes refine older ones (9015-9019 are kinds of 9010), so an ACS speaking
 * cwmp-1-0 gets the older, broader code rather than a message its schema rejects.
 *
 * From the Broadband Forum XSDs: RPC faults (FaultCodeType / CPEFaultCodeType) are 9000-9013 in
 * cwmp-1-0, 9000-9019 in cwmp-1-1, 9000-9799 in cwmp-1-2, each with the vendor range 9800-9899.
 * TransferComplete's FaultStruct allows only 0, 9001, 9002, 9010-9012 in cwmp-1-0, adds
 * 9014-9019 in cwmp-1-1, and 9020 plus the extension (9033-9799) and vendor ranges in cwmp-1-2:
 * never 9013 nor 9003.
 */
import type { CwmpNamespace } from './namespaces.js';

const VENDOR = (c: number): boolean => c >= 9800 && c <= 9899;

/**
 * What the fault is reported in: an RPC's Fault, a TransferComplete of a download or an upload,
 * or a (Autonomous)DUStateChangeComplete result (DeploymentUnitCPEFaultCodeType, cwmp-1-2 on).
 */
export type FaultUse = 'rpc' | 'download' | 'upload' | 'du';

const DU_CODES = new Set([0, 9001, 9003, 9012, 9013, 9015, 9016, 9017, 9018]);

function allowed(code: number, ns: CwmpNamespace, use: FaultUse): boolean {
  const version = ns.slice(-3); // "1-0", "1-1", "1-2"
  if (use === 'rpc') {
    if (VENDOR(code)) return true;
    if (version === '1-0') return code >= 9000 && code <= 9013;
    if (version === '1-1') return code >= 9000 && code <= 9019;
    return code >= 9000 && code <= 9799;
  }
  if (use === 'du') return DU_CODES.has(code) || (code >= 9022 && code <= 9799) || VENDOR(code);
  if (code === 0 || code === 9001 || code === 9002 || code === 9010 || code === 9011 || code === 9012) return true;
  if (version === '1-0') return false;
  if (code >= 9014 && code <= 9019) return true;
  if (version === '1-1') return false;
  return code === 9020 || (code >= 9033 && code <= 9799) || VENDOR(code);
}

/** The fault code to send for `code` to an ACS speaking `ns`. */
export function faultCodeFor(code: number, ns: CwmpNamespace, use: FaultUse = 'rpc'): number {
  if (allowed(code, ns, use)) return code;
  const transferKind = code >= 9013 && code <= 9020;
  if (use === 'upload') return transferKind || code === 9011 ? 9011 : 9002;
  // A deployment unit's download failed in a way its result type has no code for; anything else is a refusal.
  if (use === 'du') return code >= 9010 && code <= 9020 ? 9017 : 9001;
  // Not within the time windows: cwmp-1-1 has "unable to complete download"; cwmp-1-0 only the general failure.
  if (code === 9020 && allowed(9017, ns, use)) return 9017;
  if (transferKind) return 9010;
  if (code === 9021) return use === 'rpc' ? 9001 : 9002;
  if (use === 'rpc' && code >= 9022 && code <= 9032) return 9002;
  return 9002;
}
