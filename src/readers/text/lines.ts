// Streams the lines of a text log with their byte offsets and 1-based line numbers, in bounded
// memory. Encoding: a BOM decides (UTF-8, UTF-16LE, UTF-16BE); without one each line is UTF-8 unless
// it is not valid UTF-8, in which case it is Windows-1252 (what Windows servers wrote).
import type { ByteSource } from '../types.js';
import { decodeWindows1252 } from './windows-1252.js';

export interface TextLine {
  /** The line without its CR/LF. */
  text: string;
  /** 1-based line number. */
  lineNo: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Byte offset just past the line terminator. */
  nextOffset: number;
  /** True when the line was cut at MAX_LINE_BYTES. */
  truncated: boolean;
}

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

/** Bytes read from the file at a time. */
const READ_BYTES = 256 * 1024;

/**
 * Bytes of lines handed out per batch. A batch's lines and the records made of them live until the
 * batch is stored, and what outlives a young-generation collection is copied and may be promoted:
 * on a 250 MB IIS log, 32 KiB batches and a 16 MB young generation for the reading thread together
 * peaked ~40 MB lower than 256 KiB batches under V8's default, at the same CPU.
 */
const LINE_BATCH_BYTES = 32 * 1024;

/** Lines longer than this are cut (and flagged) so one endless line cannot exhaust memory. */
export const MAX_LINE_BYTES = 1 << 20;

/** Detects the encoding from the first bytes. */
export function detectEncoding(head: Uint8Array): { encoding: TextEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8-bom', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** Decodes the first bytes of a file as text (for sniffing), whatever its encoding. */
export function headText(head: Buffer): string {
  const { encoding, bomLength } = detectEncoding(head);
  const body = head.subarray(bomLength);
  if (encoding === 'utf-16le') return body.subarray(0, body.length & ~1).toString('utf16le');
  if (encoding === 'utf-16be') return swap16(body.subarray(0, body.length & ~1)).toString('utf16le');
  return decodeSingleByteLine(body, 0, body.length);
}

function swap16(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  return copy.swap16();
}

function decodeSingleByteLine(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end);
  return text.includes('\uFFFD') ? decodeWindows1252(buf, start, end) : text;
}

/**
 * Yields every line of the source from byte 0. Callers that honour `source.emitFrom` parse
 * directives from all lines but emit records only for lines with `offset >= emitFrom`.
 */
export async function* readLines(source: ByteSource): AsyncGenerator<TextLine> {
  for await (const lines of readLineBatches(source)) yield* lines;
}

/** The lines of the source, about LINE_BATCH_BYTES of them at a time: what hot readers loop over. */
export async function* readLineBatches(source: ByteSource): AsyncGenerator<TextLine[]> {
  for await (const spans of readLineSpans(source)) {
    const lines = new Array<TextLine>(spans.count);
    for (let i = 0; i < spans.count; i++) {
      lines[i] = { text: spans.text(i), lineNo: spans.firstLineNo + i, offset: spans.offset(i), nextOffset: spans.nextOffset(i), truncated: i === spans.truncated };
    }
    yield lines;
  }
}

/**
 * A batch of lines as byte ranges of one buffer, for readers that parse bytes rather than strings.
 * Valid until the next batch is asked for (its arrays are reused).
 */
export class LineSpans {
  encoding: TextEncoding = 'utf-8';
  /** The bytes holding the lines. */
  bytes: Buffer = Buffer.alloc(0);
  /** File offset of bytes[0]. */
  base = 0;
  count = 0;
  firstLineNo = 1;
  /** Index of the line cut at MAX_LINE_BYTES, or -1. */
  truncated = -1;
  /** Line i is bytes[start[i], end[i]) without its LF; `next[i]` is just past the LF. */
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  next = new Int32Array(1024);

  /** True when each line's bytes are one byte per character (not UTF-16). */
  get singleByte(): boolean {
    return this.encoding === 'utf-8' || this.encoding === 'utf-8-bom';
  }

  offset(i: number): number {
    return this.base + this.start[i];
  }

  nextOffset(i: number): number {
    return this.base + this.next[i];
  }

