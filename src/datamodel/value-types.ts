/** TR-106 data types on the wire: validation and canonical form of values set by the ACS. */
import type { WireType } from '../cwmp/messages.js';

export interface ValueConstraints {
  type: WireType;
  maxLength?: number;
  min?: number;
  max?: number;
  enumeration?: readonly string[];
  /** A comma-separated list (TR-106 list): the enumeration applies to each item, items once each. */
  list?: boolean;
}

export type ValueCheck = { ok: true; value: string } | { ok: false; faultCode: 9006 | 9007; reason: string };

const INT_RANGES: Partial<Record<WireType, [bigint, bigint]>> = {
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  unsignedInt: [0n, 2n ** 32n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  unsignedLong: [0n, 2n ** 64n - 1n],
};

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Validates a value for a parameter. A wrong xsi:type (when the ACS gave one) is 9006; a value
 * that does not fit the type, range, size or enumeration is 9007.
 */
export function checkValue(raw: string, c: ValueConstraints, xsiType?: string): ValueCheck {
  if (xsiType !== undefined && !typeCompatible(xsiType, c.type)) {
    return { ok: false, faultCode: 9006, reason: `expected ${c.type}, got ${xsiType}` };
  }
  const range = INT_RANGES[c.type];
  if (range) {
    const v = raw.trim();
    if (!/^[-+]?\d+$/.test(v)) return { ok: false, faultCode: 9007, reason: `"${short(raw)}" is not an ${c.type}` };
    const n = BigInt(v);
    if (n < range[0] || n > range[1]) return { ok: false, faultCode: 9007, reason: `${v} is out of the ${c.type} range` };
    if ((c.min !== undefined && n < BigInt(c.min)) || (c.max !== undefined && n > BigInt(c.max))) {
      return { ok: false, faultCode: 9007, reason: `${v} is outside ${c.min ?? ''}..${c.max ?? ''}` };
    }
    return { ok: true, value: n.toString() };
  }
  switch (c.type) {
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return { ok: true, value: 'true' };
      if (v === 'false' || v === '0') return { ok: true, value: 'false' };
      return { ok: false, faultCode: 9007, reason: `"${short(raw)}" is not a boolean` };
    }
    case 'dateTime': {
      const v = raw.trim();
      if (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v.startsWith('0001-') ? `2000${v.slice(4)}` : v))) {
        return { ok: false, faultCode: 9007, reason: `"${short(raw)}" is not a dateTime` };
      }
      return { ok: true, value: v };
    }
    case 'base64':
      if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(raw)) return { ok: false, faultCode: 9007, reason: 'not base64' };
      return lengthOk(raw.replace(/\s/g, ''), c);
    case 'hexBinary':
      if (!/^([0-9A-Fa-f]{2})*$/.test(raw.trim())) return { ok: false, faultCode: 9007, reason: 'not hexBinary' };
      return lengthOk(raw.trim(), c);
    default: {
      if (c.list && c.enumeration) return listOk(raw, c, c.enumeration);
      if (c.enumeration && !c.enumeration.includes(raw)) {
        return { ok: false, faultCode: 9007, reason: `"${short(raw)}" is not one of ${c.enumeration.join(', ')}` };
      }
      return lengthOk(raw, c);
    }
  }
}

/** A list of enumerated items, canonical without blanks around the commas. */
function listOk(raw: string, c: ValueConstraints, allowed: readonly string[]): ValueCheck {
  const items = raw.trim() === '' ? [] : raw.split(',').map((i) => i.trim());
  const wrong = items.find((i) => !allowed.includes(i));
  if (wrong !== undefined) return { ok: false, faultCode: 9007, reason: `"${short(wrong)}" is not one of ${allowed.join(', ')}` };
  if (new Set(items).size !== items.length) return { ok: false, faultCode: 9007, reason: 'an item appears twice' };
  return lengthOk(items.join(','), c);
}

function lengthOk(value: string, c: ValueConstraints): ValueCheck {
  if (c.maxLength !== undefined && value.length > c.maxLength) {
    return { ok: false, faultCode: 9007, reason: `longer than ${c.maxLength} characters` };
  }
  return { ok: true, value };
}

/** An xsi:type the ACS sent is acceptable when it names the parameter's type (or a string for any). */
function typeCompatible(xsiType: string, type: WireType): boolean {
  if (xsiType === type || (xsiType === 'base64Binary' && type === 'base64')) return true;
  // Widely deployed ACSes send numbers as xsd:int or xsd:string; accept what converts losslessly.
  if (xsiType === 'string') return true;
  const integers: WireType[] = ['int', 'unsignedInt', 'long', 'unsignedLong'];
  return integers.includes(xsiType as WireType) && integers.includes(type);
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
