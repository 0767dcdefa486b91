// Text of an XML export, decoded as a stream, with a map from character positions back to byte
// offsets (so each event's source_offset is a byte offset whatever the encoding). Windows writes these
// files as UTF-8 (Event Viewer, `wevtutil > file` from cmd) or UTF-16 with a BOM (PowerShell redirect).
import type { ByteSource } from '../types.js';

export type XmlEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Encoding and BOM length from the first bytes; a BOM-less `<` followed by NUL means UTF-16LE. */
export function detectXmlEncoding(head: Uint8Array): { encoding: XmlEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (head[0] === 0x3c && head[1] === 0x00) return { encoding: 'utf-16le', bomLength: 0 };
  if (head[0] === 0x00 && head[1] === 0x3c) return { encoding: 'utf-16be', bomLength: 0 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** Decodes the first bytes for sniffing. */
export function decodeHead(head: Buffer): string {
  const { encoding, bomLength } = detectXmlEncoding(head);
  return new TextDecoder(encoding).decode(head.subarray(bomLength));
}

interface TextChunk {
  startChar: number;
  startByte: number;
  text: string;
}

/** Streams decoded text and answers "which byte does character N start at?" for recent text. */
export class XmlTextStream {
  private readonly chunks: TextChunk[] = [];
  private charsSoFar = 0;
  private bytesSoFar: number;
  private cursorChar = 0;
  private cursorByte: number;
  private readonly wide: boolean;

  private constructor(
    private readonly source: ByteSource,
    private readonly encoding: XmlEncoding,
    private readonly bomLength: number,
  ) {
    this.wide = encoding !== 'utf-8';
    this.bytesSoFar = bomLength;
    this.cursorByte = bomLength;
  }

  static async open(source: ByteSource): Promise<XmlTextStream> {
    const { encoding, bomLength } = detectXmlEncoding(await source.readAt(0, 4));
    return new XmlTextStream(source, encoding, bomLength);
  }

  /** Decoded text, chunk by chunk. Earlier chunks are forgotten: offsets are asked for recent text. */
  async *texts(): AsyncGenerator<string> {
    const decoder = new TextDecoder(this.encoding);
    for await (const bytes of this.source.stream(this.bomLength)) {
      const text = decoder.decode(bytes, { stream: true });
      if (text.length > 0) yield this.remember(text);
    }
    const rest = decoder.decode();
    if (rest.length > 0) yield this.remember(rest);
  }

  /**
   * Byte offset of character `position` (counted from the first character after the BOM). Exact for
   * valid UTF-8 and UTF-16; where invalid UTF-8 was replaced by U+FFFD it can run ahead, so it is
   * clamped to the file size.
   */
  byteOffset(position: number): number {
    return Math.min(this.source.size, this.unclampedByteOffset(position));
  }

  private unclampedByteOffset(position: number): number {
    if (this.wide) return this.bomLength + 2 * position;
    const chunk = this.chunks.find((c) => position >= c.startChar && position <= c.startChar + c.text.length);
    if (!chunk) return this.cursorByte;
    if (this.cursorChar < chunk.startChar || this.cursorChar > position) {
      this.cursorChar = chunk.startChar;
      this.cursorByte = chunk.startByte;
    }
    const from = this.cursorChar - chunk.startChar;
    this.cursorByte += Buffer.byteLength(chunk.text.slice(from, position - chunk.startChar), 'utf8');
    this.cursorChar = position;
    return this.cursorByte;
  }

  private remember(text: string): string {
    this.chunks.push({ startChar: this.charsSoFar, startByte: this.bytesSoFar, text });
    // A tag can start in the chunk before the one being parsed; older chunks are not needed.
    if (this.chunks.length > 2) this.chunks.shift();
    this.charsSoFar += text.length;
    this.bytesSoFar += this.wide ? 2 * text.length : Buffer.byteLength(text, 'utf8');
    return text;
  }
}
