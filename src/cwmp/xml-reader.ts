/**
 * A hardened XML reader: saxes underneath (a strict, well-kept parser), building a small
 * element tree. It refuses DOCTYPE (and so every entity definition and external reference),
 * knows only the five predefined entities, and bounds depth and element count so that a
 * hostile document costs at most linear time in its (already bounded) size.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export interface XmlAttribute {
  local: string;
  uri: string;
  value: string;
}

export interface XmlElement {
  local: string;
  uri: string;
  /** Prefix → namespace bindings visible at this element (for QName values like xsi:type). */
  nsContext: Record<string, string>;
  attributes: XmlAttribute[];
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 48, maxElements: 250_000 };

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

export function readXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;

  parser.on('error', (err) => {
    throw new XmlSyntaxError(err.message);
  });
  parser.on('doctype', () => {
    throw new XmlSyntaxError('DOCTYPE is not allowed');
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (++count > limits.maxElements) throw new XmlSyntaxError('too many elements');
    if (stack.length >= limits.maxDepth) throw new XmlSyntaxError('nesting too deep');
    const parent = stack[stack.length - 1];
    const el: XmlElement = {
      local: tag.local,
      uri: tag.uri,
      nsContext: parent ? parent.nsContext : {},
      attributes: [],
      children: [],
      text: '',
    };
    // for...in rather than Object.keys/values: no array made per element.
    if (hasKeys(tag.ns)) el.nsContext = { ...el.nsContext, ...tag.ns };
    for (const name in tag.attributes) {
      const attr = tag.attributes[name]!;
      if (attr.prefix === 'xmlns' || attr.name === 'xmlns') continue;
      el.attributes.push({ local: attr.local, uri: attr.uri, value: attr.value });
    }
    if (parent) parent.children.push(el);
    else if (root) throw new XmlSyntaxError('more than one root element');
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (text: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  try {
    parser.write(xml).close();
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw err;
    throw new XmlSyntaxError(err instanceof Error ? err.message : String(err));
  }
  if (!root) throw new XmlSyntaxError('no root element');
  return root;
}

/** The first child with this local name, in any namespace (CWMP children are unqualified). */
export function childNamed(el: XmlElement, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local);
}

export function attributeValue(el: XmlElement, local: string, uri?: string): string | undefined {
  return el.attributes.find((a) => a.local === local && (uri === undefined || a.uri === uri))?.value;
}
