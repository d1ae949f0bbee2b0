import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ScenarioError } from './errors.js';

/** One XML element of a scenario file, with the place of its start tag. */
export interface XmlElement {
  name: string;
  /** Attributes in source order, values with XML entities decoded. */
  attributes: Array<[name: string, value: string]>;
  /** Child elements in document order. */
  children: XmlElement[];
  /** Text of each CDATA section directly inside this element, in order (raw, not trimmed). */
  cdata: string[];
  /** 1-based line and column of the `<` of the start tag. */
  line: number;
  column: number;
  /** Line of the first `<![CDATA[` inside this element (keyword errors count from it). */
  cdataLine: number;
}

/** A start tag found by scanning the source text. */
interface TagStart {
  name: string;
  offset: number;
}

const PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  cdataPropName: '#cdata',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // Entities are decoded by decodeEntities() below: only XML's five and character references.
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: false,
});

const ATTRIBUTES_KEY = ':@';

/**
 * Parse a scenario document into elements that know their source line.
 *
 * fast-xml-parser has no position information per element, so the start tags are found
 * again by scanning the source (skipping comments, CDATA sections, processing instructions,
 * the DOCTYPE and quoted attribute values, which may all contain `<`) and paired in document
 * order with the elements of the parsed tree.
 */
export function parseXmlDocument(xml: string, file: string): XmlElement {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new ScenarioError({ file, line: line ?? 1 }, msg, typeof col === 'number' ? col : undefined);
  }

  const lines = new LineIndex(xml);
  const tags = scanStartTags(xml);
  const tree = PARSER.parse(xml) as unknown as FxpNode[];

  let next = 0;
  const build = (nodes: FxpNode[]): { elements: XmlElement[]; cdata: string[] } => {
    const elements: XmlElement[] = [];
    const cdata: string[] = [];
    for (const node of nodes) {
      const name = nodeName(node);
      if (name === undefined || name === '#text' || name.startsWith('?') || name.startsWith('!')) continue;
      if (name === '#cdata') {
        cdata.push(textOf(node[name]));
        continue;
      }
      const tag = tags[next++];
      if (tag === undefined || tag.name !== name) {
        // Should not happen on a document the validator accepted: refuse rather than give wrong lines.
        const where = tag ? lines.place(tag.offset) : { line: 1, column: 1 };
        throw new ScenarioError(
          { file, line: where.line },
          `cannot read this XML (expected <${name}>, found ${tag ? `<${tag.name}>` : 'nothing'})`,
        );
      }
      const place = lines.place(tag.offset);
      const rawAttributes = (node[ATTRIBUTES_KEY] ?? {}) as Record<string, unknown>;
      const attributes: Array<[string, string]> = Object.entries(rawAttributes).map(([k, v]) => [
        k,
        decodeEntities(String(v)),
      ]);
      const inner = build(asNodes(node[name]));
      const cdataOffset = inner.cdata.length > 0 ? xml.indexOf('<![CDATA[', tag.offset) : -1;
      elements.push({
        name,
        attributes,
        children: inner.elements,
        cdata: inner.cdata,
        line: place.line,
        column: place.column,
        cdataLine: cdataOffset >= 0 ? lines.place(cdataOffset).line : place.line,
      });
    }
    return { elements, cdata };
  };

  const top = build(Array.isArray(tree) ? tree : []);
  if (top.elements.length === 0) {
    throw new ScenarioError({ file, line: 1 }, 'No element in xml scenario file');
  }
  if (top.elements.length > 1) {
    const extra = top.elements[1]!;
    throw new ScenarioError(
      { file, line: extra.line },
      `only one root element is allowed (found <${extra.name}> after <${top.elements[0]!.name}>)`,
      extra.column,
    );
  }
  return top.elements[0]!;
}

type FxpNode = Record<string, unknown>;

function nodeName(node: FxpNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ATTRIBUTES_KEY) return key;
  return undefined;
}

function asNodes(value: unknown): FxpNode[] {
  return Array.isArray(value) ? (value as FxpNode[]) : [];
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  let text = '';
  for (const node of asNodes(value)) {
    const t = node['#text'];
    if (t !== undefined) text += String(t);
  }
  return text;
}

/** Decode XML's predefined entities and character references; anything else stays as written. */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    switch (ref) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default: {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
    }
  });
}

/** Offsets of every element start tag, in document order. */
function scanStartTags(xml: string): TagStart[] {
  const tags: TagStart[] = [];
  const n = xml.length;
  let i = 0;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      i = skipPast(xml, '-->', lt + 4);
    } else if (xml.startsWith('<![CDATA[', lt)) {
      i = skipPast(xml, ']]>', lt + 9);
    } else if (xml.startsWith('<?', lt)) {
      i = skipPast(xml, '?>', lt + 2);
    } else if (xml.startsWith('<!', lt)) {
      i = skipDeclaration(xml, lt + 2);
    } else if (xml.startsWith('</', lt)) {
      i = skipTag(xml, lt + 2);
    } else {
      let end = lt + 1;
      while (end < n && !/[\s/>]/.test(xml[end]!)) end++;
      tags.push({ name: xml.slice(lt + 1, end), offset: lt });
      i = skipTag(xml, end);
    }
  }
  return tags;
}

function skipPast(xml: string, terminator: string, from: number): number {
  const at = xml.indexOf(terminator, from);
  return at < 0 ? xml.length : at + terminator.length;
}

/** Skip to after the `>` closing a tag, ignoring `>` and `<` inside quoted attribute values. */
function skipTag(xml: string, from: number): number {
  let quote = '';
  for (let i = from; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return i + 1;
    }
  }
  return xml.length;
}

/** Skip a `<!DOCTYPE ...>` (with an optional `[...]` internal subset) or another `<!...>` declaration. */
function skipDeclaration(xml: string, from: number): number {
  let quote = '';
  let depth = 0;
  for (let i = from; i < xml.length; i++) {
    const c = xml[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (depth > 0 && xml.startsWith('<!--', i)) {
      i = skipPast(xml, '-->', i + 4) - 1;
    } else if (c === '[') {
      depth++;
    } else if (c === ']') {
      depth--;
    } else if (c === '>' && depth <= 0) {
      return i + 1;
    }
  }
  return xml.length;
}

/** Maps string offsets to 1-based line/column (lines end at `\n`, as the validator counts them). */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  place(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }
}
