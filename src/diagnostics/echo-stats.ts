/** What every echo-style test (ping, UDP echo) reports: counts and response times. */

export interface EchoStats {
  ipAddressUsed: string;
  successCount: number;
  failureCount: number;
  /** Response times in microseconds (0 when nothing came back). */
  minUs: number;
  avgUs: number;
  maxUs: number;
}

export function summariseRtts(rttsUs: readonly number[], sent: number, ipAddressUsed: string): EchoStats {
  const ok = rttsUs.length;
  return {
    ipAddressUsed,
    successCount: ok,
    failureCount: Math.max(0, sent - ok),
    minUs: ok ? Math.min(...rttsUs) : 0,
    avgUs: ok ? Math.round(rttsUs.reduce((a, b) => a + b, 0) / ok) : 0,
    maxUs: ok ? Math.max(...rttsUs) : 0,
  };
}

export function noEchoes(sent: number): EchoStats {
  return summariseRtts([], sent, '');
}
