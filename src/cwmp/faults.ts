/** CWMP fault codes (TR-069 Annex A, Table 55/56) and the one place faults are built. */

export const CPE_FAULT_STRINGS: Readonly<Record<number, string>> = {
  9000: 'Method not supported',
  9001: 'Request denied',
  9002: 'Internal error',
  9003: 'Invalid arguments',
  9004: 'Resources exceeded',
  9005: 'Invalid parameter name',
  9006: 'Invalid parameter type',
  9007: 'Invalid parameter value',
  9008: 'Attempt to set a non-writable parameter',
  9009: 'Notification request rejected',
  9010: 'File transfer failure',
  9011: 'Upload failure',
  9012: 'File transfer server authentication failure',
  9013: 'Unsupported protocol for file transfer',
  9014: 'File transfer failure: unable to join multicast group',
  9015: 'File transfer failure: unable to contact file server',
  9016: 'File transfer failure: unable to access file',
  9017: 'File transfer failure: unable to complete download',
  9018: 'File transfer failure: file corrupted',
  9019: 'File transfer failure: file authentication failure',
  9020: 'File transfer failure: unable to complete download within specified time windows',
  9021: 'Cancelation of file transfer not permitted in current transfer state',
  9022: 'Invalid UUID Format',
  9023: 'Unknown Execution Environment',
  9024: 'Disabled Execution Environment',
  9025: 'Deployment Unit to Execution Environment Mismatch',
  9026: 'Duplicate Deployment Unit',
  9027: 'System Resources Exceeded',
  9028: 'Unknown Deployment Unit',
  9029: 'Invalid Deployment Unit State',
  9030: 'Invalid Deployment Unit Update: Downgrade not permitted',
  9031: 'Invalid Deployment Unit Update: Version not specified',
  9032: 'Invalid Deployment Unit Update: Version already exists',
};

export const ACS_FAULT_STRINGS: Readonly<Record<number, string>> = {
  8000: 'Method not supported',
  8001: 'Request denied',
  8002: 'Internal error',
  8003: 'Invalid arguments',
  8004: 'Resources exceeded',
  8005: 'Retry request',
  8006: 'ACS version incompatible with CPE',
};

/** One entry of the SetParameterValuesFault list carried by a 9003 fault. */
export interface ParameterFault {
  parameterName: string;
  faultCode: number;
  faultString: string;
}

/**
 * A fault the CPE returns to the ACS. Thrown by RPC handlers and the data model; the session
 * turns it into a SOAP Fault. Anything else thrown becomes 9002.
 */
export class CwmpFault extends Error {
  readonly faultCode: number;
  readonly faultString: string;
  readonly parameterFaults: readonly ParameterFault[];

  constructor(faultCode: number, detail?: string, parameterFaults: readonly ParameterFault[] = []) {
    const base = CPE_FAULT_STRINGS[faultCode] ?? ACS_FAULT_STRINGS[faultCode] ?? 'Fault';
    const faultString = detail ? `${base}: ${detail}` : base;
    super(`${faultCode} ${faultString}`);
    this.name = 'CwmpFault';
    this.faultCode = faultCode;
    this.faultString = faultString;
    this.parameterFaults = parameterFaults;
  }

  /** SOAP faultcode: faults caused by the request are Client, the rest Server. */
  get soapFaultCode(): 'Client' | 'Server' {
    return isServerFault(this.faultCode) ? 'Server' : 'Client';
  }
}

function isServerFault(code: number): boolean {
  return code === 9001 || code === 9002 || code === 9004 || (code >= 9010 && code <= 9020);
}

/** A parameter-level fault for SetParameterValuesFault, with the standard text. */
export function parameterFault(parameterName: string, faultCode: number, detail?: string): ParameterFault {
  const base = CPE_FAULT_STRINGS[faultCode] ?? 'Fault';
  return { parameterName, faultCode, faultString: detail ? `${base}: ${detail}` : base };
}

/** Normalises anything thrown by a handler into a CwmpFault without leaking internals. */
export function toCwmpFault(err: unknown): CwmpFault {
  if (err instanceof CwmpFault) return err;
  return new CwmpFault(9002);
}
