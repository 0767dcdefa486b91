// BinXML tokens → compiled nodes (evtx-format.md sections 5 and 6). Template definitions are
// parsed once per chunk and cached by offset; record fragments (template instances, flat records,
// BinXml values) are parsed per use. All positions are chunk-relative.
import type { AttributeNode, ContentNode, ElementNode, InstanceNode, SubstitutionNode, Template, TextNode } from './binxml-nodes.js';
import { BinXmlError, type ChunkContext } from './chunk-context.js';
import { wellFormed } from './values.js';

const TOKEN_EOF = 0x00;
const TOKEN_OPEN_ELEMENT = 0x01;
const TOKEN_CLOSE_START = 0x02;
const TOKEN_CLOSE_EMPTY = 0x03;
const TOKEN_END_ELEMENT = 0x04;
const TOKEN_VALUE = 0x05;
const TOKEN_ATTRIBUTE = 0x06;
const TOKEN_CDATA = 0x07;
const TOKEN_CHAR_REF = 0x08;
const TOKEN_ENTITY_REF = 0x09;
const TOKEN_PI_TARGET = 0x0a;
const TOKEN_PI_DATA = 0x0b;
const TOKEN_TEMPLATE_INSTANCE = 0x0c;
const TOKEN_SUBSTITUTION = 0x0d;
const TOKEN_OPTIONAL_SUBSTITUTION = 0x0e;
const TOKEN_FRAGMENT_HEADER = 0x0f;
/** "More data follows" bit: attributes present, or another attribute follows. */
const TOKEN_MORE = 0x40;

