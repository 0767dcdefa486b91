// The fields of W3C data lines (IIS: space-separated, ISA: TAB-separated), found on the line's
// bytes: no string is made for the line, and a field's value comes through ByteStrings, so a value
// met lately is the same string again. A line with bytes above 0x7F (or of a UTF-16 file) is first
// decoded by the text rules of lines.ts (UTF-8, else Windows-1252) and split from its UTF-8 bytes,
// so every field's bytes are UTF-8. Tracking logs keep their string lines: their values are mostly
// unique and longer, which V8 slices without copying; read this way they ran ~10 % slower.
import type { ByteStrings } from './byte-strings.js';
import type { LineSpans } from './lines.js';
import type { W3cDelimiter } from './w3c.js';

export class ByteFields {
  /** The bytes the fields index into (the batch's, or the re-encoded line). */
  private bytes: Buffer = Buffer.alloc(0);
  count = 0;
  /** Field i spans bytes[bounds[2 * i], bounds[2 * i + 1]). */
  private bounds: Int32Array = new Int32Array(64);
  private readonly separator: number;

  /** Space: trailing spaces are ignored (IIS pads some lines). TAB: an empty last value is a value. */
  constructor(delimiter: W3cDelimiter) {
    this.separator = delimiter.charCodeAt(0);
  }

  /** Splits line `index` of the batch; returns the field count. */
  split(lines: LineSpans, index: number): number {
    let end = lines.end[index];
    if (lines.singleByte) {
      this.bytes = lines.bytes;
      if (end > lines.start[index] && this.bytes[end - 1] === 0x0d) end--;
      if (this.find(lines.start[index], end, true)) return this.count;
    }
    this.bytes = Buffer.from(lines.text(index), 'utf8');
    this.find(0, this.bytes.length, false);
    return this.count;
  }

  /** Field `index` through `strings`; null when absent, empty or `-` (W3C "no value"). */
  value(strings: ByteStrings, index: number): string | null {
    if (index < 0 || index >= this.count) return null;
    const start = this.bounds[2 * index];
    const end = this.bounds[2 * index + 1];
    if (end === start || (end - start === 1 && this.bytes[start] === 0x2d)) return null;
    return strings.get(this.bytes, start, end);
  }

  /** Every field as logged (empty and `-` kept). */
  all(strings: ByteStrings): string[] {
    const parts = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) parts[i] = strings.get(this.bytes, this.bounds[2 * i], this.bounds[2 * i + 1]) ?? '';
    return parts;
  }

  /** Records the field bounds of bytes[start, end); false (nothing kept) if `asciiOnly` and a byte is above 0x7F. */
  private find(start: number, end: number, asciiOnly: boolean): boolean {
    const bytes = this.bytes;
    const separator = this.separator;
    if (separator === 32) while (end > start && bytes[end - 1] === 32) end--;
    let bounds: Int32Array = this.bounds;
    let count = 0;
    let fieldStart = start;
    let high = 0;
    for (let p = start; p < end; p++) {
      const byte = bytes[p];
      high |= byte;
      if (byte !== separator) continue;
      if (2 * count + 4 > bounds.length) bounds = this.grow();
      bounds[2 * count] = fieldStart;
      bounds[2 * count + 1] = p;
      count++;
      fieldStart = p + 1;
    }
    if (asciiOnly && high > 0x7f) return false;
    if (2 * count + 2 > bounds.length) bounds = this.grow();
    bounds[2 * count] = fieldStart;
    bounds[2 * count + 1] = end;
    this.count = count + 1;
    return true;
  }

  private grow(): Int32Array {
    const grown = new Int32Array(this.bounds.length * 2);
    grown.set(this.bounds);
    this.bounds = grown;
    return grown;
  }
}