  /**
   * Whether line i must be read as text before its bytes: it is empty, a `#` directive or starts
   * with a CR, or the file is UTF-16 (byte readers go on with the line's bytes otherwise).
   */
  needsText(i: number): boolean {
    const start = this.start[i];
    if (start === this.end[i] || !this.singleByte) return true;
    const first = this.bytes[start];
    return first === 0x23 /* # */ || first === 0x0d;
  }

  /** Line i as text, without a trailing CR (dropped as a byte in one-byte encodings: no second string). */
  text(i: number): string {
    const buf = this.bytes;
    const start = this.start[i];
    const end = this.end[i];
    if (this.singleByte) return decodeSingleByteLine(buf, start, end > start && buf[end - 1] === 0x0d ? end - 1 : end);
    const even = buf.subarray(start, start + ((end - start) & ~1));
    const text = (this.encoding === 'utf-16be' ? swap16(even) : even).toString('utf16le');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  /** Starts a new batch over `bytes` (whose first byte is at file offset `base`). */
  reset(bytes: Buffer, base: number, firstLineNo: number): void {
    this.bytes = bytes;
    this.base = base;
    this.count = 0;
    this.firstLineNo = firstLineNo;
    this.truncated = -1;
  }

  push(start: number, end: number, next: number, truncated: boolean): void {
    if (this.count === this.start.length) {
      this.start = grown(this.start);
      this.end = grown(this.end);
      this.next = grown(this.next);
    }
    if (truncated) this.truncated = this.count;
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.next[this.count] = next;
    this.count++;
  }
}

function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The lines of the source as byte spans, about LINE_BATCH_BYTES at a time (one LineSpans object, refilled). */
export async function* readLineSpans(source: ByteSource): AsyncGenerator<LineSpans> {
  const head = await source.readAt(0, 4);
  const { encoding, bomLength } = detectEncoding(head);
  const wide = encoding === 'utf-16le' || encoding === 'utf-16be';
  const unit = wide ? 2 : 1;
  const spans = new LineSpans();
  spans.encoding = encoding;
  let pending: Buffer = Buffer.alloc(0);
  let pendingOffset = bomLength;
  let lineNo = 1;
  let cut = false;

  for await (const chunk of source.stream(bomLength, READ_BYTES)) {
    const buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const bufOffset = pendingOffset;
    spans.reset(buf, bufOffset, lineNo);
    let from = 0;
    let batchFrom = 0;
    for (;;) {
      if (from - batchFrom >= LINE_BATCH_BYTES) {
        lineNo += spans.count;
        if (spans.count > 0) yield spans;
        spans.reset(buf, bufOffset, lineNo);
        batchFrom = from;
      }
      const nl = findNewline(buf, from, wide, encoding);
      if (nl < 0) break;
      if (cut) cut = false; // the rest of an over-long line already reported
      else spans.push(from, nl, nl + unit, false);
      from = nl + unit;
    }
    const rest = buf.length - from;
    if (rest > MAX_LINE_BYTES && !cut) {
      spans.push(from, from + MAX_LINE_BYTES, buf.length, true);
      cut = true;
    }
    if (cut) {
      pendingOffset = bufOffset + buf.length;
      pending = Buffer.alloc(0);
    } else {
      pendingOffset = bufOffset + from;
      pending = Buffer.from(buf.subarray(from)); // copy: the chunk buffer may be reused by the stream
    }
    lineNo += spans.count;
    if (spans.count > 0) yield spans;
  }
  if (pending.length > 0 && !cut) {
    spans.reset(pending, pendingOffset, lineNo);
    spans.push(0, pending.length, pending.length, false);
    yield spans;
  }
}

function findNewline(buf: Buffer, from: number, wide: boolean, encoding: TextEncoding): number {
  if (!wide) return buf.indexOf(0x0a, from);
  const pattern = encoding === 'utf-16le' ? NL_LE : NL_BE;
  let at = buf.indexOf(pattern, from);
  while (at >= 0 && (at - from) % 2 !== 0) at = buf.indexOf(pattern, at + 1);
  return at;
}

const NL_LE = Buffer.from([0x0a, 0x00]);
const NL_BE = Buffer.from([0x00, 0x0a]);
