// Evaluates compiled BinXML against a template instance's values and streams the resulting XML
// events into a sink (the EventRecord builder or the XML writer): arrays repeat their element,
// optional NULLs remove their element or attribute, BinXml values recurse with the same chunk.
// Substitution values reach the sink still typed, so it renders only what it needs.
import type { AttributeNode, ContentNode, ElementNode, InstanceNode } from './binxml-nodes.js';
import { parseFragment } from './binxml-parse.js';
import { BinXmlError, type ChunkContext } from './chunk-context.js';
import { ARRAY_FLAG, VALUE_BINXML, VALUE_NULL, renderArray, renderScalar } from './values.js';

export interface BinXmlSink {
  openElement(name: string): void;
  attribute(name: string, value: string): void;
  /** An attribute whose whole value is one scalar substitution value. */
  attributeValue(name: string, buf: Buffer, offset: number, size: number, type: number): void;
  text(value: string): void;
  /** One scalar substitution value (not an array, not BinXml) as element content. */
  value(buf: Buffer, offset: number, size: number, type: number): void;
  /** `selfClosing`: the template wrote `<x/>`; only meaningful when the element got no content. */
  closeElement(name: string, selfClosing: boolean): void;
}

/** Bound on BinXml-in-BinXml recursion. */
const MAX_NESTING = 16;

export class BinXmlEvaluator {
  private nesting = 0;
  // The values of the instances being evaluated, as a stack: an instance's values occupy
  // [base, base + count). Reused across records, so evaluating allocates no value arrays.
  private offsets = new Int32Array(256);
  private sizes = new Int32Array(256);
  private types = new Uint8Array(256);
  private top = 0;

  constructor(
    private readonly ctx: ChunkContext,
    private readonly sink: BinXmlSink,
  ) {}

  /** Evaluate a record's (or value's) top-level nodes. */
  run(nodes: readonly ContentNode[]): void {
    this.nesting = 0;
    this.top = 0;
    this.nodes(nodes, 0, 0, null, '');
  }

  private pushValues(at: number): number {
    const buf = this.ctx.buf;
    const count = buf.readUInt32LE(at);
    const base = this.top;
    if (base + count > this.offsets.length) this.grow(base + count);
    let offset = at + 4 + 4 * count;
    for (let i = 0; i < count; i++) {
      const d = at + 4 + 4 * i;
      const size = buf[d] | (buf[d + 1] << 8); // in bounds: the parser checked the descriptors
      this.offsets[base + i] = offset;
      this.sizes[base + i] = size;
      this.types[base + i] = buf[d + 2];
      offset += size;
    }
    this.top = base + count;
    return count;
  }

  private grow(need: number): void {
    const length = Math.max(need, this.offsets.length * 2);
    const offsets = new Int32Array(length);
    const sizes = new Int32Array(length);
    const types = new Uint8Array(length);
    offsets.set(this.offsets);
    sizes.set(this.sizes);
    types.set(this.types);
    this.offsets = offsets;
    this.sizes = sizes;
    this.types = types;
  }

  /** Type of value `index` of the instance at `base`, NULL when the index is beyond its count. */
  private typeOf(index: number, base: number, count: number): number {
    return index < count ? this.types[base + index] : VALUE_NULL;
  }

  /**
   * `arraySub`/`item`: while repeating an element for an array value, that substitution renders
   * the current item instead of the whole value.
   */
  private nodes(nodes: readonly ContentNode[], base: number, count: number, arraySub: ContentNode | null, item: string): void {
    for (let n = 0; n < nodes.length; n++) {
      const node = nodes[n];
      switch (node.kind) {
        case 'text':
          this.sink.text(node.text);
          break;
        case 'sub':
          if (node === arraySub) this.sink.text(item);
          else if (node.index < count) this.substitution(base + node.index);
          break;
        case 'element':
          this.element(node, base, count);
          break;
        case 'instance':
          this.instance(node);
          break;
      }
    }
  }

  private instance(node: InstanceNode): void {
    const base = this.top;
    const count = this.pushValues(node.valuesAt);
    this.nodes(node.template.nodes, base, count, null, '');
    this.top = base;
  }

  private element(node: ElementNode, base: number, count: number): void {
    const sub = node.controllingSub;
    if (sub !== null) {
      const type = this.typeOf(sub.index, base, count);
      if (type === VALUE_NULL && sub.optional) return;
      if (type & ARRAY_FLAG) {
        const i = base + sub.index;
        for (const item of renderArray(this.ctx.buf, this.offsets[i], this.sizes[i], type)) {
          this.emitElement(node, base, count, sub, item);
        }
        return;
      }
    }
    this.emitElement(node, base, count, null, '');
  }

  private emitElement(node: ElementNode, base: number, count: number, arraySub: ContentNode | null, item: string): void {
    this.sink.openElement(node.name);
    const attributes = node.attributes;
    for (let a = 0; a < attributes.length; a++) this.attribute(attributes[a], base, count);
    this.nodes(node.children, base, count, arraySub, item);
    this.sink.closeElement(node.name, node.selfClosing);
  }

  private attribute(attribute: AttributeNode, base: number, count: number): void {
    const parts = attribute.parts;
    if (parts.length === 1) {
      const part = parts[0];
      if (part.kind === 'text') {
        this.sink.attribute(attribute.name, part.text);
        return;
      }
      const type = this.typeOf(part.index, base, count);
      if (type === VALUE_NULL && part.optional) return;
      if (type !== VALUE_NULL && !(type & ARRAY_FLAG) && type !== VALUE_BINXML) {
        const i = base + part.index;
        this.sink.attributeValue(attribute.name, this.ctx.buf, this.offsets[i], this.sizes[i], type);
        return;
      }
    }
    let text = '';
    for (const part of parts) {
      if (part.kind === 'text') {
        text += part.text;
        continue;
      }
      const type = this.typeOf(part.index, base, count);
      if (type === VALUE_NULL && part.optional) return;
      if (part.index < count) text += this.valueText(base + part.index);
    }
    this.sink.attribute(attribute.name, text);
  }

  /** Value at stack slot `i` as element content. */
  private substitution(i: number): void {
    const type = this.types[i];
    if (type === VALUE_BINXML) this.binXmlValue(this.offsets[i], this.sizes[i]);
    else if (type & ARRAY_FLAG) this.sink.text(this.valueText(i));
    else if (type !== VALUE_NULL) this.sink.value(this.ctx.buf, this.offsets[i], this.sizes[i], type);
  }

  /** Value at stack slot `i` as text (inside an attribute, or an array outside its element). */
  private valueText(i: number): string {
    const type = this.types[i];
    const buf = this.ctx.buf;
    if (type & ARRAY_FLAG) return renderArray(buf, this.offsets[i], this.sizes[i], type).join(',');
    if (type === VALUE_BINXML) return '';
    return renderScalar(buf, this.offsets[i], this.sizes[i], type);
  }

  private binXmlValue(offset: number, size: number): void {
    if (size === 0) return;
    if (++this.nesting > MAX_NESTING) throw new BinXmlError('BinXml values nested too deeply', offset);
    this.nodes(parseFragment(this.ctx, offset, offset + size, this.nesting), 0, 0, null, '');
    this.nesting--;
  }
}
