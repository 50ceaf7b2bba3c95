/**
 * USP path names (TR-369 "Path Names", "Searching" and "Reference Following"): dot-separated
 * segments, where an instance is a number, "*" (every instance) or a search expression in
 * brackets, `[Type=="Normal"&&Stats.BytesSent>1000]`, and a reference parameter followed by "+"
 * (`Interface+`, `LowerLayers#2+`) stands for the object it names. Parsing only: what a path matches is resolved over a
 * device's data model elsewhere. A path that does not parse is a UspError 7008.
 */
import { UspError, UspErrorCode } from './usp-errors.js';

export type Operator = '==' | '!=' | '<=' | '>=' | '<' | '>';

export interface Condition {
  /** A parameter path relative to the instance ("Enable", "Stats.BytesSent"). */
  param: string;
  op: Operator;
  value: string;
}

export type Segment =
  | { kind: 'name'; name: string }
  | { kind: 'instance'; id: number }
  | { kind: 'wildcard' }
  | { kind: 'search'; conditions: Condition[] }
  /** Reference following (TR-369 "Reference Following"): `Interface+`, `LowerLayers#2+` (the 2nd of a list), `LowerLayers#*+` (all). */
  | { kind: 'reference'; name: string; item: number | '*' };

export interface ParsedPath {
  segments: Segment[];
  /** Ends with "." (an object path) rather than a parameter, command or event. */
  isObject: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(\(\)|!)?$/;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_-]*)(?:#(\d+|\*))?\+$/;
const MAX_PATH = 4096;

/** Splits on the dots that separate segments (not those inside brackets or quotes). */
function splitSegments(path: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (const ch of path) {
    if (quoted) {
      current += ch;
      if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"' && depth > 0) quoted = true;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (depth < 0) throw new UspError(UspErrorCode.InvalidPathSyntax, `unbalanced "]" in ${path.slice(0, 64)}`);
    if (ch === '.' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  if (depth !== 0 || quoted) throw new UspError(UspErrorCode.InvalidPathSyntax, `an unclosed "[" or quote in ${path.slice(0, 64)}`);
  out.push(current);
  return out;
}

const OPERATORS: readonly Operator[] = ['==', '!=', '<=', '>=', '<', '>'];

function parseCondition(text: string, path: string): Condition {
  for (let i = 0; i < text.length; i++) {
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) continue;
    const param = text.slice(0, i).trim();
    let value = text.slice(i + op.length).trim();
    if (value.startsWith('"')) {
      if (!value.endsWith('"') || value.length < 2) throw new UspError(UspErrorCode.InvalidPathSyntax, `an unclosed string in ${path.slice(0, 64)}`);
      value = value.slice(1, -1);
    } else if (!/^[A-Za-z0-9_.:+-]+$/.test(value)) {
      throw new UspError(UspErrorCode.InvalidPathSyntax, `a value in ${path.slice(0, 64)} must be a number, true, false or a quoted string`);
    }
    // A relative parameter path, which may follow references ("SSIDReference+.SSID").
    const step = '[A-Za-z_][A-Za-z0-9_]*(?:(?:#(?:\\d+|\\*))?\\+)?';
    if (!new RegExp(`^${step}(\\.${step}|\\.\\d+)*$`).test(param) || param.endsWith('+'))
      throw new UspError(UspErrorCode.InvalidPathSyntax, `"${param.slice(0, 64)}" is not a parameter path in ${path.slice(0, 64)}`);
    return { param, op, value };
  }
  throw new UspError(UspErrorCode.InvalidPathSyntax, `no comparison in [${text.slice(0, 64)}]`);
}

export function parseUspPath(path: string): ParsedPath {
  if (path.length === 0 || path.length > MAX_PATH) throw new UspError(UspErrorCode.InvalidPathSyntax, 'a path is 1 to 4096 characters');
  const isObject = path.endsWith('.');
  const parts = splitSegments(isObject ? path.slice(0, -1) : path);
  const segments = parts.map((part): Segment => {
    if (part === '*') return { kind: 'wildcard' };
    if (/^\d+$/.test(part)) return { kind: 'instance', id: Number(part) };
    if (part.startsWith('[') && part.endsWith(']')) {
      const inner = part.slice(1, -1);
      if (inner.includes('||')) throw new UspError(UspErrorCode.InvalidPathSyntax, 'a search expression combines conditions with && only');
      return { kind: 'search', conditions: inner.split('&&').map((c) => parseCondition(c.trim(), path)) };
    }
    const reference = REFERENCE.exec(part);
    if (reference) {
      const item = reference[2] === undefined ? 1 : reference[2] === '*' ? '*' : Number(reference[2]);
      if (item === 0) throw new UspError(UspErrorCode.InvalidPathSyntax, `list items count from 1 in ${path.slice(0, 64)}`);
      return { kind: 'reference', name: reference[1]!, item };
    }
    if (!NAME.test(part)) throw new UspError(UspErrorCode.InvalidPathSyntax, `"${part.slice(0, 64)}" is not a valid segment of ${path.slice(0, 64)}`);
    return { kind: 'name', name: part };
  });
  if (segments[0]?.kind !== 'name' || segments[0].name !== 'Device') throw new UspError(UspErrorCode.InvalidPath, `${path.slice(0, 64)} is not under Device.`);
  return { segments, isObject };
}

/** Whether a value (as the data model holds it) satisfies a condition; numbers compare as numbers. */
export function satisfies(value: string, c: Condition): boolean {
  const a = Number(value);
  const b = Number(c.value);
  const numeric = value.trim() !== '' && c.value.trim() !== '' && Number.isFinite(a) && Number.isFinite(b);
  switch (c.op) {
    case '==':
      return numeric ? a === b : value === c.value;
    case '!=':
      return numeric ? a !== b : value !== c.value;
    case '<':
      return numeric && a < b;
    case '>':
      return numeric && a > b;
    case '<=':
      return numeric && a <= b;
    case '>=':
      return numeric && a >= b;
  }
}

/** Compiled instance patterns, shared by every device (subscriptions and roles name the same few paths). */
const PATTERNS = new Map<string, RegExp>();
const MAX_PATTERNS = 1024;

/**
 * What a path with "*" for its instances covers, as a RegExp: an object path (ending in ".")
 * what is below it too, a parameter path itself. Compiled once for each path.
 */
export function instancePattern(path: string): RegExp {
  const known = PATTERNS.get(path);
  if (known) return known;
  const escaped = path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\d+');
  const pattern = new RegExp(`^${escaped}${path.endsWith('.') ? '' : '$'}`);
  if (PATTERNS.size >= MAX_PATTERNS) PATTERNS.clear();
  PATTERNS.set(path, pattern);
  return pattern;
}