/** Template-definition header: u32 next offset, 16-byte GUID, u32 data size. */
const TEMPLATE_HEADER_SIZE = 24;
/** Nesting bound for elements and templates; real logs stay far below it. */
const MAX_DEPTH = 64;

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class FragmentParser {
  private pos: number;
  private depth = 0;

  constructor(
    private readonly ctx: ChunkContext,
    start: number,
    private readonly end: number,
    /** Open-element tokens carry a u16 dependency id inside template definitions only. */
    private readonly inTemplate: boolean,
    private readonly templateDepth: number,
  ) {
    this.pos = start;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.end) throw new BinXmlError(`BinXML runs past its end (${this.end})`, this.pos);
  }

  private u8(): number {
    this.need(1);
    return this.ctx.buf[this.pos++];
  }

  private u16(): number {
    this.need(2);
    const v = this.ctx.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4);
    const v = this.ctx.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  private utf16(count: number): string {
    this.need(2 * count);
    const text = wellFormed(this.ctx.buf.toString('utf16le', this.pos, this.pos + 2 * count));
    this.pos += 2 * count;
    return text;
  }

  /** A name reference; when the name is stored inline (offset = here) skip over it. */
  private nameRef(): string {
    const offset = this.u32();
    const name = this.ctx.name(offset);
    if (offset === this.pos) {
      this.pos += this.ctx.nameSize(offset);
      if (this.pos > this.end) throw new BinXmlError('inline name runs past the fragment', offset);
    }
    return name;
  }

  /** Tokens up to EOF or the end of the range. */
  fragment(): ContentNode[] {
    const nodes: ContentNode[] = [];
    while (this.pos < this.end) {
      const token = this.ctx.buf[this.pos];
      if (token === TOKEN_EOF) {
        this.pos++;
        break;
      }
      if (token === TOKEN_FRAGMENT_HEADER) {
        this.need(4);
        this.pos += 4;
        continue;
      }
      if (token === TOKEN_END_ELEMENT || token === TOKEN_CLOSE_START || token === TOKEN_CLOSE_EMPTY) {
        throw new BinXmlError(`unexpected token 0x${token.toString(16)} outside an element`, this.pos);
      }
      this.content(nodes);
    }
    return nodes;
  }

  /** One content token at pos, appended to `into`. */
  private content(into: ContentNode[]): void {
    const start = this.pos;
    const token = this.u8();
    switch (token & ~TOKEN_MORE) {
      case TOKEN_OPEN_ELEMENT:
        into.push(this.element(token, start));
        return;
      case TOKEN_VALUE:
        into.push(this.valueText());
        return;
      case TOKEN_CDATA:
        into.push({ kind: 'text', text: this.utf16(this.u16()) });
        return;
      case TOKEN_CHAR_REF:
        into.push({ kind: 'text', text: String.fromCharCode(this.u16()) });
        return;
      case TOKEN_ENTITY_REF: {
        const name = this.nameRef();
        into.push({ kind: 'text', text: ENTITIES[name] ?? `&${name};` });
        return;
      }
      case TOKEN_PI_TARGET:
        this.nameRef();
        return;
      case TOKEN_PI_DATA:
        this.utf16(this.u16());
        return;
      case TOKEN_SUBSTITUTION:
      case TOKEN_OPTIONAL_SUBSTITUTION:
        into.push(this.substitution(token));
        return;
      case TOKEN_TEMPLATE_INSTANCE:
        into.push(this.instance());
        return;
      default:
        throw new BinXmlError(`unknown BinXML token 0x${token.toString(16)}`, start);
    }
  }

  private valueText(): TextNode {
    const type = this.u8();
    if (type !== 0x01) throw new BinXmlError(`value text of type 0x${type.toString(16)}, expected string`, this.pos - 1);
    return { kind: 'text', text: this.utf16(this.u16()) };
  }

  private substitution(token: number): SubstitutionNode {
    const index = this.u16();
    this.u8(); // declared type; the value descriptor's own type is what counts
    return { kind: 'sub', index, optional: (token & ~TOKEN_MORE) === TOKEN_OPTIONAL_SUBSTITUTION };
  }

  /**
   * Open-element header. The u16 dependency id is present inside template definitions and absent
   * in flat records and BinXml values; if the expected layout names an impossible name offset,
   * the other layout is tried (some writers differ from the rule).
   */
  private elementName(start: number): string {
    const withDep = start + 1 + 2 + 4;
    const withoutDep = start + 1 + 4;
    let nameAt = this.inTemplate ? withDep : withoutDep;
    if (!this.nameFitsAt(nameAt)) {
      const other = nameAt === withDep ? withoutDep : withDep;
      if (!this.nameFitsAt(other)) throw new BinXmlError('element name offset is not a valid name', start);
      nameAt = other;
    }
    this.pos = nameAt;
    return this.nameRef();
  }

  /** Is there a plausible name offset at `at`? */
  private nameFitsAt(at: number): boolean {
    return at + 4 <= this.end && this.ctx.plausibleName(this.ctx.buf.readUInt32LE(at), at + 4);
  }

  private element(token: number, start: number): ElementNode {
    if (++this.depth > MAX_DEPTH) throw new BinXmlError('elements nested too deeply', start);
    const name = this.elementName(start);
    const attributes: AttributeNode[] = [];
    if (token & TOKEN_MORE) {
      this.u32(); // attribute list size
      while (this.pos < this.end && (this.ctx.buf[this.pos] & ~TOKEN_MORE) === TOKEN_ATTRIBUTE) {
        this.pos++;
        attributes.push({ name: this.nameRef(), parts: this.attributeValue() });
      }
    }
    const children: ContentNode[] = [];
    let controllingSub: SubstitutionNode | null = null;
    const close = this.u8();
    if (close === TOKEN_CLOSE_START) {
      for (;;) {
        this.need(1);
        const next = this.ctx.buf[this.pos];
        if (next === TOKEN_END_ELEMENT) {
          this.pos++;
          break;
        }
        if (next === TOKEN_EOF) throw new BinXmlError(`element ${name} not closed`, this.pos);
        this.content(children);
        const last = children[children.length - 1];
        if (controllingSub === null && last?.kind === 'sub') controllingSub = last;
      }
    } else if (close !== TOKEN_CLOSE_EMPTY) {
      throw new BinXmlError(`element ${name}: token 0x${close.toString(16)} where its start tag should close`, this.pos - 1);
    }
    this.depth--;
    return { kind: 'element', name, attributes, children, selfClosing: close === TOKEN_CLOSE_EMPTY, controllingSub };
  }

  private attributeValue(): (TextNode | SubstitutionNode)[] {
    const parts: (TextNode | SubstitutionNode)[] = [];
    while (this.pos < this.end) {
      const token = this.ctx.buf[this.pos] & ~TOKEN_MORE;
      if (token === TOKEN_VALUE) {
        this.pos++;
        parts.push(this.valueText());
      } else if (token === TOKEN_SUBSTITUTION || token === TOKEN_OPTIONAL_SUBSTITUTION) {
        parts.push(this.substitution(this.u8()));
      } else if (token === TOKEN_CHAR_REF) {
        this.pos++;
        parts.push({ kind: 'text', text: String.fromCharCode(this.u16()) });
      } else if (token === TOKEN_ENTITY_REF) {
        this.pos++;
        const name = this.nameRef();
        parts.push({ kind: 'text', text: ENTITIES[name] ?? `&${name};` });
      } else {
        break;
      }
    }
    return parts;
  }

  /** Template instance: 0x0c, u8, u32 id, u32 definition offset, [inline definition], values. */
  private instance(): InstanceNode {
    this.u8();
    this.u32(); // template id
    const definitionAt = this.u32();
    const inline = definitionAt === this.pos;
    const template = templateAt(this.ctx, definitionAt, this.templateDepth + 1);
    if (inline) {
      this.pos = definitionAt + TEMPLATE_HEADER_SIZE + this.ctx.buf.readUInt32LE(definitionAt + 20);
      if (this.pos > this.end) throw new BinXmlError('inline template runs past the record', definitionAt);
    }
    const buf = this.ctx.buf;
    const valuesAt = this.pos;
    this.need(4);
    const count = buf.readUInt32LE(valuesAt);
    this.need(4 + 4 * count);
    let size = 0;
    for (let d = valuesAt + 4; d < valuesAt + 4 + 4 * count; d += 4) size += buf[d] | (buf[d + 1] << 8);
    this.need(4 + 4 * count + size);
    this.pos += 4 + 4 * count + size;
    return { kind: 'instance', template, valuesAt };
  }
}

