// Times in queue exports. ESM and PowerShell write local time in the server's culture format
// (`3/14/2006 9:12 AM`, `2019/11/4 13:31:03`, `14.03.2006 09:12:44`); WMI writes DMTF strings
// (`20060314091244.000000-300`) that carry their own offset in minutes.
import type { FileNameTimePattern } from '../../knowledge/queue-exports.js';
import type { LocalTime } from '../../util/timezone.js';

const digitRuns = /\d+/g;

/** Day/month order of numeric dates that do not start with the year. */
export type DateOrder = 'mdy' | 'dmy';

/**
 * Decides a file's day/month order from sample values: a first number over 12 or a `.` after it
 * (German and similar cultures) means day first, a second number over 12 means month first. With no
 * telling sample the order is month first (en-US, the Windows default) and `decided` is false.
 */
export function dateOrderOf(samples: readonly string[]): { order: DateOrder; decided: boolean } {
  let dayFirst = 0;
  let monthFirst = 0;
  for (const text of samples) {
    const runs = text.match(digitRuns);
    if (runs === null || runs.length < 3 || runs[0].length === 4) continue;
    const [a, b] = [Number(runs[0]), Number(runs[1])];
    if (text.charAt(text.indexOf(runs[0]) + runs[0].length) === '.' || a > 12) dayFirst++;
    else if (b > 12) monthFirst++;
  }
  if (dayFirst === 0 && monthFirst === 0) return { order: 'mdy', decided: false };
  return { order: dayFirst > monthFirst ? 'dmy' : 'mdy', decided: true };
}

/**
 * Reads a culture-formatted local date and time (`3/14/2006 9:12 AM`, `2019/11/4 13:31:03`,
 * `14.03.2006 09:12:44`). A four-digit first number means year/month/day; otherwise `order` decides.
 * Null when the text is not a valid date and time.
 */
export function parseCultureTime(text: string, order: DateOrder): LocalTime | null {
  const runs = text.match(digitRuns);
  if (runs === null || runs.length < 3) return null;
  const [a, b, c] = runs;
  let year: number;
  let month: number;
  let day: number;
  if (a.length === 4) {
    [year, month, day] = [Number(a), Number(b), Number(c)];
  } else {
    [day, month] = order === 'dmy' ? [Number(a), Number(b)] : [Number(b), Number(a)];
    year = Number(c) + (c.length === 2 ? 2000 : 0);
  }
  let hour = runs.length > 3 ? Number(runs[3]) : 0;
  const minute = runs.length > 4 ? Number(runs[4]) : 0;
  const second = runs.length > 5 ? Number(runs[5]) : 0;
  const meridiem = /\b([AP])\.?M\.?\s*$/i.exec(text);
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem[1].toUpperCase() === 'P' ? 12 : 0);
  }
  const local = { year, month, day, hour, minute, second };
  return isValidLocalTime(local) ? local : null;
}

function isValidLocalTime({ year, month, day, hour, minute, second }: LocalTime): boolean {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
}

/**
 * The local time stamped into an export's file name by the first matching pattern
 * (`queues-20070308-0830.txt`), with the pattern's format; null when no pattern gives a valid time.
 */
export function fileNameTime(path: string, patterns: readonly FileNameTimePattern[]): { local: LocalTime; format: string } | null {
  const name = path.split(/[\\/]/).pop() ?? path;
  for (const { regex, format } of patterns) {
    const groups = new RegExp(regex).exec(name)?.groups;
    if (!groups) continue;
    const part = (key: string): number => Number(groups[key] ?? 0);
    const local = { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
    if (isValidLocalTime(local)) return { local, format };
  }
  return null;
}

const DMTF = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/;

/** UTC ns of a WMI DMTF datetime; null when empty or not DMTF (WMI writes `*` for unknown parts). */
export function parseDmtfTime(text: string): bigint | null {
  const m = DMTF.exec(text.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (Number.isNaN(ms)) return null;
  const offsetMinutes = (m[8] === '-' ? -1 : 1) * Number(m[9]);
  return BigInt(ms - offsetMinutes * 60_000) * 1_000_000n + BigInt(m[7]) * 1000n;
}
