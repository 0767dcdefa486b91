// Windows 2003 Event Viewer "Save Log File As" text exports: comma-delimited (.csv) and tab-delimited
// (.txt), one event per row in the documented column order, no binary Data. A description may run
// over several lines (the lines that follow a row and do not start a new row belong to it) and, in
// CSV, may be double-quoted. Times are local: converted with --tz, or read as UTC with a warning.
import type { EventRecord } from '../../store/records.js';
import type { ByteSource, ReadContext, Reader } from '../types.js';
import { headText, readLines } from '../text/lines.js';
import { eventTypeByName } from '../../knowledge/windows-event-types.js';
import { UTC, type LocalTime } from '../../util/timezone.js';
import { isViewerHeader, looksLikeViewerRow, viewerRowToRecord } from './viewer-row.js';

/** Lines a description may span before the reader stops collecting it (bounded memory). */
const MAX_DESCRIPTION_LINES = 10_000;

export const eventCsvReader = viewerExportReader('csv', ',');
export const eventTxtReader = viewerExportReader('txt', '\t');

function viewerExportReader(kind: 'csv' | 'txt', delimiter: string): Reader {
  return {
    name: `event-${kind}`,
    version: '1',
    description: `Windows 2003 Event Viewer ${kind === 'csv' ? 'comma' : 'tab'}-delimited export (no binary Data; local time, --tz)`,
    growable: false,
    sniff: (head) => sniffViewerExport(head, delimiter),
    read: (source, ctx) => readViewerExport(source, ctx, delimiter),
  };
}

function sniffViewerExport(head: Buffer, delimiter: string): boolean {
  const lines = headText(head).split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) return false;
  const first = splitRow(lines[0], delimiter)?.fields;
  if (!first) return false;
  if (isViewerHeader(first)) return true;
  return looksLikeViewerRow(first) && eventTypeByName(first[3]) !== undefined;
}

/** The first eight columns and the rest of the line (the Description, which may hold delimiters). */
function splitRow(line: string, delimiter: string): { fields: string[]; rest: string } | null {
  const fields: string[] = [];
  let from = 0;
  for (let i = 0; i < 8; i++) {
    const at = line.indexOf(delimiter, from);
    if (at < 0) return null;
    fields.push(unquoteWhole(line.slice(from, at)));
    from = at + delimiter.length;
  }
  return { fields, rest: line.slice(from) };
}

/** `"x"` → `x` for a column quoted as a whole (with `""` escapes); anything else unchanged. */
function unquoteWhole(field: string): string {
  return field.length >= 2 && field.startsWith('"') && field.endsWith('"') ? field.slice(1, -1).replaceAll('""', '"') : field;
}

/** A quoted description is complete when its opening quote is matched by an unescaped closing one. */
function quotedDescription(raw: string): { value: string; complete: boolean } {
  let value = '';
  for (let at = 1; at < raw.length; at++) {
    if (raw[at] !== '"') {
      value += raw[at];
    } else if (raw[at + 1] === '"') {
      value += '"';
      at++;
    } else {
      return { value, complete: true };
    }
  }
  return { value, complete: false };
}

interface PendingRow {
  fields: string[];
  lineNo: number;
  offset: number;
  /** Description lines collected so far (raw, still quoted if the description is quoted). */
  lines: string[];
  quoted: boolean;
  /** A quoted description whose closing quote has not been seen yet: following lines belong to it. */
  open: boolean;
}

/** Whether a quoted value is still open after `text`: every `"` toggles (an escaped `""` toggles twice). */
function stillOpen(text: string, open: boolean): boolean {
  let quotes = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) quotes++;
  return quotes % 2 === 0 ? open : !open;
}

async function* readViewerExport(source: ByteSource, ctx: ReadContext, delimiter: string): AsyncGenerator<EventRecord> {
  const zone = ctx.tz;
  if (zone) {
    ctx.timeRule(`local time, zone ${zone.name} (--tz)`);
  } else {
    ctx.timeRule('local time read as UTC (no --tz given)');
    ctx.issue({ severity: 'warning', message: 'Event Viewer exports hold local time and no --tz was given: times are read as UTC', line: 1 });
  }
  const toUtc = (t: LocalTime) => (zone ?? UTC).localToUtc(t);
  let pending: PendingRow | null = null;
  let seenRow = false;

  const finish = (row: PendingRow): EventRecord | null => {
    const raw = row.lines.join('\r\n');
    let description = raw;
    if (row.quoted) {
      const quoted = quotedDescription(raw);
      if (!quoted.complete) {
        ctx.issue({ severity: 'warning', message: `line ${row.lineNo}: quoted Description never closes; kept as written`, line: row.lineNo, offset: row.offset });
      } else {
        description = quoted.value;
      }
    }
    const result = viewerRowToRecord(row.fields, description.replace(/(?:\r\n)+$/, ''), row.lineNo, toUtc);
    if (result.ok) return result.record;
    ctx.issue({ severity: 'warning', message: `line ${row.lineNo}: ${result.message}`, line: row.lineNo, offset: row.offset, rejected: true });
    return null;
  };

  for await (const line of readLines(source)) {
    if (pending?.open) {
      if (pending.lines.length < MAX_DESCRIPTION_LINES) pending.lines.push(line.text);
      pending.open = stillOpen(line.text, true);
      continue;
    }
    const row = splitRow(line.text, delimiter);
    if (row && looksLikeViewerRow(row.fields)) {
      if (pending) {
        const record = finish(pending);
        if (record) yield record;
      }
      seenRow = true;
      const quoted = row.rest.startsWith('"');
      pending = { fields: row.fields, lineNo: line.lineNo, offset: line.offset, lines: [row.rest], quoted, open: quoted && stillOpen(row.rest.slice(1), true) };
    } else if (!seenRow && row && isViewerHeader(row.fields)) {
      continue;
    } else if (pending) {
      if (pending.lines.length < MAX_DESCRIPTION_LINES) pending.lines.push(line.text);
    } else if (line.text.trim().length > 0) {
      ctx.issue({ severity: 'warning', message: `line ${line.lineNo}: not an event row (expected Date, Time, Source, Type, Category, Event, User, Computer, Description)`, line: line.lineNo, offset: line.offset, rejected: true });
    }
  }
  if (pending) {
    const record = finish(pending);
    if (record) yield record;
  }
}
