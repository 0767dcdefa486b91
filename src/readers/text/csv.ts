// Streaming delimited-text records on top of readLines(): plain splitting for logs that never quote
// (TAB tracking logs), and CSV with double-quoted fields, `""` escapes and quoted values that run
// over line breaks. Lines starting with `#` outside a quoted value are handed back as directives,
// because every CSV log we read keeps its header (`#Fields: ...`, `#TYPE ...`) in such lines.
import type { ByteSource } from '../types.js';
import { readLines, type TextLine } from './lines.js';

/** Splits `text` at every `delimiter` into `out` (cleared first); no quoting. */
export function splitPlain(text: string, delimiter: string, out: string[]): string[] {
  out.length = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf(delimiter, from);
    if (at < 0) break;
    out.push(text.slice(from, at));
    from = at + delimiter.length;
  }
  out.push(text.slice(from));
  return out;
}

export type CsvParseResult =
  | { status: 'ok' }
  /** The text ends inside a quoted value: the record continues on the next line. */
  | { status: 'open' }
  | { status: 'bad'; column: number; message: string };

const OK: CsvParseResult = { status: 'ok' };
const OPEN: CsvParseResult = { status: 'open' };

/** Splits one CSV record (possibly several physical lines joined by `\n`) into `out`. */
export function splitCsv(text: string, delimiter: string, out: string[]): CsvParseResult {
  if (text.indexOf('"') < 0) {
    splitPlain(text, delimiter, out);
    return OK;
  }
  out.length = 0;
  const length = text.length;
  let pos = 0;
  for (;;) {
    if (text.charCodeAt(pos) === 0x22) {
      // Quoted value: runs to the next `"` not followed by another `"`.
      let value = '';
      let from = pos + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) return OPEN;
        value += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          from = quote + 2;
          continue;
        }
        pos = quote + 1;
        break;
      }
      out.push(value);
      if (pos >= length) return OK;
      if (!text.startsWith(delimiter, pos)) {
        return { status: 'bad', column: pos + 1, message: `unexpected character after closing quote in field ${out.length}` };
      }
      pos += delimiter.length;
      if (pos >= length) {
        out.push('');
        return OK;
      }
    } else {
      const at = text.indexOf(delimiter, pos);
      const end = at < 0 ? length : at;
      const value = text.slice(pos, end);
      if (value.indexOf('"') >= 0) {
        return { status: 'bad', column: pos + value.indexOf('"') + 1, message: `stray quote in unquoted field ${out.length + 1}` };
      }
      out.push(value);
      if (at < 0) return OK;
      pos = at + delimiter.length;
    }
  }
}

export interface DelimitedRecord {
  kind: 'record';
  /** The record's fields; the array is reused for the next record, copy what you keep. */
  fields: string[];
  /** Line number of the record's first line, and the byte offsets of its first and past its last line. */
  lineNo: number;
  offset: number;
  nextOffset: number;
}

export interface DirectiveLine {
  kind: 'directive';
  /** The whole line, including the leading `#`. */
  text: string;
  lineNo: number;
  offset: number;
}

export interface MalformedRecord {
  kind: 'malformed';
  message: string;
  lineNo: number;
  offset: number;
}

export type CsvItem = DelimitedRecord | DirectiveLine | MalformedRecord;

export interface CsvOptions {
  delimiter: string;
  /** A quoted value may span at most this many lines; beyond that its first line is malformed. */
  maxRecordLines?: number;
}

/**
 * Streams the CSV records of `source`. Blank lines are skipped. An unterminated quote does not swallow
 * the rest of the file: after `maxRecordLines` lines the record's first line is reported malformed and
 * parsing resumes on its second line.
 */
