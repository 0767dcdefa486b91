// W3C extended log directives (`#Software`, `#Version`, `#Date`, `#Fields`, `#Remark`, …) and the
// per-product field delimiter (log-formats.md §1 item 4):
// - IIS (SMTPSVC): fields and `#Fields` names separated by spaces; spaces inside values written `+`.
// - ISA Server / TMG: fields and `#Fields` names separated by TAB; names contain spaces (`IP protocol`).
// A file may repeat the directive block anywhere (service restart, configuration change): every
// `#Fields` re-maps the columns from that line on, so readers bind columns by name per block
// (bindColumns in directives.ts).
import { headText } from './lines.js';
import { parseDirective } from './directives.js';

export type W3cDelimiter = ' ' | '\t';

/** The directives in force at some point of a W3C file. */
export interface W3cHeader {
  software: string | null;
  version: string | null;
  /** `#Date` as written, e.g. `2006-10-09 05:00:15` (UTC). */
  date: string | null;
  /** Field names of the current `#Fields`, or null before the first one. */
  fields: readonly string[] | null;
  /** Line number of the current `#Fields` (for messages). */
  fieldsLine: number | null;
}

export class W3cDirectives {
  readonly header: W3cHeader = { software: null, version: null, date: null, fields: null, fieldsLine: null };
  /** Bumped by every `#Fields`, so readers know when to re-bind their columns. */
  generation = 0;

  constructor(private readonly delimiter: W3cDelimiter) {}

  /** Applies the line if it is a directive (`#…`) and returns true; returns false for data lines. */
  accept(text: string, lineNo: number): boolean {
    if (text.charCodeAt(0) !== 35 /* # */) return false;
    const directive = parseDirective(text);
    if (directive === null) return true; // a bare `#` comment
    const name = directive.name.toLowerCase();
    if (name === 'software') this.header.software = directive.value;
    else if (name === 'version') this.header.version = directive.value;
    else if (name === 'date') this.header.date = directive.value;
    else if (name === 'fields') {
      this.header.fields = splitFieldNames(directive.value, this.delimiter);
      this.header.fieldsLine = lineNo;
      this.generation++;
    }
    return true;
  }
}

function splitFieldNames(value: string, delimiter: W3cDelimiter): string[] {
  const names: string[] = [];
  for (const part of value.split(delimiter)) {
    const name = part.trim();
    if (name.length > 0) names.push(name);
  }
  return names;
}

/** The directive lines at the top of a file's first bytes (for sniff()); empty if it has none. */
export function headDirectives(head: Buffer): { software: string | null; fieldsLine: string | null; firstDataLine: string | null } {
  let software: string | null = null;
  let fieldsLine: string | null = null;
  let firstDataLine: string | null = null;
  for (const raw of headText(head).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('#Software:')) software ??= line.slice(10).trim();
    else if (line.startsWith('#Fields:')) fieldsLine ??= line.slice(8).trim();
    else if (!line.startsWith('#') && line.trim().length > 0 && fieldsLine !== null) {
      firstDataLine = line;
      break;
    }
  }
  return { software, fieldsLine, firstDataLine };
}

let lastDate = '';
let lastDateMs = Number.NaN;

/** `2006-10-09` → epoch milliseconds of that UTC midnight, or NaN. The last answer is kept: a log has one date per day. */
function w3cDateMs(date: string): number {
  if (date === lastDate) return lastDateMs;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date);
  let ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : Number.NaN;
  if (m && new Date(ms).getUTCDate() !== +m[3]) ms = Number.NaN;
  lastDate = date;
  lastDateMs = ms;
  return ms;
}

/** Fraction digits of the last time parsed by secondOfDay, in nanoseconds (module state: no allocation). */
let fractionNanos = 0;

/**
 * `H:MM:SS[.fffffff]` → whole seconds since midnight (the fraction goes to `fractionNanos`), or -1
 * when malformed. Digits are read by char code: called once per line.
 */
function secondOfDay(time: string): number {
  const c1 = time.indexOf(':');
  const c2 = time.indexOf(':', c1 + 1);
  if (c1 < 1 || c2 < 0 || c1 > 2 || c2 - c1 !== 3) return -1;
  const h = digits(time, 0, c1);
  const m = digits(time, c1 + 1, c2);
  const dot = time.indexOf('.', c2 + 1);
  const s = digits(time, c2 + 1, dot < 0 ? time.length : dot);
  if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60) return -1;
  fractionNanos = 0;
  if (dot >= 0) {
    const places = time.length - dot - 1;
    const f = digits(time, dot + 1, time.length);
    if (f < 0) return -1;
    fractionNanos = f * 10 ** (9 - places);
  }
  return (h * 60 + m) * 60 + s;
}

/** Decimal value of text[start, end) (1–9 digits), or -1. */
export function digits(text: string, start: number, end: number): number {
  if (end <= start || end - start > 9) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** The last pair w3cTimestamp read and its answer: a busy log writes many lines per second. */
let lastStampDate = '';
let lastStampTime = '';
let lastStamp: bigint | null = null;

/** UTC nanoseconds of a W3C `date` + `time` pair (both UTC by the W3C draft), or null when malformed. */
export function w3cTimestamp(date: string, time: string): bigint | null {
  if (time === lastStampTime && date === lastStampDate) return lastStamp;
  lastStampDate = date;
  lastStampTime = time;
  lastStamp = w3cNanos(date, time);
  return lastStamp;
}

function w3cNanos(date: string, time: string): bigint | null {
  const day = w3cDateMs(date);
  if (Number.isNaN(day)) return null;
  const seconds = secondOfDay(time);
  if (seconds < 0) return null;
  const whole = BigInt(day + seconds * 1000) * 1_000_000n;
  return fractionNanos === 0 ? whole : whole + BigInt(fractionNanos);
}
