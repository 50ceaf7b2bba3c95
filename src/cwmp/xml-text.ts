/** Text escaping and value formatting for the messages the CPE writes. */

// Characters XML 1.0 cannot carry at all (C0 controls but tab/newline/CR, lone surrogates, FFFE/FFFF).
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_WORK = /[&<>"\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** Escapes text for element content or a double-quoted attribute; drops characters XML cannot hold. */
export function escapeXml(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  return (
    s
      .replace(INVALID_XML_CHARS, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // A parser turns a bare CR into LF; a reference keeps it.
      .replace(/\r/g, '&#13;')
  );
}

/** The "unknown time" of TR-069: 0001-01-01T00:00:00Z. */
export const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

/** xsd:dateTime in UTC without fractional seconds; null (unknown) as 0001-01-01T00:00:00Z. */
export function formatDateTime(date: Date | null): string {
  if (!date || Number.isNaN(date.getTime())) return UNKNOWN_TIME;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
