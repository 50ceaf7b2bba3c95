/** When the next periodic Inform is due (TR-181 ManagementServer.PeriodicInformTime/Interval). */

/**
 * With a known PeriodicInformTime, Informs fall on that time plus whole multiples of the
 * interval (before or after it); otherwise the interval counts from `base` (the agent's start
 * or the last change of the settings). Returns epoch milliseconds strictly after `now`.
 */
export function nextPeriodicInform(now: number, intervalSeconds: number, informTime: number | null, base: number): number {
  const interval = Math.max(1, intervalSeconds) * 1000;
  const anchor = informTime ?? base;
  const k = Math.floor((now - anchor) / interval) + 1;
  return anchor + k * interval;
}

/** PeriodicInformTime as epoch milliseconds, or null for the unknown time (0001-01-01...). */
export function parsePeriodicInformTime(value: string): number | null {
  if (value.startsWith('0001-01-01')) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}
