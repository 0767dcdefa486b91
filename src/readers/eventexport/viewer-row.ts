// One event of a Windows 2003 Event Viewer text/CSV export — Date, Time, Source, Type, Category,
// Event, User, Computer, Description (documented field order; no binary Data, no record number) —
// turned into an `events` row. Date and Time are the viewing machine's local time, as Event Viewer
// showed them; the caller converts them with --tz.
import type { EventRecord } from '../../store/records.js';
import { eventTypeByName } from '../../knowledge/windows-event-types.js';
import type { LocalTime } from '../../util/timezone.js';

export const VIEWER_COLUMNS = ['Date', 'Time', 'Source', 'Type', 'Category', 'Event', 'User', 'Computer', 'Description'] as const;

/** en-US `10/9/2006` (month first), `09.10.2006` (day first), `2006-10-09` (ISO). */
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DOT_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const ISO_DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
/** `5:00:15 AM`, `17:00:15`. */
const TIME = /^(\d{1,2}):(\d{2}):(\d{2})(?:\s*([AaPp])\.?[Mm]\.?)?$/;
const EVENT_NUMBER = /^\d{1,10}$/;
/** Category as Event Viewer shows it when the source has no category names: `(3)`. */
const CATEGORY_NUMBER = /^\(?(\d{1,5})\)?$/;
const SID = /^S-1-\d+(?:-\d+)*$/;

export type RowResult = { ok: true; record: EventRecord } | { ok: false; message: string };

/** Parses the Date and Time columns; null when they are not a date and time we know. */
export function parseViewerDateTime(date: string, time: string): LocalTime | null {
  let year: number;
  let month: number;
  let day: number;
  let m: RegExpExecArray | null;
  if ((m = SLASH_DATE.exec(date))) [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = DOT_DATE.exec(date))) [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = ISO_DATE.exec(date))) [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return null;
  const t = TIME.exec(time.trim());
  if (!t) return null;
  let hour = Number(t[1]);
  const minute = Number(t[2]);
  const second = Number(t[3]);
  if (t[4]) {
    if (hour < 1 || hour > 12) return null;
    const pm = t[4].toLowerCase() === 'p';
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return { year, month, day, hour, minute, second };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** True when the first columns look like an event row (used to tell rows from continuation lines). */
export function looksLikeViewerRow(fields: readonly string[]): boolean {
  return fields.length >= 8 && parseViewerDateTime(fields[0].trim(), fields[1].trim()) !== null && EVENT_NUMBER.test(fields[5].trim());
}

/** True when the fields are the column-name header line some exports start with. */
export function isViewerHeader(fields: readonly string[]): boolean {
  return fields.length >= 8 && VIEWER_COLUMNS.slice(0, 8).every((name, i) => fields[i].trim().toLowerCase() === name.toLowerCase());
}

/**
 * Maps the nine columns to a record. `toUtc` converts the local time; the line number becomes
 * source_offset (the column holds line numbers for text exports).
 */
export function viewerRowToRecord(fields: readonly string[], description: string, lineNo: number, toUtc: (t: LocalTime) => bigint): RowResult {
  const [date, time, source, type, category, event, user, computer] = fields.map((f) => f.trim());
  const local = parseViewerDateTime(date, time);
  if (!local) return { ok: false, message: `Date/Time "${date} ${time}" is not a date and time Event Viewer writes` };
  if (!EVENT_NUMBER.test(event) || Number(event) > 0xffff) return { ok: false, message: `Event "${event}" is not an event ID` };
  const mapping = eventTypeByName(type);
  const categoryNumber = CATEGORY_NUMBER.exec(category);
  return {
    ok: true,
    record: {
      table: 'events',
      record_id: null,
      time_created: toUtc(local),
      provider: source,
      provider_guid: null,
      // Event Viewer shows the low 16 bits of the event identifier; the high word is not exported.
      event_id: Number(event),
      qualifiers: null,
      version: null,
      level: mapping?.level ?? null,
      task: category.toLowerCase() === 'none' ? 0 : categoryNumber ? Number(categoryNumber[1]) : null,
      opcode: null,
      keywords: mapping?.keywords ?? null,
      channel: null,
      computer: computer || null,
      user_sid: SID.test(user) ? user : null,
      process_id: null,
      thread_id: null,
      message: description,
      binary: null,
      binary_text: null,
      recovered: false,
      source_offset: lineNo,
      data: [],
    },
  };
}