/** The template definition at a chunk offset, parsed on first use and cached for the chunk. */
export function templateAt(ctx: ChunkContext, offset: number, depth = 0): Template {
  const cached = ctx.templates.get(offset);
  if (cached) return cached;
  if (cached === null) throw new BinXmlError('template refers to itself', offset);
  if (depth > MAX_DEPTH) throw new BinXmlError('templates nested too deeply', offset);
  if (offset < 512 || offset + TEMPLATE_HEADER_SIZE > ctx.buf.length) {
    throw new BinXmlError(`template offset ${offset} outside the chunk's record area`, offset);
  }
  const dataSize = ctx.buf.readUInt32LE(offset + 20);
  const start = offset + TEMPLATE_HEADER_SIZE;
  if (start + dataSize > ctx.buf.length) throw new BinXmlError(`template at ${offset} runs past the chunk`, offset);
  ctx.templates.set(offset, null);
  try {
    const nodes = new FragmentParser(ctx, start, start + dataSize, true, depth).fragment();
    const template = { nodes };
    ctx.templates.set(offset, template);
    return template;
  } catch (error) {
    ctx.templates.delete(offset);
    throw error;
  }
}

/** A fragment outside template definitions (a record's BinXML, a BinXml value). */
export function parseFragment(ctx: ChunkContext, start: number, end: number, depth = 0): ContentNode[] {
  return new FragmentParser(ctx, start, end, false, depth).fragment();
}