export async function* readCsv(source: ByteSource, options: CsvOptions): AsyncGenerator<CsvItem> {
  const { delimiter } = options;
  const maxLines = options.maxRecordLines ?? 64;
  const fields: string[] = [];
  const record: DelimitedRecord = { kind: 'record', fields, lineNo: 0, offset: 0, nextOffset: 0 };
  /** Lines of a record whose quoted value is still open. */
  let pending: TextLine[] = [];

  // Classifies a run of lines that starts a record; returns the lines it did not consume.
  function* take(lines: TextLine[]): Generator<CsvItem, TextLine[]> {
    let queue = lines;
    while (queue.length > 0) {
      const first = queue[0];
      if (first.text.length === 0) {
        queue = queue.slice(1);
        continue;
      }
      if (first.text.charCodeAt(0) === 0x23 /* # */) {
        yield { kind: 'directive', text: first.text, lineNo: first.lineNo, offset: first.offset };
        queue = queue.slice(1);
        continue;
      }
      let text = first.text;
      let used = 1;
      let result = splitCsv(text, delimiter, fields);
      while (result.status === 'open' && used < queue.length) {
        text += '\n' + queue[used].text;
        used++;
        result = splitCsv(text, delimiter, fields);
      }
      if (result.status === 'open') {
        if (queue.length < maxLines) return queue; // wait for more lines
        yield { kind: 'malformed', message: 'unterminated quoted value', lineNo: first.lineNo, offset: first.offset };
        queue = queue.slice(1);
        continue;
      }
      if (result.status === 'bad') {
        yield { kind: 'malformed', message: `${result.message} (column ${result.column})`, lineNo: first.lineNo, offset: first.offset };
      } else {
        record.lineNo = first.lineNo;
        record.offset = first.offset;
        record.nextOffset = queue[used - 1].nextOffset;
        yield record;
      }
      queue = queue.slice(used);
    }
    return queue;
  }

  for await (const line of readLines(source)) {
    if (pending.length === 0) {
      // Fast path: a line that is a whole record.
      const text = line.text;
      if (text.length === 0) continue;
      if (text.charCodeAt(0) === 0x23) {
        yield { kind: 'directive', text, lineNo: line.lineNo, offset: line.offset };
        continue;
      }
      const result = splitCsv(text, delimiter, fields);
      if (result.status === 'ok') {
        record.lineNo = line.lineNo;
        record.offset = line.offset;
        record.nextOffset = line.nextOffset;
        yield record;
        continue;
      }
      if (result.status === 'bad') {
        yield { kind: 'malformed', message: `${result.message} (column ${result.column})`, lineNo: line.lineNo, offset: line.offset };
        continue;
      }
    }
    pending.push(line);
    pending = yield* take(pending);
  }
  // End of file inside a quoted value: report each line that cannot start a record, then retry the rest.
  while (pending.length > 0) {
    const first = pending[0];
    pending = yield* take(pending);
    if (pending.length > 0 && pending[0] === first) {
      yield { kind: 'malformed', message: 'unterminated quoted value at end of file', lineNo: first.lineNo, offset: first.offset };
      pending = pending.slice(1);
    }
  }
}

/**
 * One line of a delimiter-separated log whose values are never quoted (TAB tracking logs), indexed
 * once so that only the fields a reader stores are sliced out. Reused from line to line.
 */
export class UnquotedLine {
  private text = '';
  /** bounds[i] is the delimiter before field i (-1 for the first), bounds[count] the line end. */
  private bounds = new Int32Array(64);
  count = 0;

  constructor(private readonly delimiter: string) {}

  reset(text: string): this {
    this.text = text;
    let count = 0;
    let bounds = this.bounds;
    bounds[0] = -1;
    for (let at = text.indexOf(this.delimiter); at >= 0; at = text.indexOf(this.delimiter, at + 1)) {
      if (++count + 1 >= bounds.length) {
        const grown = new Int32Array(bounds.length * 2);
        grown.set(bounds);
        this.bounds = bounds = grown;
      }
      bounds[count] = at;
    }
    bounds[++count] = text.length;
    // Trailing empty fields (a TAB at the end of the line) do not count.
    while (count > 1 && bounds[count] - bounds[count - 1] === 1) count--;
    this.count = count;
    return this;
  }

  /** Field `index` as written; null when the line has no such field or it is empty or `-`. */
  value(index: number): string | null {
    if (index < 0 || index >= this.count) return null;
    const start = this.bounds[index] + 1;
    const end = this.bounds[index + 1];
    if (end === start || (end === start + 1 && this.text.charCodeAt(start) === 0x2d /* - */)) return null;
    return this.text.slice(start, end);
  }

  /** Field `index` as a decimal integer, null when absent or not all digits. */
  integer(index: number): number | null {
    if (index < 0 || index >= this.count) return null;
    const start = this.bounds[index] + 1;
    const end = this.bounds[index + 1];
    if (end === start || end - start > 15) return null;
    let n = 0;
    for (let i = start; i < end; i++) {
      const digit = this.text.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return null;
      n = n * 10 + digit;
    }
    return n;
  }
}
