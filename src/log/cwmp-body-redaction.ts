/**
 * Secret values cut out of a CWMP body for the wire trace and the log, found by parsing the
 * message as the CPE does (any namespace prefix, CDATA, character references, whitespace around
 * a name), not by matching one spelling of it. Everything else of the body stays as it went over
 * the wire; only the content of each secret element becomes `[hidden]`.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

/** What a secret is shown as. */
export const HIDDEN = '[hidden]';
const SECRET_WORDS = 'Password|Passphrase|Key|PSK|Secret';
/** Parameter names whose values are secret. */
const SECRET_PARAMETER_NAME = new RegExp(`(${SECRET_WORDS})(\\b|$)`, 'i');

/** Whether a parameter's value is a secret (a password, key, PSK...), by its name or path. */
export function isSecretParameterName(name: string): boolean {
  return SECRET_PARAMETER_NAME.test(name);
}
/** A body that names a secret anywhere (for one that cannot be parsed). */
const NAMES_A_SECRET = new RegExp(SECRET_WORDS, 'i');
/** Below this length a leftover is not looked for in the result (it would match ordinary text). */
const CHECKED_SECRET_LENGTH = 4;

interface Found {
  /** [start, end) of the element's content in the body. */
  cuts: [number, number][];
  /** The secret values as the parser read them. */
  secrets: string[];
}

/** The content ranges of secret elements, or undefined when the body is not well-formed XML. */
function findSecrets(xml: string): Found | undefined {
  const found: Found = { cuts: [], secrets: [] };
  const parser = new SaxesParser({ xmlns: true, position: true });
  let struct: { name: string; value?: { start: number; end: number; text: string } } | undefined;
  let open: { local: 'Name' | 'Value' | 'Password'; start: number; text: string } | undefined;
  // saxes counts characters; a body with characters outside the BMP would shift the ranges.
  if (/[\uD800-\uDFFF]/.test(xml)) return undefined;
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (tag.local === 'ParameterValueStruct') struct = { name: '' };
    else if (!tag.isSelfClosing && ((struct && (tag.local === 'Name' || tag.local === 'Value')) || tag.local === 'Password'))
      open = { local: tag.local as 'Name' | 'Value' | 'Password', start: parser.position, text: '' };
  });
  parser.on('text', (text) => {
    if (open) open.text += text;
  });
  parser.on('cdata', (text) => {
    if (open) open.text += text;
  });
  parser.on('closetag', (tag: SaxesTagNS) => {
    if (open && tag.local === open.local) {
      const end = xml.lastIndexOf('</', parser.position - 1);
      if (open.local === 'Name') struct!.name = open.text.trim();
      else if (open.local === 'Value') struct!.value = { start: open.start, end, text: open.text };
      else if (open.text !== '') {
        found.cuts.push([open.start, end]);
        found.secrets.push(open.text);
      }
      open = undefined;
    }
    if (tag.local === 'ParameterValueStruct' && struct) {
      // Decided at the struct's end: a Value may come before its Name.
      if (struct.value && struct.value.text !== '' && SECRET_PARAMETER_NAME.test(struct.name)) {
        found.cuts.push([struct.value.start, struct.value.end]);
        found.secrets.push(struct.value.text);
      }
      struct = undefined;
    }
  });
  try {
    parser.write(xml).close();
  } catch {
    return undefined;
  }
  return found;
}

/**
 * The body with every secret value hidden. A body that cannot be parsed (or whose secrets could
 * not all be cut out) is hidden whole when it names a secret at all: better a missing body in a
 * trace than a password in it.
 */
export function redactSecretValues(xml: string): string {
  if (!xml.includes('<')) return xml;
  const found = findSecrets(xml);
  if (!found) return NAMES_A_SECRET.test(xml) ? `${HIDDEN} (a body that names a secret and could not be read)` : xml;
  if (found.cuts.length === 0) return xml;
  let out = xml;
  for (const [start, end] of [...found.cuts].sort((a, b) => b[0] - a[0])) out = `${out.slice(0, start)}${HIDDEN}${out.slice(end)}`;
  // A last check: none of the secrets as read (or as written raw) is left anywhere.
  if (found.secrets.some((s) => s.trim().length >= CHECKED_SECRET_LENGTH && out.includes(s.trim()))) return `${HIDDEN} (a body holding secrets)`;
  return out;
}
