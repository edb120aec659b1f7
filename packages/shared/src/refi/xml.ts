/**
 * Safe XML parsing into a small element tree, and escaping for the writer.
 *
 * Any DOCTYPE or ENTITY declaration is refused before parsing (billion laughs,
 * external entities). fast-xml-parser runs with entity processing switched off;
 * only the five predefined entities and numeric character references are
 * decoded, here.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RefiError } from './errors.ts';

export interface XNode {
  /** Local name (namespace prefix removed). */
  name: string;
  /** Attributes by local name (namespace declarations are kept under `xmlns` / `xmlns:p`). */
  attrs: Record<string, string>;
  children: XNode[];
  /** Direct character content (text and CDATA, in order), entities decoded. */
  text: string;
}

const MAX_DEPTH = 1000;

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function fromCodePoint(cp: number): string {
  const invalid = !Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
  return invalid ? '\ufffd' : String.fromCodePoint(cp);
}

/** Decodes predefined entities and character references; leaves anything else as written. */
export function decodeEntities(s: string): string {
  if (s.indexOf('&') < 0) return s;
  return s.replace(/&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|(lt|gt|amp|quot|apos));/g, (_m, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return fromCodePoint(parseInt(dec, 10));
    if (hex !== undefined) return fromCodePoint(parseInt(hex, 16));
    return PREDEFINED[name ?? ''] ?? '';
  });
}

function localName(qname: string): string {
  const i = qname.indexOf(':');
  return i < 0 ? qname : qname.slice(i + 1);
}

type RawItem = Record<string, unknown>;

function isRecord(v: unknown): v is RawItem {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toNodes(items: unknown, depth: number): { children: XNode[]; text: string } {
  const children: XNode[] = [];
  let text = '';
  if (!Array.isArray(items)) return { children, text };
  if (depth > MAX_DEPTH) throw new RefiError('invalid-xml', 'The project file nests elements too deeply to be a genuine REFI-QDA project.');
  for (const item of items) {
    if (!isRecord(item)) continue;
    for (const key of Object.keys(item)) {
      if (key === ':@') continue;
      const value = item[key];
      if (key === '#text') {
        text += decodeEntities(String(value));
      } else if (key === '#cdata') {
        if (Array.isArray(value)) {
          for (const c of value) if (isRecord(c) && c['#text'] !== undefined) text += String(c['#text']);
        }
      } else if (key.startsWith('?') || key.startsWith('!')) {
        continue;
      } else {
        const attrs: Record<string, string> = {};
        const rawAttrs = item[':@'];
        if (isRecord(rawAttrs)) {
          for (const [an, av] of Object.entries(rawAttrs)) {
            const n = an.startsWith('xmlns') ? an : localName(an);
            // attribute-value normalisation: literal tabs/newlines become spaces, references survive
            attrs[n] = decodeEntities(String(av).replace(/[\t\n\r]/g, ' '));
          }
        }
        const inner = toNodes(value, depth + 1);
        children.push({ name: localName(key), attrs, children: inner.children, text: inner.text });
      }
    }
  }
  return { children, text };
}

/** Refuses DOCTYPE / ENTITY declarations anywhere in the document. */
export function assertNoDoctype(xml: string, what: string): void {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) {
    throw new RefiError(
      'xml-entities',
      `The ${what} was refused: it declares a DOCTYPE or entities, which REFI-QDA files never need and which can be used to attack the importer (entity expansion, reading local files).`,
    );
  }
}

/** Parses a document and returns its root element. */
export function parseXml(xml: string, what: string): XNode {
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  assertNoDoctype(text, what);
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    throw new RefiError('invalid-xml', `The ${what} is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}); it may be damaged.`);
  }
  let raw: unknown;
  try {
    const parser = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: false,
      processEntities: false,
      htmlEntities: false,
      removeNSPrefix: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      cdataPropName: '#cdata',
      maxNestedTags: MAX_DEPTH,
    });
    raw = parser.parse(text);
  } catch (e) {
    if (e instanceof RefiError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (/nested/i.test(msg)) {
      throw new RefiError('invalid-xml', `The ${what} nests elements more than ${MAX_DEPTH} levels deep; a genuine REFI-QDA project never does, so it was refused.`);
    }
    throw new RefiError('invalid-xml', `The ${what} could not be read as XML (${msg}).`);
  }
  const { children } = toNodes(raw, 0);
  const root = children[0];
  if (!root) throw new RefiError('invalid-xml', `The ${what} is empty.`);
  return root;
}

export function child(node: XNode, name: string): XNode | undefined {
  return node.children.find((c) => c.name === name);
}

export function childrenNamed(node: XNode, name: string): XNode[] {
  return node.children.filter((c) => c.name === name);
}

/** Namespace URI of the root element (default namespace or the one bound to its prefix). */
export function rootNamespace(root: XNode): string | undefined {
  return root.attrs['xmlns'] ?? Object.entries(root.attrs).find(([k]) => k.startsWith('xmlns:'))?.[1];
}

// ---------------------------------------------------------------- writing

/** Characters XML 1.0 cannot carry at all, even as references. */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeText(s: string): string {
  return s
    .replace(INVALID_XML_CHARS, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

export function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** Renders attributes, skipping undefined/null values. */
export function attrs(list: ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>): string {
  let out = '';
  for (const [k, v] of list) {
    if (v === undefined || v === null) continue;
    out += ` ${k}="${escapeAttr(String(v))}"`;
  }
  return out;
}
