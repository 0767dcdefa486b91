// Evaluates compiled BinXML against a template instance's values and streams the resulting XML
// events into a sink (the EventRecord builder or the XML writer): arrays repeat their element,
// optional NULLs remove their element or attribute, BinXml values recurse with the same chunk.
import type { AttributeNode, ContentNode, ElementNode, InstanceNode } from './binxml-nodes.js';
import { parseFragment } from './binxml-parse.js';
import { BinXmlError, type ChunkContext } from './chunk-context.js';
import { ARRAY_FLAG, VALUE_BINXML, VALUE_NULL, renderArray, renderScalar } from './values.js';

export interface BinXmlSink {
  openElement(name: string): void;
  attribute(name: string, value: string): void;
  text(value: string): void;
  /** `selfClosing`: the template wrote `<x/>`; only meaningful when the element got no content. */
  closeElement(name: string, selfClosing: boolean): void;
}

/** The value array of one template instance: per value its chunk offset, size and type. */
interface Values {
  readonly offsets: Int32Array;
  readonly sizes: Int32Array;
  readonly types: Uint8Array;
}

const NO_VALUES: Values = { offsets: new Int32Array(0), sizes: new Int32Array(0), types: new Uint8Array(0) };
/** Bound on BinXml-in-BinXml recursion. */
const MAX_NESTING = 16;

function readValues(ctx: ChunkContext, at: number): Values {
  const buf = ctx.buf;
  const count = buf.readUInt32LE(at);
  const offsets = new Int32Array(count);
  const sizes = new Int32Array(count);
  const types = new Uint8Array(count);
  let offset = at + 4 + 4 * count;
  for (let i = 0; i < count; i++) {
    const d = at + 4 + 4 * i;
    const size = buf.readUInt16LE(d);
    offsets[i] = offset;
    sizes[i] = size;
    types[i] = buf[d + 2];
    offset += size;
  }
  return { offsets, sizes, types };
}

export class BinXmlEvaluator {
  private nesting = 0;

  constructor(
    private readonly ctx: ChunkContext,
    private readonly sink: BinXmlSink,
  ) {}

  /** Evaluate a record's (or value's) top-level nodes. */
  run(nodes: readonly ContentNode[]): void {
    this.nesting = 0;
    this.nodes(nodes, NO_VALUES, null, '');
  }

  /**
   * `arraySub`/`item`: while repeating an element for an array value, that substitution renders
   * the current item instead of the whole value.
   */
  private nodes(nodes: readonly ContentNode[], values: Values, arraySub: ContentNode | null, item: string): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.sink.text(node.text);
          break;
        case 'sub':
          if (node === arraySub) this.sink.text(item);
          else this.substitution(node.index, values);
          break;
        case 'element':
          this.element(node, values);
          break;
        case 'instance':
          this.instance(node);
          break;
      }
    }
  }

  private instance(node: InstanceNode): void {
    this.nodes(node.template.nodes, readValues(this.ctx, node.valuesAt), null, '');
  }

  private element(node: ElementNode, values: Values): void {
    const sub = node.controllingSub;
    if (sub !== null) {
      const type = sub.index < values.types.length ? values.types[sub.index] : VALUE_NULL;
      if (type === VALUE_NULL && sub.optional) return;
      if (type & ARRAY_FLAG) {
        const i = sub.index;
        for (const item of renderArray(this.ctx.buf, values.offsets[i], values.sizes[i], type)) {
          this.emitElement(node, values, sub, item);
        }
        return;
      }
    }
    this.emitElement(node, values, null, '');
  }

  private emitElement(node: ElementNode, values: Values, arraySub: ContentNode | null, item: string): void {
    this.sink.openElement(node.name);
    for (const attribute of node.attributes) this.attribute(attribute, values);
    this.nodes(node.children, values, arraySub, item);
    this.sink.closeElement(node.name, node.selfClosing);
  }

  private attribute(attribute: AttributeNode, values: Values): void {
    let text = '';
    for (const part of attribute.parts) {
      if (part.kind === 'text') {
        text += part.text;
        continue;
      }
      const type = part.index < values.types.length ? values.types[part.index] : VALUE_NULL;
      if (type === VALUE_NULL && part.optional) return;
      text += this.valueText(part.index, values);
    }
    this.sink.attribute(attribute.name, text);
  }

  private substitution(index: number, values: Values): void {
    if (index >= values.types.length) return;
    if (values.types[index] === VALUE_BINXML) {
      this.binXmlValue(values.offsets[index], values.sizes[index]);
      return;
    }
    this.sink.text(this.valueText(index, values));
  }

  private valueText(index: number, values: Values): string {
    if (index >= values.types.length) return '';
    const type = values.types[index];
    const buf = this.ctx.buf;
    if (type & ARRAY_FLAG) return renderArray(buf, values.offsets[index], values.sizes[index], type).join(',');
    if (type === VALUE_BINXML) return '';
    return renderScalar(buf, values.offsets[index], values.sizes[index], type);
  }

  private binXmlValue(offset: number, size: number): void {
    if (size === 0) return;
    if (++this.nesting > MAX_NESTING) throw new BinXmlError('BinXml values nested too deeply', offset);
    this.nodes(parseFragment(this.ctx, offset, offset + size, this.nesting), NO_VALUES, null, '');
    this.nesting--;
  }
}
