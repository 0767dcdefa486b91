// BinXML sink that writes the record as Windows' XML export does (one line, single quotes).
import { escapeAttribute, escapeText } from '../eventlog/render-xml.js';
import type { BinXmlSink } from './binxml-eval.js';
import { renderScalar } from './values.js';

export class XmlSink implements BinXmlSink {
  private out = '';
  /** The last start tag is still open (`<x a='b'`), waiting for content or its close. */
  private tagOpen = false;

  openElement(name: string): void {
    if (this.tagOpen) this.out += '>';
    this.out += `<${name}`;
    this.tagOpen = true;
  }

  attribute(name: string, value: string): void {
    this.out += ` ${name}='${escapeAttribute(value)}'`;
  }

  attributeValue(name: string, buf: Buffer, offset: number, size: number, type: number): void {
    this.attribute(name, renderScalar(buf, offset, size, type));
  }

  value(buf: Buffer, offset: number, size: number, type: number): void {
    this.text(renderScalar(buf, offset, size, type));
  }

  text(value: string): void {
    if (this.tagOpen) {
      this.out += '>';
      this.tagOpen = false;
    }
    this.out += escapeText(value);
  }

  closeElement(name: string, selfClosing: boolean): void {
    if (this.tagOpen) {
      this.out += selfClosing ? '/>' : `></${name}>`;
      this.tagOpen = false;
    } else {
      this.out += `</${name}>`;
    }
  }

  /** The XML written so far; resets the sink for the next record. */
  take(): string {
    const xml = this.out;
    this.out = '';
    this.tagOpen = false;
    return xml;
  }
}
